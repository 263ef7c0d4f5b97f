import type { MigrationInterface, QueryRunner } from "typeorm";

/** A language tag (BCP 47) on every contact slot, and before and after on every history row. `down` drops them. */
export class ContactLanguages1797400000002 implements MigrationInterface {
  name = "ContactLanguages1797400000002";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "contact_slots" ADD "languageTag" varchar(35)`);
    for (const column of ["previousLanguageTag", "newLanguageTag"])
      await queryRunner.query(`ALTER TABLE "contact_changes" ADD "${column}" varchar(35)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const column of ["previousLanguageTag", "newLanguageTag"])
      await queryRunner.query(`ALTER TABLE "contact_changes" DROP COLUMN "${column}"`);
    await queryRunner.query(`ALTER TABLE "contact_slots" DROP COLUMN "languageTag"`);
  }
}
