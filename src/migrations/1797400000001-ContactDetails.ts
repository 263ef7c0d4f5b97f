import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A phone number (E.164) and a title on every contact slot, and both, before and after, on every
 * history row. `down` drops them, with the history rows of phone and title changes (DETAILS), which
 * earlier releases cannot read.
 */
export class ContactDetails1797400000001 implements MigrationInterface {
  name = "ContactDetails1797400000001";

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const column of [`"phone" varchar(16)`, `"title" varchar(100)`])
      await queryRunner.query(`ALTER TABLE "contact_slots" ADD ${column}`);
    for (const column of [
      `"previousPhone" varchar(16)`,
      `"newPhone" varchar(16)`,
      `"previousTitle" varchar(100)`,
      `"newTitle" varchar(100)`,
    ]) {
      await queryRunner.query(`ALTER TABLE "contact_changes" ADD ${column}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "contact_changes" WHERE "action" = 'DETAILS'`);
    for (const column of ["previousPhone", "newPhone", "previousTitle", "newTitle"])
      await queryRunner.query(`ALTER TABLE "contact_changes" DROP COLUMN "${column}"`);
    for (const column of ["phone", "title"]) await queryRunner.query(`ALTER TABLE "contact_slots" DROP COLUMN "${column}"`);
  }
}
