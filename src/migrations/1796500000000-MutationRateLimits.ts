import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Each caller's mutation count for the current window, shared by every process on one PostgreSQL
 * database (rate-limiter-flexible's table layout; see src/security/rate-limit.ts). UNLOGGED: the
 * counts are worth no WAL, and losing them in a crash or a failover only starts every window afresh.
 * SQLite counts in the process's memory and needs no table.
 */
export class MutationRateLimits1796500000000 implements MigrationInterface {
  name = "MutationRateLimits1796500000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== "postgres") return;
    await queryRunner.query(
      `CREATE UNLOGGED TABLE "mutation_rate_limits" ("key" varchar(255) PRIMARY KEY, "points" integer NOT NULL DEFAULT 0, "expire" bigint)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== "postgres") return;
    await queryRunner.query(`DROP TABLE "mutation_rate_limits"`);
  }
}
