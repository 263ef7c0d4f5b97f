import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * History rows learn the account version they produced (`version`), an actor who is not a user
 * (`actorEmail`: the outside address that confirmed or declined itself), and the members a row is
 * about (`previousUserId`, `newUserId`). Rows written before keep `version` null: which change of an
 * account bumped which version was never recorded, and a guess would mislead a client merging edits.
 * A DECLINED row becomes the act of the address that declined. A row about a member-only slot links
 * the user with its address; rows of the security contact, which an outside address may hold, do not.
 */
export class HistoryVersionsAndActors1796980000000 implements MigrationInterface {
  name = "HistoryVersionsAndActors1796980000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contact_changes" ADD COLUMN "version" integer`);
    await queryRunner.query(`ALTER TABLE "contact_changes" ADD COLUMN "actorEmail" varchar(320)`);
    await queryRunner.query(`ALTER TABLE "contact_changes" ADD COLUMN "previousUserId" varchar(36)`);
    await queryRunner.query(`ALTER TABLE "contact_changes" ADD COLUMN "newUserId" varchar(36)`);
    await queryRunner.query(`UPDATE "contact_changes" SET "actorEmail" = "previousEmail" WHERE "action" = 'DECLINED'`);
    for (const side of ["previous", "new"]) {
      await queryRunner.query(
        `UPDATE "contact_changes" SET "${side}UserId" = (SELECT "u"."id" FROM "users" "u" WHERE "u"."email" = "contact_changes"."${side}Email")
         WHERE "slot" <> 'SECURITY' AND "${side}Email" IS NOT NULL`,
      );
    }
    await queryRunner.query(`CREATE INDEX "IDX_contact_changes_account_version" ON "contact_changes" ("accountId", "version")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // Confirmations wrote no history before: their rows go, so the older code meets no VERIFIED action.
    await queryRunner.query(`DELETE FROM "contact_changes" WHERE "action" = 'VERIFIED'`);
    await queryRunner.query(`DROP INDEX "IDX_contact_changes_account_version"`);
    for (const column of ["newUserId", "previousUserId", "actorEmail", "version"]) {
      await queryRunner.query(`ALTER TABLE "contact_changes" DROP COLUMN "${column}"`);
    }
  }
}
