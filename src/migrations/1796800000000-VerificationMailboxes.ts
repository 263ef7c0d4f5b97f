import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The mailbox a message reaches (`v.ictim+1@googlemail.com` → `victim@gmail.com`), which the daily
 * cap on confirmation requests per address counts by. Rows queued before this migration keep their
 * exact address as their mailbox: they leave the cap's one-day window soon after the upgrade.
 */
export class VerificationMailboxes1796800000000 implements MigrationInterface {
  name = "VerificationMailboxes1796800000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "outbox_messages" ADD COLUMN "mailbox" varchar(320)`);
    await queryRunner.query(`UPDATE "outbox_messages" SET "mailbox" = "email"`);
    await queryRunner.query(`CREATE INDEX "IDX_outbox_messages_mailbox_created" ON "outbox_messages" ("mailbox", "createdAt")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_outbox_messages_mailbox_created"`);
    await queryRunner.query(`ALTER TABLE "outbox_messages" DROP COLUMN "mailbox"`);
  }
}
