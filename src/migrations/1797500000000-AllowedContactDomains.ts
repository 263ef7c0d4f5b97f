import type { MigrationInterface, QueryRunner } from "typeorm";
import { replaceChecks } from "./support/constrained-table";

/**
 * Each account's allow-list of domains for outside contact addresses, one row per domain in its
 * stored form (lower case, ASCII). Changes to the list are account settings
 * (ALLOWED_CONTACT_DOMAINS), whose values, a whole list, need more than 200 characters.
 */
export class AllowedContactDomains1797500000000 implements MigrationInterface {
  name = "AllowedContactDomains1797500000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    await queryRunner.query(`CREATE TABLE "account_contact_domains" (
      "accountId" varchar(36) NOT NULL,
      "domain" varchar(253) NOT NULL,
      CONSTRAINT "PK_account_contact_domains" PRIMARY KEY ("accountId", "domain"),
      CONSTRAINT "CHK_account_contact_domains_domain" CHECK ("domain" <> '' AND "domain" = lower("domain") AND "domain" NOT LIKE '%@%'),
      CONSTRAINT "FK_account_contact_domains_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE
    )`);
    await replaceChecks(queryRunner, "account_setting_changes", {
      CHK_account_setting_changes_setting: `"setting" IN ('LOCALE', 'ALLOWED_CONTACT_DOMAINS')`,
    });
    // SQLite does not enforce a varchar's length; PostgreSQL does.
    if (postgres) {
      await queryRunner.query(
        `ALTER TABLE "account_setting_changes" ALTER COLUMN "previousValue" TYPE text, ALTER COLUMN "newValue" TYPE text`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    await queryRunner.query(`DELETE FROM "account_setting_changes" WHERE "setting" = 'ALLOWED_CONTACT_DOMAINS'`);
    if (postgres) {
      await queryRunner.query(
        `ALTER TABLE "account_setting_changes" ALTER COLUMN "previousValue" TYPE varchar(200), ALTER COLUMN "newValue" TYPE varchar(200)`,
      );
    }
    await replaceChecks(queryRunner, "account_setting_changes", { CHK_account_setting_changes_setting: `"setting" IN ('LOCALE')` });
    await queryRunner.query(`DROP TABLE "account_contact_domains"`);
  }
}
