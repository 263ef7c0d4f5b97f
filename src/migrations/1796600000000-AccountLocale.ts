import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Each account's language (`en` or `pl`), which its mail is written in; accounts that exist get
 * English, the only language mail was written in before. Changes to it, and to any account setting
 * after it, are kept in `account_setting_changes`, beside the contact history.
 */
export class AccountLocale1796600000000 implements MigrationInterface {
  name = "AccountLocale1796600000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    const serial = postgres ? "SERIAL PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT NOT NULL";
    await queryRunner.query(
      `ALTER TABLE "accounts" ADD COLUMN "locale" varchar(2) NOT NULL DEFAULT 'en' CONSTRAINT "CHK_accounts_locale" CHECK ("locale" IN ('en', 'pl'))`,
    );
    await queryRunner.query(`CREATE TABLE "account_setting_changes" (
      "id" ${serial},
      "accountId" varchar(36) NOT NULL,
      "at" ${ts} NOT NULL,
      "actorId" varchar(36) NOT NULL,
      "setting" varchar(32) NOT NULL,
      "previousValue" varchar(200),
      "newValue" varchar(200),
      CONSTRAINT "CHK_account_setting_changes_setting" CHECK ("setting" IN ('LOCALE')),
      CONSTRAINT "FK_account_setting_changes_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
      CONSTRAINT "FK_account_setting_changes_actor" FOREIGN KEY ("actorId") REFERENCES "users" ("id")
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_account_setting_changes_account_id" ON "account_setting_changes" ("accountId", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "account_setting_changes"`);
    await queryRunner.query(`ALTER TABLE "accounts" DROP COLUMN "locale"`);
  }
}
