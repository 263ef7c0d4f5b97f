import type { EntityManager } from "typeorm";
import { changeRows, selectRows, sql, type StatementReader } from "../common/sql";

/* The statements of src/idempotency: one row per caller and Idempotency-Key (migration IdempotencyKeys). */

/** A key as stored: what request it was for, when, and the answer once there is one. */
export interface StoredKey {
  fingerprint: string;
  createdAt: number;
  status: number | null;
  response: string | null;
}

/**
 * Writes a key's row in the open transaction, taking over one older than `expiredBefore`; false when
 * a live row holds the key. On PostgreSQL it waits for a concurrent transaction writing the same key.
 */
export async function insertKeyRow(
  manager: EntityManager,
  caller: string,
  key: string,
  fingerprint: string,
  now: number,
  expiredBefore: number,
): Promise<boolean> {
  const rows = await selectRows(
    manager,
    sql`INSERT INTO "idempotency_keys" ("caller", "key", "fingerprint", "createdAt") VALUES (${caller}, ${key}, ${fingerprint}, ${now})
        ON CONFLICT ("caller", "key") DO UPDATE SET "fingerprint" = excluded."fingerprint", "createdAt" = excluded."createdAt", "status" = NULL, "response" = NULL
        WHERE "idempotency_keys"."createdAt" < ${expiredBefore} RETURNING "key"`,
  );
  return rows.length > 0;
}

/** The live row of a key, if any. */
export async function keyRow(db: StatementReader, caller: string, key: string, since: number): Promise<StoredKey | null> {
  const [row] = await selectRows(
    db,
    sql`SELECT "fingerprint", "createdAt", "status", "response" FROM "idempotency_keys" WHERE "caller" = ${caller} AND "key" = ${key} AND "createdAt" >= ${since}`,
  );
  if (!row) return null;
  return {
    fingerprint: String(row.fingerprint),
    createdAt: Number(row.createdAt),
    status: row.status == null ? null : Number(row.status),
    response: (row.response as string | null) ?? null,
  };
}

/** Stores the answer a key's request gave, and deletes keys older than `expiredBefore`: on PostgreSQL in one statement. */
export async function storeAnswerRow(
  manager: EntityManager,
  caller: string,
  key: string,
  status: number,
  response: string,
  expiredBefore: number,
): Promise<void> {
  const store = sql`UPDATE "idempotency_keys" SET "status" = ${status}, "response" = ${response} WHERE "caller" = ${caller} AND "key" = ${key}`;
  const expire = sql`DELETE FROM "idempotency_keys" WHERE "createdAt" < ${expiredBefore}`;
  // The key's own row is younger than `expiredBefore`: the two never touch the same row.
  if (manager.connection.options.type === "postgres") return changeRows(manager, sql`WITH "expired" AS (${expire}) ${store}`);
  await changeRows(manager, store);
  await changeRows(manager, expire);
}
