import type { Database } from "../database";
import { ContactChange } from "./contact-change.entity";
import { User } from "../users/user.entity";
import { decodeCursor, type Page } from "../common/pagination";
import { entityColumns } from "../common/sql-rows";
import { loadAccountPages } from "../common/account-pages";

export interface ContactChangePageRequest {
  accountIds: string[];
  first: number;
  after?: string | null;
}

/** A history row with the user who made the change, read in the same statement. */
export type ContactChangeWithActor = ContactChange & { actor: User };

/** One page of contact history (newest first, each change with its actor) for each of several accounts. */
export function loadContactChangePages(db: Database, request: ContactChangePageRequest): Promise<Page<ContactChangeWithActor>[]> {
  const before = request.after ? Number(decodeCursor(request.after, ["number"])[0]) : null;
  const changes = entityColumns(db.dataSource, ContactChange, "c");
  const actors = entityColumns(db.dataSource, User, "actor");
  return loadAccountPages(db, request.accountIds, request.first, {
    table: "contact_changes",
    alias: "c",
    select: `${changes.select}, ${actors.select}`,
    join: `INNER JOIN "users" "actor" ON "actor"."id" = "c"."actorId"`,
    orderBy: ['"id" DESC'],
    after: before !== null ? (prefix) => `${prefix}"id" < ?` : null,
    afterValues: before !== null ? [before] : [],
    hydrate: (row) => Object.assign(changes.from(row)!, { actor: actors.from(row)! }),
    compare: (a, b) => b.sequence - a.sequence,
    cursorOf: (row) => [row.sequence],
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
