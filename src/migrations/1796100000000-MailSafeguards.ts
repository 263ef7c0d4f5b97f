import type { MigrationInterface, QueryRunner } from "typeorm";
import { commitStep } from "./support/steps";

const STATES_BEFORE = `'PENDING', 'SENT', 'FAILED'`;
const STATES_AFTER = `'PENDING', 'SENT', 'FAILED', 'SKIPPED'`;

/** A skipped message says why, and only a skipped one. */
const SKIP_REASON_CHECK = `CONSTRAINT "CHK_outbox_messages_skip_reason" CHECK (
  ("state" = 'SKIPPED' AND "skipReason" IS NOT NULL AND "skipReason" IN ('NEVER_SIGNED_IN', 'ADDRESS_NOT_VERIFIED')) OR ("state" <> 'SKIPPED' AND "skipReason" IS NULL)
)`;

/** What a sent verification message written before this migration keeps instead of its text, which may hold its token. */
const SCRUBBED_BODY = "(The text of this verification message is not kept: it carried a token.)";

/**
 * Outbox rows for recipients whose address is not confirmed (state SKIPPED, with why), the nonce a
 * verification token is derived from at send time (so no body holds a token), and the indexes the
 * per-account and per-address caps count from. Verification messages already sent lose their text:
 * before this, a crafted account name could keep the token in it.
 */
export class MailSafeguards1796100000000 implements MigrationInterface {
  name = "MailSafeguards1796100000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === "postgres") {
      await queryRunner.query(`ALTER TABLE "outbox_messages" ADD IF NOT EXISTS "skipReason" varchar(32)`);
      await queryRunner.query(`ALTER TABLE "outbox_messages" ADD IF NOT EXISTS "tokenNonce" varchar(64)`);
      await queryRunner.query(`ALTER TABLE "outbox_messages" DROP CONSTRAINT IF EXISTS "CHK_outbox_messages_state"`);
      await queryRunner.query(
        `ALTER TABLE "outbox_messages" ADD CONSTRAINT "CHK_outbox_messages_state" CHECK ("state" IN (${STATES_AFTER}))`,
      );
      await queryRunner.query(`ALTER TABLE "outbox_messages" DROP CONSTRAINT IF EXISTS "CHK_outbox_messages_skip_reason"`);
      await queryRunner.query(`ALTER TABLE "outbox_messages" ADD ${SKIP_REASON_CHECK}`);
      await commitStep(queryRunner);
    } else {
      await rebuildSqliteOutbox(queryRunner, STATES_AFTER, true);
    }
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_outbox_messages_account_created" ON "outbox_messages" ("accountId", "createdAt")`,
    );
    await queryRunner.query(`CREATE INDEX IF NOT EXISTS "IDX_outbox_messages_email_created" ON "outbox_messages" ("email", "createdAt")`);
    const parameter = queryRunner.connection.options.type === "postgres" ? "$1" : "?";
    await queryRunner.query(`UPDATE "outbox_messages" SET "body" = ${parameter} WHERE "kind" = 'VERIFICATION' AND "state" <> 'PENDING'`, [
      SCRUBBED_BODY,
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "outbox_messages" WHERE "state" = 'SKIPPED'`);
    await queryRunner.query(`DROP INDEX "IDX_outbox_messages_email_created"`);
    await queryRunner.query(`DROP INDEX "IDX_outbox_messages_account_created"`);
    if (queryRunner.connection.options.type === "postgres") {
      await queryRunner.query(`ALTER TABLE "outbox_messages" DROP CONSTRAINT "CHK_outbox_messages_skip_reason"`);
      await queryRunner.query(`ALTER TABLE "outbox_messages" DROP CONSTRAINT "CHK_outbox_messages_state"`);
      await queryRunner.query(
        `ALTER TABLE "outbox_messages" ADD CONSTRAINT "CHK_outbox_messages_state" CHECK ("state" IN (${STATES_BEFORE}))`,
      );
      await queryRunner.query(`ALTER TABLE "outbox_messages" DROP COLUMN "tokenNonce"`);
      await queryRunner.query(`ALTER TABLE "outbox_messages" DROP COLUMN "skipReason"`);
    } else {
      await rebuildSqliteOutbox(queryRunner, STATES_BEFORE, false);
    }
  }
}

/**
 * SQLite cannot change a CHECK constraint: the table is copied into a new one with the new
 * definition, ids and the AUTOINCREMENT counter included, and its indexes are made again.
 */
async function rebuildSqliteOutbox(queryRunner: QueryRunner, states: string, withNewColumns: boolean): Promise<void> {
  const copied = `"id", "accountId", "kind", "category", "email", "subject", "body", "state", "attempts", "lastError", "createdAt", "nextAttemptAt", "sentAt", "requestedById"`;
  const newColumns = withNewColumns ? `, "skipReason" varchar(32), "tokenNonce" varchar(64),\n    ${SKIP_REASON_CHECK}` : "";
  await queryRunner.query(`CREATE TABLE "outbox_messages_rebuilt" (
    "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
    "accountId" varchar(36) NOT NULL,
    "kind" varchar(16) NOT NULL,
    "category" varchar(32),
    "email" varchar(320) NOT NULL,
    "subject" varchar(300) NOT NULL,
    "body" text NOT NULL,
    "state" varchar(16) NOT NULL,
    "attempts" integer NOT NULL DEFAULT 0,
    "lastError" varchar(1000),
    "createdAt" datetime NOT NULL,
    "nextAttemptAt" datetime NOT NULL,
    "sentAt" datetime,
    "requestedById" varchar(36)${newColumns},
    CONSTRAINT "CHK_outbox_messages_state" CHECK ("state" IN (${states})),
    CONSTRAINT "CHK_outbox_messages_kind" CHECK ("kind" IN ('VERIFICATION', 'TEST')),
    CONSTRAINT "FK_outbox_messages_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
    CONSTRAINT "FK_outbox_messages_requested_by" FOREIGN KEY ("requestedById") REFERENCES "users" ("id") ON DELETE SET NULL
  )`);
  await queryRunner.query(`INSERT INTO "outbox_messages_rebuilt" (${copied}) SELECT ${copied} FROM "outbox_messages"`);
  // Ids are never reused, even those of messages deleted with their account.
  await queryRunner.query(
    `UPDATE "sqlite_sequence" SET "seq" = (SELECT MAX("seq") FROM "sqlite_sequence" WHERE "name" IN ('outbox_messages', 'outbox_messages_rebuilt'))
     WHERE "name" = 'outbox_messages_rebuilt'`,
  );
  await queryRunner.query(
    `INSERT INTO "sqlite_sequence" ("name", "seq") SELECT 'outbox_messages_rebuilt', "seq" FROM "sqlite_sequence"
     WHERE "name" = 'outbox_messages' AND NOT EXISTS (SELECT 1 FROM "sqlite_sequence" WHERE "name" = 'outbox_messages_rebuilt')`,
  );
  await queryRunner.query(`DROP TABLE "outbox_messages"`);
  await queryRunner.query(`ALTER TABLE "outbox_messages_rebuilt" RENAME TO "outbox_messages"`);
  await queryRunner.query(`CREATE INDEX "IDX_outbox_messages_account_id" ON "outbox_messages" ("accountId", "id")`);
  await queryRunner.query(`CREATE INDEX "IDX_outbox_messages_due" ON "outbox_messages" ("state", "nextAttemptAt")`);
}
