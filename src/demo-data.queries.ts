import type { EntityManager } from "typeorm";
import { changeRows, sql, type StatementReader } from "./common/sql";

/** Records that the demo data is in; called inside the transaction that writes the last of it. */
export async function markDemoDataLoaded(manager: EntityManager): Promise<void> {
  await changeRows(manager, sql`INSERT INTO "demo_data" ("id") VALUES (1)`);
}

/** Whether the demo data's marker is there. */
export async function demoDataMarked(reader: StatementReader): Promise<boolean> {
  const rows = await reader.select(sql`SELECT 1 AS "loaded" FROM "demo_data"`);
  return rows.length > 0;
}
