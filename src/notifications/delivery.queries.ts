import { createHash } from "node:crypto";
import type { EntityManager } from "typeorm";
import { DeliveryKind, DeliveryState, NotificationDelivery } from "./notification-delivery.entity";
import { readAccountPages, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import {
  dateParameter,
  empty,
  entityColumns,
  hydratedValue,
  join,
  selectEntities,
  selectRows,
  sql,
  storedValue,
  type Sql,
  type SqlSource,
  type StatementReader,
} from "../common/sql";

/** The deliveries with these ids (those that exist). */
export function deliveriesByIds(source: SqlSource, ids: readonly number[]): Promise<NotificationDelivery[]> {
  return selectEntities(source, NotificationDelivery, "o", sql`"o"."id" IN (${join(ids)})`);
}

/** Deliveries newest first: by id, which grows with every message queued. */
const DELIVERY_ORDER: Keyset<NotificationDelivery> = {
  order: [{ column: "id", descending: true, kind: "number" }],
  keyOf: (delivery) => [delivery.sequence],
};

/** How many deliveries a page holds unless the client says. */
export const DELIVERIES_PAGE = 20;

/** One page of deliveries (newest first) for each of several accounts, in two statements whatever their number. */
export function loadDeliveryPages(
  reader: StatementReader,
  accountIds: string[],
  args: ConnectionArgs,
): Promise<Page<NotificationDelivery>[]> {
  const deliveries = entityColumns(reader, NotificationDelivery, "o");
  return readAccountPages(
    reader,
    accountIds,
    { table: "outbox_messages", alias: "o", select: deliveries.select, join: empty, hydrate: (row) => deliveries.of(row) },
    DELIVERY_ORDER,
    args,
    DELIVERIES_PAGE,
  );
}

/** The PENDING deliveries due by `now`, oldest first, at most `limit`. */
export function dueDeliveries(reader: StatementReader, now: Date, limit: number): Promise<NotificationDelivery[]> {
  return selectEntities(
    reader,
    NotificationDelivery,
    "o",
    sql`"o"."state" = ${DeliveryState.PENDING} AND "o"."nextAttemptAt" <= ${dateParameter(reader, now)} ORDER BY "o"."id" ASC LIMIT ${limit}`,
  );
}

/** The deliveries a mail cap counts: every message of one account, or the verification and invitation messages to one mailbox (see mailboxOf). */
export type CapScope = { accountId: string } | { verificationsTo: string };

/** The cap's messages queued after `since` and not skipped. */
function capped(manager: EntityManager, scope: CapScope, since: Date): Sql {
  const queuedAfter = storedValue(manager, NotificationDelivery, "createdAt", since);
  const owner =
    "accountId" in scope
      ? sql`"accountId" = ${scope.accountId}`
      : sql`"mailbox" = ${scope.verificationsTo} AND "kind" IN (${DeliveryKind.VERIFICATION}, ${DeliveryKind.INVITATION})`;
  return sql`${owner} AND "state" <> ${DeliveryState.SKIPPED} AND "createdAt" > ${queuedAfter}`;
}

/** How many messages the cap counts since `since`. */
export async function countCapped(manager: EntityManager, scope: CapScope, since: Date): Promise<number> {
  const [counted] = await selectRows(
    manager,
    sql`SELECT COUNT(*) AS "count" FROM "outbox_messages" WHERE ${capped(manager, scope, since)}`,
  );
  return Number(counted!.count);
}

/** When the cap's `index`-th message (0 the oldest) since `since` was queued. */
export async function cappedQueuedAt(manager: EntityManager, scope: CapScope, since: Date, index: number): Promise<Date> {
  const [row] = await selectRows(
    manager,
    sql`SELECT "createdAt" FROM "outbox_messages" WHERE ${capped(manager, scope, since)} ORDER BY "createdAt" ASC LIMIT 1 OFFSET ${index}`,
  );
  return hydratedValue(manager, NotificationDelivery, "createdAt", row!.createdAt) as Date;
}

/** Names this service's advisory locks on PostgreSQL (the two-key space, apart from the start-up lock). */
const ADDRESS_LOCK_SPACE = 0x6d61696c;

/** Different accounts may name one address at once: on PostgreSQL their counts of its mail take turns. */
export async function lockAddress(manager: EntityManager, email: string): Promise<void> {
  if (manager.connection.options.type !== "postgres") return;
  const key = createHash("sha256").update(email, "utf8").digest().readInt32BE(0);
  await selectRows(manager, sql`SELECT pg_advisory_xact_lock(${ADDRESS_LOCK_SPACE}, ${key})`);
}

/** How many deliveries are in each state, and when the oldest PENDING one was queued (for metrics). */
export async function deliveryCountsByState(
  reader: StatementReader,
): Promise<{ state: string; count: number | string; oldest: Date | string | null }[]> {
  const rows = await reader.select(
    sql`SELECT "state", COUNT(*) AS "count",
          (SELECT MIN("createdAt") FROM "outbox_messages" WHERE "state" = ${DeliveryState.PENDING}) AS "oldest"
        FROM "outbox_messages" GROUP BY "state"`,
  );
  return rows as { state: string; count: number | string; oldest: Date | string | null }[];
}
