import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A one-row table the demo seed fills in the same transaction as the last of the demo data. Only a
 * database with this row holds data the server loaded as a demo, for which handing out the demo
 * admin's token is harmless. Databases seeded before it existed have no row: they are not trusted.
 */
export class DemoDataMarker1796300000000 implements MigrationInterface {
  name = "DemoDataMarker1796300000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    await queryRunner.query(
      `CREATE TABLE "demo_data" ("id" integer PRIMARY KEY CHECK ("id" = 1), "loadedAt" ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "demo_data"`);
  }
}
