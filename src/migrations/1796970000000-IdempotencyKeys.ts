import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The `Idempotency-Key`s of mutations that changed something, per caller, with the answer first given
 * (src/idempotency). A key's row is written in the transaction of the first change it made, so a
 * committed change always has its row. `createdAt` is milliseconds since the epoch.
 */
export class IdempotencyKeys1796970000000 implements MigrationInterface {
  name = "IdempotencyKeys1796970000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "idempotency_keys" ("caller" varchar(300) NOT NULL, "key" varchar(255) NOT NULL, "fingerprint" varchar(64) NOT NULL, ` +
        `"createdAt" bigint NOT NULL, "status" integer, "response" text, PRIMARY KEY ("caller", "key"))`,
    );
    await queryRunner.query(`CREATE INDEX "idempotency_keys_created" ON "idempotency_keys" ("createdAt")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "idempotency_keys"`);
  }
}
