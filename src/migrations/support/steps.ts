import type { QueryRunner } from "typeorm";

/**
 * Ends one step of a migration on PostgreSQL: commits it and opens the next step's transaction, so the
 * exclusive lock a schema change takes is let go before a long data change, during which PostgreSQL's
 * readers are not held up. The last step commits with the migration's record. Steps before this must be
 * safe to run again (IF NOT EXISTS, WHERE … IS NULL): a failure later leaves them done. On SQLite, whose
 * readers never wait for a writer, the migration stays one transaction.
 */
export async function commitStep(queryRunner: QueryRunner): Promise<void> {
  if (queryRunner.connection.options.type !== "postgres" || !queryRunner.isTransactionActive) return;
  await queryRunner.commitTransaction();
  await queryRunner.startTransaction();
}
