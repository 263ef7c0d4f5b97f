import type { MigrationInterface, QueryRunner } from "typeorm";
import { rebuildTable, tableDefinition } from "./support/constrained-table";

/** The roles this migration knows, frozen as they were when it was written. */
const ROLES = ["DECISION_MAKER", "IMPLEMENTATION", "SECURITY", "TECHNICAL_ADMIN"];
const OUTSIDE_ADDRESS_ROLES = ["SECURITY"];

const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(", ");

const VERIFICATION_OF_ROLE = `CONSTRAINT "FK_contact_verifications_role" FOREIGN KEY ("accountId", "role")
          REFERENCES "role_contacts" ("accountId", "role") ON DELETE CASCADE`;
const VERIFICATION_OF_ACCOUNT = `CONSTRAINT "FK_contact_verifications_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE`;

/**
 * Every filled contact slot becomes one row of `contact_slots`: the primary contact (from
 * `accounts.primaryContactId`), each billing contact (from `billing_contacts`) and each role (from
 * `role_contacts`); the three old shapes are dropped. A verification now belongs to its account (the
 * service deletes it with the role it confirms). `down` puts the three shapes back, row for row.
 */
export class ContactSlots1797400000000 implements MigrationInterface {
  name = "ContactSlots1797400000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    await queryRunner.query(`CREATE TABLE "contact_slots" (
      "accountId" varchar(36) NOT NULL,
      "slot" varchar(32) NOT NULL,
      "position" integer NOT NULL,
      "userId" varchar(36),
      "email" varchar(320) NOT NULL,
      "updatedAt" ${ts} NOT NULL,
      "updatedById" varchar(36),
      PRIMARY KEY ("accountId", "slot", "position"),
      CONSTRAINT "CHK_contact_slots_slot" CHECK ("slot" IN ('PRIMARY', 'BILLING', ${list(ROLES)})),
      CONSTRAINT "CHK_contact_slots_position" CHECK (("slot" = 'BILLING' AND "position" >= 0 AND "position" < 3) OR ("slot" <> 'BILLING' AND "position" = 0)),
      CONSTRAINT "CHK_contact_slots_outside_address" CHECK ("userId" IS NOT NULL OR "slot" IN (${list(OUTSIDE_ADDRESS_ROLES)})),
      CONSTRAINT "FK_contact_slots_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
      CONSTRAINT "FK_contact_slots_member" FOREIGN KEY ("accountId", "userId")
        REFERENCES "account_members" ("accountId", "userId") DEFERRABLE INITIALLY DEFERRED,
      CONSTRAINT "FK_contact_slots_updated_by" FOREIGN KEY ("updatedById") REFERENCES "users" ("id") ON DELETE SET NULL
    )`);
    // A member holds a billing place once; the other slots have one row each anyway.
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_contact_slots_holder" ON "contact_slots" ("accountId", "slot", "userId")`);
    await queryRunner.query(`CREATE INDEX "IDX_contact_slots_user" ON "contact_slots" ("userId")`);

    await queryRunner.query(`INSERT INTO "contact_slots" ("accountId", "slot", "position", "userId", "email", "updatedAt", "updatedById")
      SELECT "a"."id", 'PRIMARY', 0, "a"."primaryContactId", "u"."email",
        COALESCE((SELECT MAX("c"."at") FROM "contact_changes" "c" WHERE "c"."accountId" = "a"."id" AND "c"."slot" = 'PRIMARY'), "a"."createdAt"), NULL
      FROM "accounts" "a" INNER JOIN "users" "u" ON "u"."id" = "a"."primaryContactId"`);
    await queryRunner.query(`INSERT INTO "contact_slots" ("accountId", "slot", "position", "userId", "email", "updatedAt", "updatedById")
      SELECT "b"."accountId", 'BILLING', "b"."position", "b"."userId", "u"."email", "b"."addedAt", NULL
      FROM "billing_contacts" "b" INNER JOIN "users" "u" ON "u"."id" = "b"."userId"`);
    await queryRunner.query(`INSERT INTO "contact_slots" ("accountId", "slot", "position", "userId", "email", "updatedAt", "updatedById")
      SELECT "accountId", "role", 0, "userId", "email", "updatedAt", "updatedById" FROM "role_contacts"`);

    if (postgres) {
      await queryRunner.query(
        `ALTER TABLE "contact_verifications" DROP CONSTRAINT "FK_contact_verifications_role", ADD ${VERIFICATION_OF_ACCOUNT}`,
      );
      await queryRunner.query(`DROP TABLE "billing_contacts"`);
      await queryRunner.query(`DROP TABLE "role_contacts"`);
      await queryRunner.query(`ALTER TABLE "accounts" DROP COLUMN "primaryContactId"`);
      return;
    }
    const verifications = await tableDefinition(queryRunner, "contact_verifications");
    if (!verifications.includes(VERIFICATION_OF_ROLE)) throw new Error("contact_verifications is not as ContactSlots expects.");
    await rebuildTable(queryRunner, "contact_verifications", verifications.replace(VERIFICATION_OF_ROLE, VERIFICATION_OF_ACCOUNT));
    await queryRunner.query(`DROP TABLE "billing_contacts"`);
    await queryRunner.query(`DROP TABLE "role_contacts"`);
    await rebuildTable(
      queryRunner,
      "accounts",
      `CREATE TABLE "accounts" (
        "id" varchar(36) PRIMARY KEY NOT NULL,
        "name" varchar(200) NOT NULL,
        "contactsVersion" integer NOT NULL DEFAULT 0,
        "createdAt" datetime NOT NULL,
        "updatedAt" datetime NOT NULL,
        "locale" varchar(2) NOT NULL DEFAULT 'en' CONSTRAINT "CHK_accounts_locale" CHECK ("locale" IN ('en', 'pl'))
      )`,
      `SELECT "id", "name", "contactsVersion", "createdAt", "updatedAt", "locale" FROM "accounts"`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    const primaryIsMember = `CONSTRAINT "FK_accounts_primary_contact_member" FOREIGN KEY ("id", "primaryContactId")
          REFERENCES "account_members" ("accountId", "userId") DEFERRABLE INITIALLY DEFERRED`;
    const primaryIsUser = `CONSTRAINT "FK_accounts_primary_contact_user" FOREIGN KEY ("primaryContactId") REFERENCES "users" ("id")`;
    if (postgres) {
      await queryRunner.query(`ALTER TABLE "accounts" ADD "primaryContactId" varchar(36)`);
      await queryRunner.query(
        `UPDATE "accounts" "a" SET "primaryContactId" = "s"."userId" FROM "contact_slots" "s" WHERE "s"."accountId" = "a"."id" AND "s"."slot" = 'PRIMARY'`,
      );
      await queryRunner.query(
        `ALTER TABLE "accounts" ALTER COLUMN "primaryContactId" SET NOT NULL, ADD ${primaryIsUser}, ADD ${primaryIsMember}`,
      );
    } else {
      // The rebuild sets contact_slots aside while it runs, so the primary contacts are read first.
      await queryRunner.query(
        `CREATE TEMP TABLE "primary_contacts" AS SELECT "accountId", "userId" FROM "contact_slots" WHERE "slot" = 'PRIMARY'`,
      );
      await rebuildTable(
        queryRunner,
        "accounts",
        `CREATE TABLE "accounts" (
        "id" varchar(36) PRIMARY KEY NOT NULL,
        "name" varchar(200) NOT NULL,
        "primaryContactId" varchar(36) NOT NULL,
        "contactsVersion" integer NOT NULL DEFAULT 0,
        "createdAt" datetime NOT NULL,
        "updatedAt" datetime NOT NULL, "locale" varchar(2) NOT NULL DEFAULT 'en' CONSTRAINT "CHK_accounts_locale" CHECK ("locale" IN ('en', 'pl')),
        ${primaryIsUser},
        ${primaryIsMember}
      )`,
        `SELECT "a"."id", "a"."name", "p"."userId", "a"."contactsVersion", "a"."createdAt", "a"."updatedAt", "a"."locale"
         FROM "accounts" "a" INNER JOIN temp."primary_contacts" "p" ON "p"."accountId" = "a"."id"`,
      );
      await queryRunner.query(`DROP TABLE temp."primary_contacts"`);
    }

    await queryRunner.query(`CREATE TABLE "billing_contacts" (
        "accountId" varchar(36) NOT NULL,
        "userId" varchar(36) NOT NULL,
        "position" integer NOT NULL,
        "addedAt" ${ts} NOT NULL,
        PRIMARY KEY ("accountId", "userId"),
        CONSTRAINT "CHK_billing_contacts_position" CHECK ("position" >= 0 AND "position" < 3),
        CONSTRAINT "FK_billing_contacts_member" FOREIGN KEY ("accountId", "userId")
          REFERENCES "account_members" ("accountId", "userId") ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_billing_contacts_account_position" ON "billing_contacts" ("accountId", "position")`);
    await queryRunner.query(`CREATE INDEX "IDX_billing_contacts_user" ON "billing_contacts" ("userId")`);
    await queryRunner.query(`CREATE TABLE "role_contacts" (
        "accountId" varchar(36) NOT NULL,
        "role" varchar(32) NOT NULL,
        "userId" varchar(36),
        "email" varchar(320) NOT NULL,
        "updatedAt" ${ts} NOT NULL,
        "updatedById" varchar(36),
        PRIMARY KEY ("accountId", "role"),
        CONSTRAINT "CHK_role_contacts_role" CHECK ("role" IN (${list(ROLES)})),
        CONSTRAINT "CHK_role_contacts_external_security_only" CHECK ("userId" IS NOT NULL OR "role" IN (${list(OUTSIDE_ADDRESS_ROLES)})),
        CONSTRAINT "FK_role_contacts_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
        CONSTRAINT "FK_role_contacts_member" FOREIGN KEY ("accountId", "userId")
          REFERENCES "account_members" ("accountId", "userId") ON DELETE CASCADE,
        CONSTRAINT "FK_role_contacts_updated_by" FOREIGN KEY ("updatedById") REFERENCES "users" ("id") ON DELETE SET NULL
      )`);
    await queryRunner.query(`CREATE INDEX "IDX_role_contacts_user" ON "role_contacts" ("userId")`);
    await queryRunner.query(`INSERT INTO "billing_contacts" ("accountId", "userId", "position", "addedAt")
      SELECT "accountId", "userId", "position", "updatedAt" FROM "contact_slots" WHERE "slot" = 'BILLING'`);
    await queryRunner.query(`INSERT INTO "role_contacts" ("accountId", "role", "userId", "email", "updatedAt", "updatedById")
      SELECT "accountId", "slot", "userId", "email", "updatedAt", "updatedById" FROM "contact_slots" WHERE "slot" IN (${list(ROLES)})`);

    // A verification whose role is gone could not be kept under the old key.
    await queryRunner.query(`DELETE FROM "contact_verifications" WHERE NOT EXISTS
      (SELECT 1 FROM "role_contacts" "r" WHERE "r"."accountId" = "contact_verifications"."accountId" AND "r"."role" = "contact_verifications"."role")`);
    if (postgres) {
      await queryRunner.query(
        `ALTER TABLE "contact_verifications" DROP CONSTRAINT "FK_contact_verifications_account", ADD ${VERIFICATION_OF_ROLE}`,
      );
    } else {
      const verifications = await tableDefinition(queryRunner, "contact_verifications");
      await rebuildTable(queryRunner, "contact_verifications", verifications.replace(VERIFICATION_OF_ACCOUNT, VERIFICATION_OF_ROLE));
    }
    await queryRunner.query(`DROP TABLE "contact_slots"`);
  }
}
