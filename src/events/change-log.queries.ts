import type { EntityManager } from "typeorm";
import { changeRows, empty, join, selectEntities, selectRows, sql, type Sql, type SqlSource } from "../common/sql";
import { storedValue } from "../common/sql";
import { announceAfterCommit, onWriteRolledBack } from "../database";
import { ACCOUNT_EVENT_KINDS, AccountEvent, type AccountEventKind } from "./account-event.entity";

/** The PostgreSQL channel each committed event is announced on, as `<accountId>:<sequence>`. */
export const ACCOUNT_EVENTS_CHANNEL = "account_events";

/**
 * Writing the change log. A history row is written with `eventSequence(manager, …)`, which takes the
 * account's next event sequence the first time a transaction asks for it, or with
 * `insertWithEventSequence`, which takes it inside the row's own INSERT; `commitEvent` (or the
 * `eventInsert` statement, where the account's version and `updatedAt` are set) writes the event row. Both run in the transaction of
 * the change, under the account's lock, so sequences are gapless and in commit order, and an event
 * exists exactly when the history rows it heads do.
 */

interface PendingEvent {
  sequence: number;
  kinds: Set<AccountEventKind>;
  actorId: string | null;
  actorEmail: string | null;
}

/** The events each open transaction is writing, per account. A transaction's manager lives as long as it does. */
const pending = new WeakMap<EntityManager, Map<string, PendingEvent>>();
// A failed write's event is not the next write's: on SQLite the next write has the same manager.
onWriteRolledBack((manager) => pending.delete(manager));

/** Who made a change: a member (`actorId`), or an outside address (`actorEmail`). */
export interface EventActor {
  actorId: string | null;
  actorEmail?: string | null;
}

/** What a history row's `eventSequence` column is set to: the sequence, or the statement that takes it. */
function sequenceValue(manager: EntityManager, accountId: string): Sql {
  const event = pending.get(manager)?.get(accountId);
  return event
    ? sql`${event.sequence}`
    : sql`(SELECT COALESCE(MAX("sequence"), 0) + 1 FROM "account_events" WHERE "accountId" = ${accountId})`;
}

/** Notes that this transaction's change of `accountId` is (also) about `kind`, under `sequence`. */
function notePending(manager: EntityManager, accountId: string, kind: AccountEventKind, actor: EventActor, sequence: number): number {
  let events = pending.get(manager);
  if (!events) pending.set(manager, (events = new Map()));
  let event = events.get(accountId);
  if (!event) {
    event = { sequence, kinds: new Set(), actorId: actor.actorId, actorEmail: actor.actorEmail ?? null };
    events.set(accountId, event);
  }
  event.kinds.add(kind);
  return event.sequence;
}

/**
 * The event sequence the history rows this transaction writes for `accountId` carry; `kind` is added
 * to what the event is about. The first call takes the next sequence (the caller holds the account's lock).
 */
export async function eventSequence(manager: EntityManager, accountId: string, kind: AccountEventKind, actor: EventActor): Promise<number> {
  const known = pending.get(manager)?.get(accountId);
  if (known) return notePending(manager, accountId, kind, actor, known.sequence);
  const [row] = await selectRows(manager, sql`SELECT ${sequenceValue(manager, accountId)} AS "next"`);
  return notePending(manager, accountId, kind, actor, Number(row!.next));
}

/**
 * Writes a history row of `accountId` that carries this transaction's event sequence, as `eventSequence`
 * does, in one statement: `insert` is the INSERT, given the value of its `eventSequence` column, and
 * returns that column (`RETURNING "eventSequence"`). The caller holds the account's lock.
 */
export async function insertWithEventSequence(
  manager: EntityManager,
  accountId: string,
  kind: AccountEventKind,
  actor: EventActor,
  insert: (sequence: Sql) => Sql,
): Promise<number> {
  const [row] = await selectRows(manager, insert(sequenceValue(manager, accountId)));
  return notePending(manager, accountId, kind, actor, Number(row!.eventSequence));
}

/**
 * The INSERT of this transaction's event of `accountId`, if it wrote any history: its new contactsVersion
 * and time. On PostgreSQL the statement also notifies ACCOUNT_EVENTS_CHANNEL, which other processes hear
 * when the transaction commits. `announce` tells this process's listeners after the commit, once the
 * statement has run. Null when nothing was recorded.
 */
export function eventInsert(
  manager: EntityManager,
  accountId: string,
  contactsVersion: number,
  at: Date,
): { statement: Sql; sequence: number; announce: () => void } | null {
  const events = pending.get(manager);
  const event = events?.get(accountId);
  if (!event) return null;
  events!.delete(accountId);
  const kinds = ACCOUNT_EVENT_KINDS.filter((kind) => event.kinds.has(kind)).join(",");
  const stored = storedValue(manager, AccountEvent, "at", at);
  const notify =
    manager.connection.options.type === "postgres"
      ? sql` RETURNING pg_notify(${ACCOUNT_EVENTS_CHANNEL}, ${`${accountId}:${event.sequence}`})`
      : empty;
  return {
    statement: sql`INSERT INTO "account_events" ("accountId", "sequence", "contactsVersion", "kinds", "actorId", "actorEmail", "at")
        VALUES (${accountId}, ${event.sequence}, ${contactsVersion}, ${kinds}, ${event.actorId}, ${event.actorEmail}, ${stored})${notify}`,
    sequence: event.sequence,
    announce: () => announceAfterCommit(manager, { accountId, sequence: event.sequence }),
  };
}

/**
 * Writes the event of this transaction's change of `accountId`, if it wrote any history: its new
 * contactsVersion and time. Resolves with the event's sequence, or null when nothing was recorded.
 */
export async function commitEvent(manager: EntityManager, accountId: string, contactsVersion: number, at: Date): Promise<number | null> {
  const event = eventInsert(manager, accountId, contactsVersion, at);
  if (!event) return null;
  await changeRows(manager, event.statement);
  event.announce();
  return event.sequence;
}

/** The account's events after `afterSequence`, oldest first, at most `limit` of them. */
export function accountEventsAfter(source: SqlSource, accountId: string, afterSequence: number, limit: number): Promise<AccountEvent[]> {
  return selectEntities(
    source,
    AccountEvent,
    "e",
    sql`"e"."accountId" = ${accountId} AND "e"."sequence" > ${afterSequence} ORDER BY "e"."sequence" LIMIT ${limit}`,
  );
}

/** The sequence of each account's latest event (accounts without one are left out). */
export async function latestEventSequences(source: SqlSource, accountIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await selectRows(
    source,
    sql`SELECT "accountId", MAX("sequence") AS "sequence" FROM "account_events" WHERE "accountId" IN (${join(accountIds)}) GROUP BY "accountId"`,
  );
  return new Map(rows.map((row) => [String(row.accountId), Number(row.sequence)]));
}
