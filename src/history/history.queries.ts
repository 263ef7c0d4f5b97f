import type { Database } from "../database";
import { ContactChange } from "./contact-change.entity";
import { User } from "../users/user.entity";
import { readAccountPages, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import { entityColumns } from "../common/sql-rows";

/** A history row with the user who made the change, read in the same statement. */
export type ContactChangeWithActor = ContactChange & { actor: User };

/** History newest first: by id, which grows with every change. */
const HISTORY_ORDER: Keyset<ContactChangeWithActor> = {
  order: [{ column: "id", descending: true, kind: "number" }],
  keyOf: (change) => [change.sequence],
};

/** How many history rows a page holds unless the client says. */
export const HISTORY_PAGE = 20;

/** One page of contact history (newest first, each change with its actor) for each of several accounts. */
export function loadContactChangePages(db: Database, accountIds: string[], args: ConnectionArgs): Promise<Page<ContactChangeWithActor>[]> {
  const changes = entityColumns(db.dataSource, ContactChange, "c");
  const actors = entityColumns(db.dataSource, User, "actor");
  return readAccountPages(
    db,
    accountIds,
    {
      table: "contact_changes",
      alias: "c",
      select: `${changes.select}, ${actors.select}`,
      join: `INNER JOIN "users" "actor" ON "actor"."id" = "c"."actorId"`,
      hydrate: (row) => Object.assign(changes.from(row)!, { actor: actors.from(row)! }),
    },
    HISTORY_ORDER,
    args,
    HISTORY_PAGE,
  );
}
