import type { Database } from "../database";
import { toPage, type CursorKey, type Page } from "./pagination";
import { placeholders, selectRows } from "./sql-rows";
import { groupBy } from "./group-by";

/** How to read one kind of per-account list (members, history) a page at a time. */
export interface AccountListQuery<TRow extends { accountId: string }> {
  /** The list's table, and the alias the other parts use for it. */
  table: string;
  alias: string;
  /** The selected columns and any join that completes a row (e.g. its user). */
  select: string;
  join: string;
  /** The list's order as columns of `table`, each with its direction, e.g. `"id" DESC`. */
  orderBy: string[];
  /** The condition that starts the page after the cursor (`prefix` qualifies the columns), or null. */
  after: ((prefix: string) => string) | null;
  afterValues: unknown[];
  hydrate(row: Record<string, unknown>): TRow;
  /** The same order as `orderBy`, on hydrated rows. */
  compare(a: TRow, b: TRow): number;
  cursorOf(row: TRow): CursorKey;
}

/**
 * One page of a list for each of several accounts, in two statements whatever their number: the
 * pages, and the counts. Several accounts share one statement by ranking each account's rows in a
 * window; one account reads its page with a plain LIMIT, which stops early however long its list is.
 */
export async function loadAccountPages<TRow extends { accountId: string }>(
  db: Database,
  accountIds: string[],
  first: number,
  query: AccountListQuery<TRow>,
): Promise<Page<TRow>[]> {
  const { table, alias, select, join } = query;
  const after = (prefix: string) => (query.after ? ` AND ${query.after(prefix)}` : "");
  const [pageSql, pageValues] =
    accountIds.length === 1
      ? [
          `SELECT ${select} FROM "${table}" "${alias}" ${join}
           WHERE "${alias}"."accountId" = ?${after(`"${alias}".`)}
           ORDER BY ${query.orderBy.map((column) => `"${alias}".${column}`).join(", ")} LIMIT ?`,
          [accountIds[0], ...query.afterValues, first + 1],
        ]
      : [
          `SELECT ${select} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY "accountId" ORDER BY ${query.orderBy.join(", ")}) AS "rank"
             FROM "${table}" WHERE "accountId" IN (${placeholders(accountIds)})${after("")}) "${alias}"
           ${join} WHERE "${alias}"."rank" <= ?`,
          [...accountIds, ...query.afterValues, first + 1],
        ];
  return db.read(async (manager) => {
    const [pageRows, counts] = await Promise.all([
      selectRows(manager, pageSql, pageValues),
      selectRows(
        manager,
        `SELECT "accountId", COUNT(*) AS "total" FROM "${table}" WHERE "accountId" IN (${placeholders(accountIds)}) GROUP BY "accountId"`,
        accountIds,
      ),
    ]);
    const totals = new Map(counts.map((row) => [row.accountId as string, Number(row.total)]));
    const byAccount = groupBy(pageRows.map((row) => query.hydrate(row)), (row) => row.accountId);
    return accountIds.map((accountId) =>
      toPage((byAccount.get(accountId) ?? []).sort(query.compare), first, totals.get(accountId) ?? 0, query.cursorOf, (row) => row),
    );
  });
}
