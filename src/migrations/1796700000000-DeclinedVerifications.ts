import type { MigrationInterface, QueryRunner } from "typeorm";
import { replaceChecks } from "./support/constrained-table";

/**
 * The owner of an outside address may answer "This is not me": `contact_verifications.state` gains
 * DECLINED, and `declinedAt` says when. Reverting turns a DECLINED verification back into an
 * unconfirmed PENDING one without a token, so nothing is sent to the address until an admin resends,
 * and files each DECLINED history entry as a SET of the same address, an action older releases know.
 */
export class DeclinedVerifications1796700000000 implements MigrationInterface {
  name = "DeclinedVerifications1796700000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const ts = queryRunner.connection.options.type === "postgres" ? "timestamp without time zone" : "datetime";
    await queryRunner.query(`ALTER TABLE "contact_verifications" ADD "declinedAt" ${ts}`);
    await replaceChecks(queryRunner, "contact_verifications", {
      CHK_contact_verifications_state: `"state" IN ('PENDING', 'VERIFIED', 'DECLINED')`,
    });
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE "contact_verifications" SET "state" = 'PENDING', "tokenHash" = NULL WHERE "state" = 'DECLINED'`);
    await queryRunner.query(`UPDATE "contact_changes" SET "action" = 'SET' WHERE "action" = 'DECLINED'`);
    await replaceChecks(queryRunner, "contact_verifications", { CHK_contact_verifications_state: `"state" IN ('PENDING', 'VERIFIED')` });
    await queryRunner.query(`ALTER TABLE "contact_verifications" DROP COLUMN "declinedAt"`);
  }
}
