import type { Database } from "../database";
import { ContactChange } from "./contact-change.entity";
import { User } from "../users/user.entity";
import { decodeCursor, toPage, type Page } from "../common/pagination";
import { entityColumns, placeholders, selectRows } from "../common/sql-rows";
import { groupBy } from "../common/group-by";

export interface ContactChangePageRequest {
  accountIds: string[];
  first: number;
  after?: string | null;
}

/** A history row with the user who made the change, read in the same statement. */
export type ContactChangeWithActor = ContactChange & { actor: User };

/**
 * One page of contact history (newest first, with each change's actor) for each of several
 * accounts, in two statements whatever their number: the pages, and the counts. Several accounts
 * share one statement by ranking each account's changes in a window; one account reads its page
 * with a plain LIMIT, which stops early however long its history is.
 */
export async function loadContactChangePages(db: Database, request: ContactChangePageRequest): Promise<Page<ContactChangeWithActor>[]> {
  const { accountIds, first } = request;
  const before = request.after ? Number(decodeCursor(request.after, ["number"])[0]) : null;
  const beforeCursor = (alias: string) => (before !== null ? ` AND ${alias}"id" < ?` : "");
  const cursorValues = before !== null ? [before] : [];
  const changes = entityColumns(db.dataSource, ContactChange, "c");
  const actors = entityColumns(db.dataSource, User, "actor");
  const select = `SELECT ${changes.select}, ${actors.select}`;
  const [pageSql, pageValues] =
    accountIds.length === 1
      ? [
          `${select} FROM "contact_changes" "c" INNER JOIN "users" "actor" ON "actor"."id" = "c"."actorId"
           WHERE "c"."accountId" = ?${beforeCursor('"c".')} ORDER BY "c"."id" DESC LIMIT ?`,
          [accountIds[0], ...cursorValues, first + 1],
        ]
      : [
          `${select} FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY "accountId" ORDER BY "id" DESC) AS "rank"
             FROM "contact_changes" WHERE "accountId" IN (${placeholders(accountIds)})${beforeCursor("")}) "c"
           INNER JOIN "users" "actor" ON "actor"."id" = "c"."actorId" WHERE "c"."rank" <= ?`,
          [...accountIds, ...cursorValues, first + 1],
        ];
  return db.read(async (manager) => {
    const [pageRows, counts] = await Promise.all([
      selectRows(manager, pageSql, pageValues),
      selectRows(
        manager,
        `SELECT "accountId", COUNT(*) AS "total" FROM "contact_changes" WHERE "accountId" IN (${placeholders(accountIds)}) GROUP BY "accountId"`,
        accountIds,
      ),
    ]);
    const rows = pageRows.map((row) => Object.assign(changes.from(row)!, { actor: actors.from(row)! }));
    const totals = new Map(counts.map((row) => [row.accountId as string, Number(row.total)]));
    const byAccount = groupBy(rows, (row) => row.accountId);
    return accountIds.map((accountId) =>
      toPage(
        (byAccount.get(accountId) ?? []).sort((a, b) => b.sequence - a.sequence),
        first,
        totals.get(accountId) ?? 0,
        (row) => [row.sequence],
        (row) => row,
      ),
    );
  });
}

/** An account's contact history, newest first. */
export async function listContactChanges(
  db: Database,
  accountId: string,
  first: number,
  after?: string | null,
): Promise<Page<ContactChange>> {
  const [page] = await loadContactChangePages(db, { accountIds: [accountId], first, after });
  return page!;
}
