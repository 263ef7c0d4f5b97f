import { In, IsNull, type EntityManager } from "typeorm";
import {
  WebhookDelivery,
  WebhookDeliveryError,
  WebhookEndpoint,
  WebhookEndpointStatus,
  WebhookPauseReason,
} from "./webhook-endpoint.entity";
import { AccountEvent } from "../events/account-event.entity";
import { ContactChange } from "../history/contact-change.entity";
import { MemberChange } from "../members/member-change.entity";
import { AccountSettingChange } from "../accounts/account-setting-change.entity";
import { readAccountPages, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import {
  dateParameter,
  empty,
  entityColumns,
  join,
  selectEntities,
  selectRows,
  sql,
  type SqlSource,
  type StatementReader,
} from "../common/sql";

/** The endpoints of these accounts, oldest first. */
export function endpointsOfAccounts(source: SqlSource, accountIds: readonly string[]): Promise<WebhookEndpoint[]> {
  return selectEntities(source, WebhookEndpoint, "e", sql`"e"."accountId" IN (${join(accountIds)}) ORDER BY "e"."id" ASC`);
}

/** The endpoints with these ids (those that exist). */
export function endpointsByIds(source: SqlSource, ids: readonly number[]): Promise<WebhookEndpoint[]> {
  return selectEntities(source, WebhookEndpoint, "e", sql`"e"."id" IN (${join(ids)})`);
}

/** The delivery attempts with these ids (those that exist). */
export function webhookDeliveriesByIds(source: SqlSource, ids: readonly number[]): Promise<WebhookDelivery[]> {
  return selectEntities(source, WebhookDelivery, "d", sql`"d"."id" IN (${join(ids)})`);
}

/** How many endpoints an account has. */
export async function countEndpoints(manager: EntityManager, accountId: string): Promise<number> {
  const [row] = await selectRows(manager, sql`SELECT COUNT(*) AS "count" FROM "webhook_endpoints" WHERE "accountId" = ${accountId}`);
  return Number(row!.count);
}

/**
 * Pauses the account's endpoints `userId` added (or enabled again) that are not paused already: they
 * lost the right to choose where the account's changes go. Runs in the change that took the right away.
 */
export async function pauseEndpointsOfFormerAdmin(manager: EntityManager, accountId: string, userId: string, at: Date): Promise<void> {
  await manager.update(
    WebhookEndpoint,
    { accountId, createdById: userId, status: In([WebhookEndpointStatus.ENABLED, WebhookEndpointStatus.DISABLED]) },
    { status: WebhookEndpointStatus.PAUSED, pausedReason: WebhookPauseReason.CREATOR_NO_LONGER_ADMIN, updatedAt: at },
  );
  // One paused by an admin keeps its status, and now says why it must not simply be resumed.
  await manager.update(
    WebhookEndpoint,
    { accountId, createdById: userId, status: WebhookEndpointStatus.PAUSED },
    { pausedReason: WebhookPauseReason.CREATOR_NO_LONGER_ADMIN, updatedAt: at },
  );
}

/** The account's latest event sequence (0 before its first): where a new endpoint starts. */
export async function latestEventSequence(manager: EntityManager, accountId: string): Promise<number> {
  const [row] = await selectRows(
    manager,
    sql`SELECT COALESCE(MAX("sequence"), 0) AS "last" FROM "account_events" WHERE "accountId" = ${accountId}`,
  );
  return Number(row!.last);
}

/** Attempts newest first: by id, which grows with every attempt. */
const DELIVERY_ORDER: Keyset<WebhookDelivery> = {
  order: [{ column: "id", descending: true, kind: "number" }],
  keyOf: (delivery) => [delivery.sequence],
};

/** How many attempts a page holds unless the client says. */
export const WEBHOOK_DELIVERIES_PAGE = 20;

/** One page of attempts (newest first) for each of several endpoints, in two statements whatever their number. */
export function loadWebhookDeliveryPages(
  reader: StatementReader,
  endpointIds: number[],
  args: ConnectionArgs,
): Promise<Page<WebhookDelivery>[]> {
  const deliveries = entityColumns(reader, WebhookDelivery, "d");
  return readAccountPages(
    reader,
    endpointIds,
    {
      table: "webhook_deliveries",
      alias: "d",
      owner: { column: "endpointId", of: (delivery) => delivery.endpointId },
      select: deliveries.select,
      join: empty,
      hydrate: (row) => deliveries.of(row),
    },
    DELIVERY_ORDER,
    args,
    WEBHOOK_DELIVERIES_PAGE,
  );
}

/**
 * ENABLED endpoints that are due by `now`, not held by a worker, and have events after their cursor:
 * the longest waiting first, at most `limit`.
 */
export function dueEndpoints(reader: StatementReader, now: Date, limit: number): Promise<WebhookEndpoint[]> {
  const at = dateParameter(reader, now);
  return selectEntities(
    reader,
    WebhookEndpoint,
    "e",
    sql`"e"."status" = ${WebhookEndpointStatus.ENABLED}
        AND ("e"."nextAttemptAt" IS NULL OR "e"."nextAttemptAt" <= ${at})
        AND ("e"."leaseUntil" IS NULL OR "e"."leaseUntil" <= ${at})
        AND EXISTS (SELECT 1 FROM "account_events" "v" WHERE "v"."accountId" = "e"."accountId" AND "v"."sequence" > "e"."cursor")
        ORDER BY "e"."nextAttemptAt" ASC, "e"."id" ASC LIMIT ${limit}`,
  );
}

/**
 * Takes an endpoint for one worker until `leaseUntil`, if no other claim took it since it was read
 * (every claim writes a new `leaseToken`, and none is ever written back) and it is still ENABLED: a
 * conditional update, so of several processes exactly one gets it. Returns the endpoint as it now is,
 * or null when another worker (or the admin) got there first.
 */
export async function claimEndpoint(
  manager: EntityManager,
  seen: WebhookEndpoint,
  leaseUntil: Date,
  token: string,
): Promise<WebhookEndpoint | null> {
  const result = await manager.update(
    WebhookEndpoint,
    { sequence: seen.sequence, status: WebhookEndpointStatus.ENABLED, leaseToken: seen.leaseToken === null ? IsNull() : seen.leaseToken },
    { leaseUntil, leaseToken: token },
  );
  if (result.affected !== 1) return null;
  const [endpoint] = await endpointsByIds(manager, [seen.sequence]);
  return endpoint ?? null;
}

/** The account's events after `afterSequence`, oldest first, at most `limit`. */
export function eventsAfter(reader: SqlSource, accountId: string, afterSequence: number, limit: number): Promise<AccountEvent[]> {
  return selectEntities(
    reader,
    AccountEvent,
    "v",
    sql`"v"."accountId" = ${accountId} AND "v"."sequence" > ${afterSequence} ORDER BY "v"."sequence" ASC LIMIT ${limit}`,
  );
}

/** The history rows one event heads, each list in the order they were written. */
export async function historyOfEvent(
  reader: StatementReader,
  accountId: string,
  sequence: number,
): Promise<{ contactChanges: ContactChange[]; memberChanges: MemberChange[]; settingChanges: AccountSettingChange[] }> {
  const [contactChanges, memberChanges, settingChanges] = await Promise.all([
    selectEntities(
      reader,
      ContactChange,
      "c",
      sql`"c"."accountId" = ${accountId} AND "c"."eventSequence" = ${sequence} ORDER BY "c"."id" ASC`,
    ),
    selectEntities(
      reader,
      MemberChange,
      "m",
      sql`"m"."accountId" = ${accountId} AND "m"."eventSequence" = ${sequence} ORDER BY "m"."id" ASC`,
    ),
    selectEntities(
      reader,
      AccountSettingChange,
      "s",
      sql`"s"."accountId" = ${accountId} AND "s"."eventSequence" = ${sequence} ORDER BY "s"."id" ASC`,
    ),
  ]);
  return { contactChanges, memberChanges, settingChanges };
}

/** What one attempt did to the endpoint, as the worker records it. */
export interface AttemptOutcome {
  /** The cursor after the attempt: the event's sequence once delivered (or skipped), unchanged after a failure. */
  cursor: number;
  pendingAttempts: number;
  consecutiveFailures: number;
  failingSince: Date | null;
  nextAttemptAt: Date | null;
  lastError: WebhookDeliveryError | null;
  lastResponseStatus: number | null;
  lastDeliveryAt: Date | null;
  /** The lease is kept until then (to send the next event), or let go (null). */
  leaseUntil: Date | null;
  /** The endpoint is DISABLED now, if an admin has not paused it meanwhile. */
  disable: boolean;
  now: Date;
}

/**
 * Records an attempt's outcome on the endpoint, only if `token`'s claim still holds it (a worker that
 * lost its lease, or an endpoint removed meanwhile, records nothing). True when recorded.
 */
export async function recordAttempt(manager: EntityManager, id: number, token: string, outcome: AttemptOutcome): Promise<boolean> {
  const { disable, now, ...columns } = outcome;
  const result = await manager.update(WebhookEndpoint, { sequence: id, leaseToken: token }, columns);
  if (result.affected !== 1) return false;
  // An admin who paused the endpoint meanwhile keeps it PAUSED.
  if (disable)
    await manager.update(
      WebhookEndpoint,
      { sequence: id, status: WebhookEndpointStatus.ENABLED },
      { status: WebhookEndpointStatus.DISABLED, disabledAt: now },
    );
  return true;
}

/** Lets go of an endpoint a worker holds, leaving everything else as it is (the token stays: a claim never sees an old one again). */
export async function releaseEndpoint(manager: EntityManager, id: number, token: string): Promise<void> {
  await manager.update(WebhookEndpoint, { sequence: id, leaseToken: token }, { leaseUntil: null });
}

/** How many endpoints are in each status, and how many events ENABLED ones have still to finish (for metrics). */
export async function webhookBacklog(reader: StatementReader): Promise<{ status: string; endpoints: number; pendingEvents: number }[]> {
  const rows = await reader.select(
    sql`SELECT "e"."status" AS "status", COUNT(*) AS "endpoints",
          COALESCE(SUM((SELECT COALESCE(MAX("v"."sequence"), 0) FROM "account_events" "v" WHERE "v"."accountId" = "e"."accountId") - "e"."cursor"), 0) AS "pendingEvents"
        FROM "webhook_endpoints" "e" GROUP BY "e"."status"`,
  );
  return rows.map((row) => ({ status: String(row.status), endpoints: Number(row.endpoints), pendingEvents: Number(row.pendingEvents) }));
}
