import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * When a user first signed in. A user record also appears when an admin adds someone by email; such a
 * user has never proven they own the address, so nothing optional is mailed to them until they sign in.
 * Users who already acted in an account (its history names them) must have signed in: they count as such.
 */
export class SignedInUsers1796000000000 implements MigrationInterface {
  name = "SignedInUsers1796000000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    await queryRunner.query(`ALTER TABLE "users" ADD "signedInAt" ${ts}`);
    await queryRunner.query(`UPDATE "users" SET "signedInAt" = "createdAt" WHERE "id" IN (SELECT "actorId" FROM "contact_changes")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "signedInAt"`);
  }
}
