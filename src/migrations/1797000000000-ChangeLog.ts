import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The change log: `account_events`, one row per committed change of an account, and on each history
 * table the event its row belongs to. Rows written before this belong to no event; a subscriber or a
 * webhook endpoint starts from the events written after it.
 */
export class ChangeLog1797000000000 implements MigrationInterface {
  name = "ChangeLog1797000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    const serial = postgres ? "SERIAL PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT NOT NULL";
    await queryRunner.query(`CREATE TABLE "account_events" (
      "id" ${serial},
      "accountId" varchar(36) NOT NULL,
      "sequence" integer NOT NULL,
      "contactsVersion" integer NOT NULL,
      "kinds" varchar(200) NOT NULL,
      "actorId" varchar(36),
      "actorEmail" varchar(320),
      "at" ${ts} NOT NULL,
      CONSTRAINT "FK_account_events_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_account_events_account_sequence" ON "account_events" ("accountId", "sequence")`);
    for (const [table, index] of HISTORY_TABLES) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD COLUMN "eventSequence" integer`);
      await queryRunner.query(`CREATE INDEX "${index}" ON "${table}" ("accountId", "eventSequence")`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, index] of HISTORY_TABLES) {
      await queryRunner.query(`DROP INDEX "${index}"`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "eventSequence"`);
    }
    await queryRunner.query(`DROP TABLE "account_events"`);
  }
}

const HISTORY_TABLES = [
  ["contact_changes", "IDX_contact_changes_account_event"],
  ["member_changes", "IDX_member_changes_account_event"],
  ["account_setting_changes", "IDX_account_setting_changes_account_event"],
] as const;
