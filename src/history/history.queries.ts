import type { EntityManager } from "typeorm";
import { ContactChange } from "./contact-change.entity";
import { User } from "../users/user.entity";
import { ContactChangeAction, type ContactSlot } from "../contacts/contact.enums";
import { contactDetailsHistory, type ContactDetailsHistory } from "../contacts/contact-details";
import { readAccountPages, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import { entityColumns, insertStatement, join, selectEntities, sql, type SqlSource, type StatementReader } from "../common/sql";
import { insertWithEventSequence, type EventActor, type HistoryRows } from "../events/change-log.queries";
import { AccountEventKind } from "../events/account-event.entity";

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
/** A page of history, optionally only the changes that produced a version later than `sinceVersion` (rows without a version never are). */
export type ContactHistoryPageArgs = ConnectionArgs & { sinceVersion?: number | null };

export function loadContactChangePages(
  reader: StatementReader,
  accountIds: string[],
  args: ContactHistoryPageArgs,
): Promise<Page<ContactChangeWithActor>[]> {
  const changes = entityColumns(reader, ContactChange, "c");
  const actors = entityColumns(reader, User, "actor");
  return readAccountPages(
    reader,
    accountIds,
    {
      table: "contact_changes",
      alias: "c",
      select: sql`${changes.select}, ${actors.select}`,
      join: sql`INNER JOIN "users" "actor" ON "actor"."id" = "c"."actorId"`,
      hydrate: (row) => Object.assign(changes.of(row), { actor: actors.of(row) }),
      where: args.sinceVersion == null ? [] : [{ column: "version", above: args.sinceVersion }],
    },
    HISTORY_ORDER,
    args,
    HISTORY_PAGE,
  );
}

/** The history rows with these ids (those that exist). */
export function contactChangesByIds(source: SqlSource, ids: readonly number[]): Promise<ContactChange[]> {
  return selectEntities(source, ContactChange, "c", sql`"c"."id" IN (${join(ids)})`);
}

/** One change to one slot, as history keeps it, with the details of its contact before and after (absent: none). */
export interface ContactChangeRecord extends Partial<ContactDetailsHistory> {
  accountId: string;
  at: Date;
  actorId: string;
  /** The outside address that made the change itself; `actorId` is then the admin who asked it. */
  actorEmail?: string | null;
  /** The account's contactsVersion the change produces. */
  version: number;
  slot: ContactSlot;
  action: ContactChangeAction;
  previousEmail: string | null;
  newEmail: string | null;
  previousUserId: string | null;
  newUserId: string | null;
}

/** The row a record becomes, its event sequence still to be given. */
function contactChangeRow(change: ContactChangeRecord): ContactChange {
  const row: Omit<ContactChange, "sequence"> = {
    ...contactDetailsHistory(null, null),
    ...change,
    actorEmail: change.actorEmail ?? null,
    eventSequence: null,
  };
  return row as ContactChange;
}

/** Who made a recorded change, as its event names them: the outside address itself, or the member. */
function actorOf(change: ContactChangeRecord): EventActor {
  return change.actorEmail ? { actorId: null, actorEmail: change.actorEmail } : { actorId: change.actorId };
}

/**
 * Writes one history row, in the transaction of the change it records. Every history row is written
 * here or by `contactChangeRows`.
 */
export async function insertContactChange(manager: EntityManager, change: ContactChangeRecord): Promise<void> {
  const row = contactChangeRow(change);
  await insertWithEventSequence(
    manager,
    change.accountId,
    AccountEventKind.CONTACTS,
    actorOf(change),
    (sequence) => sql`${insertStatement(manager, ContactChange, [row], { eventSequence: sequence })} RETURNING "eventSequence"`,
  );
}

/** The history rows of one change of one account (`changes`, in order, at least one), for `markAccountChanged` to write with its event. */
export function contactChangeRows(manager: EntityManager, changes: readonly ContactChangeRecord[]): HistoryRows {
  const rows = changes.map(contactChangeRow);
  return {
    kind: AccountEventKind.CONTACTS,
    actor: actorOf(changes[0]!),
    insert: (sequence) => insertStatement(manager, ContactChange, rows, { eventSequence: sequence }),
  };
}

/** The history rows one change of an account wrote: those that produced `version`, in the order written. */
export function contactChangesOfVersion(source: SqlSource, accountId: string, version: number): Promise<ContactChange[]> {
  return selectEntities(source, ContactChange, "c", sql`"c"."accountId" = ${accountId} AND "c"."version" = ${version} ORDER BY "c"."id"`);
}

/** The history rows the events `sequences` of one account wrote, in the order written. */
export function contactChangesOfEvents(source: SqlSource, accountId: string, sequences: readonly number[]): Promise<ContactChange[]> {
  return selectEntities(
    source,
    ContactChange,
    "c",
    sql`"c"."accountId" = ${accountId} AND "c"."eventSequence" IN (${join(sequences)}) ORDER BY "c"."id"`,
  );
}

/**
 * When `email` was last asked to confirm itself for the account after it had declined to (a SET of
 * the address written after one of its DECLINED rows); null if it never declined, was never asked
 * again, or has confirmed itself since it last declined.
 */
export async function lastRequestAfterDecline(source: SqlSource, accountId: string, email: string): Promise<Date | null> {
  const [answer] = await selectEntities(
    source,
    ContactChange,
    "c",
    sql`"c"."accountId" = ${accountId} AND "c"."action" IN ('DECLINED', 'VERIFIED') AND "c"."previousEmail" = ${email} ORDER BY "c"."id" DESC LIMIT 1`,
  );
  if (!answer || answer.action !== ContactChangeAction.DECLINED) return null;
  const [latest] = await selectEntities(
    source,
    ContactChange,
    "c",
    sql`"c"."accountId" = ${accountId} AND "c"."action" = 'SET' AND "c"."newEmail" = ${email}
        AND EXISTS (SELECT 1 FROM "contact_changes" "d" WHERE "d"."accountId" = "c"."accountId" AND "d"."action" = 'DECLINED' AND "d"."previousEmail" = "c"."newEmail" AND "d"."id" < "c"."id")
        ORDER BY "c"."id" DESC LIMIT 1`,
  );
  return latest ? latest.at : null;
}
