import type { MigrationInterface, QueryRunner } from "typeorm";
import { commitStep } from "./support/steps";

/**
 * The mailbox a message reaches (`v.ictim+1@googlemail.com` → `victim@gmail.com`), which the daily
 * cap on confirmation requests per address counts by. Rows queued before this migration keep their
 * exact address as their mailbox: they leave the cap's one-day window soon after the upgrade.
 */
export class VerificationMailboxes1796800000000 implements MigrationInterface {
  name = "VerificationMailboxes1796800000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const ifMissing = queryRunner.connection.options.type === "postgres" ? "IF NOT EXISTS " : "";
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD COLUMN ${ifMissing}"mailbox" varchar(320)`);
    await commitStep(queryRunner);
    await queryRunner.query(`UPDATE "outbox_messages" SET "mailbox" = "email" WHERE "mailbox" IS NULL`);
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "IDX_outbox_messages_mailbox_created" ON "outbox_messages" ("mailbox", "createdAt")`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_outbox_messages_mailbox_created"`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" DROP COLUMN "mailbox"`);
  }
}
