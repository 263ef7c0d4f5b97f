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
 * `insertWithEventSequence`, which takes it inside the row's own INSERT; `commitChange`, called where
 * the account's version and `updatedAt` are set, writes the event row, and history rows a change left
 * to its end (`commitEvent` where nothing else is written). Both run in the transaction of
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

/** History rows a change writes at its end, with its event: `insert` is their INSERT, given the value of their `eventSequence`. */
export interface HistoryRows {
  kind: AccountEventKind;
  actor: EventActor;
  insert: (sequence: Sql) => Sql;
}

/**
 * Writes the end of a change of `accountId`: `history` (rows not written yet), `update` (the account's
 * version and time), and the event, if the change wrote any history, with its new contactsVersion and
 * time. On PostgreSQL all of it is one statement, which also notifies ACCOUNT_EVENTS_CHANNEL (other
 * processes hear it when the transaction commits); on SQLite one statement each. This process's
 * listeners hear of the event after the commit. Resolves with the event's sequence, or null when
 * nothing was recorded.
 */
export async function commitChange(
  manager: EntityManager,
  accountId: string,
  update: Sql | null,
  history: HistoryRows | null,
  contactsVersion: number,
  at: Date,
): Promise<number | null> {
  const event = pending.get(manager)?.get(accountId) ?? null;
  if (!event && !history) {
    if (update) await changeRows(manager, update);
    return null;
  }
  // The pending event's sequence, or (no history written yet) the subquery that takes the next one.
  const value = sequenceValue(manager, accountId);
  pending.get(manager)?.delete(accountId);
  const kindsOf = new Set(event?.kinds);
  if (history) kindsOf.add(history.kind);
  const kinds = ACCOUNT_EVENT_KINDS.filter((kind) => kindsOf.has(kind)).join(",");
  const actorId = event ? event.actorId : history!.actor.actorId;
  const actorEmail = event ? event.actorEmail : (history!.actor.actorEmail ?? null);
  const stored = storedValue(manager, AccountEvent, "at", at);
  const insertEvent = (sequence: Sql) =>
    sql`INSERT INTO "account_events" ("accountId", "sequence", "contactsVersion", "kinds", "actorId", "actorEmail", "at")
        VALUES (${accountId}, ${sequence}, ${contactsVersion}, ${kinds}, ${actorId}, ${actorEmail}, ${stored})`;
  let sequence: number;
  if (manager.connection.options.type === "postgres") {
    // Every part of one statement sees the same snapshot: the sequence subquery gives each the same number.
    const parts = [...(history ? [sql`"history" AS (${history.insert(value)})`] : []), ...(update ? [sql`"changed" AS (${update})`] : [])];
    const [row] = await selectRows(
      manager,
      sql`${parts.length > 0 ? sql`WITH ${join(parts, ", ")} ` : empty}${insertEvent(value)}
          RETURNING "sequence", pg_notify(${ACCOUNT_EVENTS_CHANNEL}, "accountId" || ':' || "sequence")`,
    );
    sequence = Number(row!.sequence);
  } else {
    sequence = event?.sequence ?? 0;
    if (history && event) await changeRows(manager, history.insert(value));
    else if (history) {
      const [row] = await selectRows(manager, sql`${history.insert(value)} RETURNING "eventSequence"`);
      sequence = Number(row!.eventSequence);
    }
    if (update) await changeRows(manager, update);
    await changeRows(manager, insertEvent(sql`${sequence}`));
  }
  announceAfterCommit(manager, { accountId, sequence });
  return sequence;
}

/**
 * Writes the event of this transaction's change of `accountId`, if it wrote any history: its new
 * contactsVersion and time. Resolves with the event's sequence, or null when nothing was recorded.
 */
export function commitEvent(manager: EntityManager, accountId: string, contactsVersion: number, at: Date): Promise<number | null> {
  return commitChange(manager, accountId, null, null, contactsVersion, at);
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
