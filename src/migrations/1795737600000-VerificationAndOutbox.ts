import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Verification of external contacts, the outbox of messages to send, and the last delivery result
 * per recipient (what contact health reads). Written once for both drivers, like the initial schema.
 */
export class VerificationAndOutbox1795737600000 implements MigrationInterface {
  name = "VerificationAndOutbox1795737600000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    const serial = postgres ? "SERIAL PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT NOT NULL";
    const statements = [
      // One row per external role contact; deleting the role (or the account) deletes it.
      `CREATE TABLE "contact_verifications" (
        "accountId" varchar(36) NOT NULL,
        "role" varchar(32) NOT NULL,
        "email" varchar(320) NOT NULL,
        "state" varchar(16) NOT NULL,
        "tokenHash" varchar(64),
        "tokenExpiresAt" ${ts} NOT NULL,
        "requestedAt" ${ts} NOT NULL,
        "verifiedAt" ${ts},
        PRIMARY KEY ("accountId", "role"),
        CONSTRAINT "CHK_contact_verifications_state" CHECK ("state" IN ('PENDING', 'VERIFIED')),
        CONSTRAINT "FK_contact_verifications_role" FOREIGN KEY ("accountId", "role")
          REFERENCES "role_contacts" ("accountId", "role") ON DELETE CASCADE
      )`,
      `CREATE UNIQUE INDEX "IDX_contact_verifications_token" ON "contact_verifications" ("tokenHash")`,
      `CREATE TABLE "outbox_messages" (
        "id" ${serial},
        "accountId" varchar(36) NOT NULL,
        "kind" varchar(16) NOT NULL,
        "category" varchar(32),
        "email" varchar(320) NOT NULL,
        "subject" varchar(300) NOT NULL,
        "body" text NOT NULL,
        "state" varchar(16) NOT NULL,
        "attempts" integer NOT NULL DEFAULT 0,
        "lastError" varchar(1000),
        "createdAt" ${ts} NOT NULL,
        "nextAttemptAt" ${ts} NOT NULL,
        "sentAt" ${ts},
        "requestedById" varchar(36),
        CONSTRAINT "CHK_outbox_messages_state" CHECK ("state" IN ('PENDING', 'SENT', 'FAILED')),
        CONSTRAINT "CHK_outbox_messages_kind" CHECK ("kind" IN ('VERIFICATION', 'TEST')),
        CONSTRAINT "FK_outbox_messages_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
        CONSTRAINT "FK_outbox_messages_requested_by" FOREIGN KEY ("requestedById") REFERENCES "users" ("id") ON DELETE SET NULL
      )`,
      `CREATE INDEX "IDX_outbox_messages_account_id" ON "outbox_messages" ("accountId", "id")`,
      `CREATE INDEX "IDX_outbox_messages_due" ON "outbox_messages" ("state", "nextAttemptAt")`,
      `CREATE TABLE "delivery_status" (
        "accountId" varchar(36) NOT NULL,
        "email" varchar(320) NOT NULL,
        "state" varchar(16) NOT NULL,
        "at" ${ts} NOT NULL,
        "lastError" varchar(1000),
        PRIMARY KEY ("accountId", "email"),
        CONSTRAINT "CHK_delivery_status_state" CHECK ("state" IN ('SENT', 'FAILED')),
        CONSTRAINT "FK_delivery_status_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE
      )`,
    ];
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ["delivery_status", "outbox_messages", "contact_verifications"]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
  }
}
