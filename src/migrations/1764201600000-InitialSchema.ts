import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The schema, written once for both drivers: only the column types differ. Foreign keys to
 * `account_members` make "every contact is a member" a database rule; the primary contact's is
 * deferred because an account and its first member are inserted in one transaction.
 */
export class InitialSchema1764201600000 implements MigrationInterface {
  name = "InitialSchema1764201600000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    const serial = postgres ? "SERIAL PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT NOT NULL";
    const primaryContactIsMember = `CONSTRAINT "FK_accounts_primary_contact_member" FOREIGN KEY ("id", "primaryContactId")
          REFERENCES "account_members" ("accountId", "userId") DEFERRABLE INITIALLY DEFERRED`;
    const statements = [
      `CREATE TABLE "users" (
        "id" varchar(36) PRIMARY KEY NOT NULL,
        "email" varchar(320) NOT NULL,
        "name" varchar(200),
        "createdAt" ${ts} NOT NULL,
        CONSTRAINT "UQ_users_email" UNIQUE ("email")
      )`,
      `CREATE TABLE "accounts" (
        "id" varchar(36) PRIMARY KEY NOT NULL,
        "name" varchar(200) NOT NULL,
        "primaryContactId" varchar(36) NOT NULL,
        "contactsVersion" integer NOT NULL DEFAULT 0,
        "createdAt" ${ts} NOT NULL,
        "updatedAt" ${ts} NOT NULL,
        CONSTRAINT "FK_accounts_primary_contact_user" FOREIGN KEY ("primaryContactId") REFERENCES "users" ("id")${
          // SQLite cannot add a constraint later but accepts a reference to a table that does not exist yet.
          postgres ? "" : `,\n        ${primaryContactIsMember}`
        }
      )`,
      `CREATE TABLE "account_members" (
        "accountId" varchar(36) NOT NULL,
        "userId" varchar(36) NOT NULL,
        "role" varchar(16) NOT NULL,
        "joinedAt" ${ts} NOT NULL,
        PRIMARY KEY ("accountId", "userId"),
        CONSTRAINT "CHK_account_members_role" CHECK ("role" IN ('ADMIN', 'MEMBER')),
        CONSTRAINT "FK_account_members_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
        CONSTRAINT "FK_account_members_user" FOREIGN KEY ("userId") REFERENCES "users" ("id")
      )`,
      ...(postgres ? [`ALTER TABLE "accounts" ADD ${primaryContactIsMember}`] : []),
      `CREATE INDEX "IDX_account_members_user" ON "account_members" ("userId")`,
      `CREATE INDEX "IDX_account_members_account_joined" ON "account_members" ("accountId", "joinedAt", "userId")`,
      `CREATE TABLE "billing_contacts" (
        "accountId" varchar(36) NOT NULL,
        "userId" varchar(36) NOT NULL,
        "position" integer NOT NULL,
        "addedAt" ${ts} NOT NULL,
        PRIMARY KEY ("accountId", "userId"),
        CONSTRAINT "CHK_billing_contacts_position" CHECK ("position" >= 0 AND "position" < 3),
        CONSTRAINT "FK_billing_contacts_member" FOREIGN KEY ("accountId", "userId")
          REFERENCES "account_members" ("accountId", "userId") ON DELETE CASCADE
      )`,
      `CREATE UNIQUE INDEX "IDX_billing_contacts_account_position" ON "billing_contacts" ("accountId", "position")`,
      `CREATE INDEX "IDX_billing_contacts_user" ON "billing_contacts" ("userId")`,
      `CREATE TABLE "role_contacts" (
        "accountId" varchar(36) NOT NULL,
        "role" varchar(32) NOT NULL,
        "userId" varchar(36),
        "email" varchar(320) NOT NULL,
        "updatedAt" ${ts} NOT NULL,
        "updatedById" varchar(36),
        PRIMARY KEY ("accountId", "role"),
        CONSTRAINT "CHK_role_contacts_role" CHECK ("role" IN ('DECISION_MAKER', 'IMPLEMENTATION', 'SECURITY', 'TECHNICAL_ADMIN')),
        CONSTRAINT "CHK_role_contacts_external_security_only" CHECK ("userId" IS NOT NULL OR "role" = 'SECURITY'),
        CONSTRAINT "FK_role_contacts_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
        CONSTRAINT "FK_role_contacts_member" FOREIGN KEY ("accountId", "userId")
          REFERENCES "account_members" ("accountId", "userId") ON DELETE CASCADE,
        CONSTRAINT "FK_role_contacts_updated_by" FOREIGN KEY ("updatedById") REFERENCES "users" ("id") ON DELETE SET NULL
      )`,
      `CREATE INDEX "IDX_role_contacts_user" ON "role_contacts" ("userId")`,
      `CREATE TABLE "contact_changes" (
        "id" ${serial},
        "accountId" varchar(36) NOT NULL,
        "at" ${ts} NOT NULL,
        "actorId" varchar(36) NOT NULL,
        "slot" varchar(32) NOT NULL,
        "action" varchar(16) NOT NULL,
        "previousEmail" varchar(320),
        "newEmail" varchar(320),
        CONSTRAINT "FK_contact_changes_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
        CONSTRAINT "FK_contact_changes_actor" FOREIGN KEY ("actorId") REFERENCES "users" ("id")
      )`,
      `CREATE INDEX "IDX_contact_changes_account_id" ON "contact_changes" ("accountId", "id")`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const cascade = queryRunner.connection.options.type === "postgres" ? " CASCADE" : "";
    for (const table of ["contact_changes", "role_contacts", "billing_contacts", "account_members", "accounts", "users"]) {
      await queryRunner.query(`DROP TABLE "${table}"${cascade}`);
    }
  }
}
