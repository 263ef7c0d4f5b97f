import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A table that is always empty: `/healthz` writes a row into it and removes it in the same transaction
 * to find out whether the database can store changes again after a write failed (see Database.writerHealth).
 */
export class WriterProbe1796400000000 implements MigrationInterface {
  name = "WriterProbe1796400000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    await queryRunner.query(
      postgres
        ? `CREATE TABLE "writer_probe" ("id" SERIAL PRIMARY KEY, "payload" bytea NOT NULL)`
        : `CREATE TABLE "writer_probe" ("id" integer PRIMARY KEY, "payload" blob NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "writer_probe"`);
  }
}
