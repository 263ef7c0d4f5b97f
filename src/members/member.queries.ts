import type { EntityManager } from "typeorm";
import { AccountMember } from "./account-member.entity";
import { MemberChange } from "./member-change.entity";
import { User } from "../users/user.entity";
import { keysetClauses, keysetPage, pageWindow, readAccountPages, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import {
  changeRows,
  dateParameter,
  empty,
  entityColumns,
  join,
  jsonSql,
  selectEntities,
  selectRows,
  sql,
  storedValue,
  type JsonPart,
  type Row,
  type Sql,
  type SqlSource,
  type StatementReader,
} from "../common/sql";
import { eventSequence } from "../events/change-log.queries";
import { AccountEventKind } from "../events/account-event.entity";

/** A member with their user record, read in the same statement. */
export type MemberWithUser = AccountMember & { user: User };

/** Members in the order they joined. */
const MEMBER_ORDER: Keyset<MemberWithUser> = {
  order: [
    { column: "joinedAt", kind: "date" },
    { column: "userId", kind: "uuid" },
  ],
  keyOf: (member) => [member.joinedAt, member.userId],
};

/** How many members a page holds unless the client says. */
export const MEMBERS_PAGE = 50;

/** One page of members (each with their user), in the order they joined, for each of several accounts. */
export function loadMemberPages(reader: StatementReader, accountIds: string[], args: ConnectionArgs): Promise<Page<MemberWithUser>[]> {
  const members = entityColumns(reader, AccountMember, "m");
  const users = entityColumns(reader, User, "u");
  return readAccountPages(
    reader,
    accountIds,
    {
      table: "account_members",
      alias: "m",
      select: sql`${members.select}, ${users.select}`,
      join: sql`INNER JOIN "users" "u" ON "u"."id" = "m"."userId"`,
      hydrate: (row) => Object.assign(members.of(row), { user: users.of(row) }),
    },
    MEMBER_ORDER,
    args,
    MEMBERS_PAGE,
  );
}

/** The memberships of any of `userIds` in any of `accountIds`: one statement for accounts × users. */
export async function membershipsOf(
  source: SqlSource,
  accountIds: readonly string[],
  userIds: readonly string[],
): Promise<AccountMember[]> {
  const members = entityColumns(source, AccountMember, "m");
  const rows = await selectRows(
    source,
    sql`SELECT ${members.select} FROM "account_members" "m" WHERE "m"."accountId" IN (${join(accountIds)}) AND "m"."userId" IN (${join(userIds)})`,
  );
  return rows.map((row) => members.of(row));
}

/** The member of the account who is the user `userId`, with their user record; null for anyone else. */
export async function memberWithUser(manager: EntityManager, accountId: string, userId: string): Promise<MemberWithUser | null> {
  const members = entityColumns(manager, AccountMember, "m");
  const users = entityColumns(manager, User, "u");
  const [row] = await selectRows(
    manager,
    sql`SELECT ${members.select}, ${users.select} FROM "account_members" "m" INNER JOIN "users" "u" ON "u"."id" = "m"."userId"
        WHERE "m"."accountId" = ${accountId} AND "m"."userId" = ${userId}`,
  );
  return row ? Object.assign(members.of(row), { user: users.of(row) }) : null;
}

/** The member of the account whose (normalised) email this is; null when nobody with it is a member. */
export async function memberByEmail(manager: EntityManager, accountId: string, email: string): Promise<User | null> {
  const users = entityColumns(manager, User, "u");
  const [row] = await selectRows(
    manager,
    sql`SELECT ${users.select} FROM "users" "u" INNER JOIN "account_members" "m" ON "m"."userId" = "u"."id" AND "m"."accountId" = ${accountId}
        WHERE "u"."email" = ${email}`,
  );
  return row ? users.of(row) : null;
}

/**
 * One page of the members of the account `accountId` refers to, with their users and the count of
 * all of them, as one JSON object: the page `loadMemberPages` gives, inside a larger statement.
 */
export function memberPageJson(reader: StatementReader, accountId: Sql, args: ConnectionArgs): JsonPart<Page<MemberWithUser>> {
  const members = entityColumns(reader, AccountMember, "mm");
  const users = entityColumns(reader, User, "mu");
  const window = pageWindow(args, MEMBERS_PAGE, MEMBER_ORDER as Keyset<unknown>, (date) => dateParameter(reader, date));
  const clauses = keysetClauses(MEMBER_ORDER as Keyset<unknown>, window, `"mm".`);
  const seek = clauses.where.length ? sql` AND ${join(clauses.where, " AND ")}` : empty;
  const json = jsonSql(reader);
  const page = sql`SELECT ${json.object(sql`${members.jsonFields}, ${users.jsonFields}`)} AS "row", ROW_NUMBER() OVER (ORDER BY ${clauses.orderBy}) AS "at"
      FROM "account_members" "mm" INNER JOIN "users" "mu" ON "mu"."id" = "mm"."userId"
      WHERE "mm"."accountId" = ${accountId}${seek} ORDER BY ${clauses.orderBy} LIMIT ${window.size + 1}`;
  return {
    select:
      json.object(sql`'rows', ${json.subquery(sql`SELECT ${json.list(json.column(sql`"page"."row"`), sql`"page"."at"`)} FROM (${page}) "page"`)},
        'total', (SELECT COUNT(*) FROM "account_members" "counted" WHERE "counted"."accountId" = ${accountId})`),
    read: (value) => {
      const { rows, total } = value as { rows: Row[]; total: number };
      const page = rows.map((row) => Object.assign(members.fromJson(row)!, { user: users.fromJson(row)! }));
      return keysetPage(page, window, Number(total), MEMBER_ORDER);
    },
  };
}

/** How many membership changes a page holds unless the client says. */
export const MEMBER_CHANGES_PAGE = 20;

/** Membership changes newest first: by id, which grows with every change. */
const MEMBER_CHANGE_ORDER: Keyset<MemberChange> = {
  order: [{ column: "id", descending: true, kind: "number" }],
  keyOf: (change) => [change.sequence],
};

/** One page of membership changes (newest first) for each of several accounts. */
export function loadMemberChangePages(reader: StatementReader, accountIds: string[], args: ConnectionArgs): Promise<Page<MemberChange>[]> {
  const changes = entityColumns(reader, MemberChange, "h");
  return readAccountPages(
    reader,
    accountIds,
    { table: "member_changes", alias: "h", select: changes.select, join: empty, hydrate: (row) => changes.of(row) },
    MEMBER_CHANGE_ORDER,
    args,
    MEMBER_CHANGES_PAGE,
  );
}

/** The membership changes with these ids (those that exist). */
export function memberChangesByIds(source: SqlSource, ids: readonly number[]): Promise<MemberChange[]> {
  return selectEntities(source, MemberChange, "h", sql`"h"."id" IN (${join(ids)})`);
}

/** The membership changes the events `sequences` of one account wrote, in the order written. */
export function memberChangesOfEvents(source: SqlSource, accountId: string, sequences: readonly number[]): Promise<MemberChange[]> {
  return selectEntities(
    source,
    MemberChange,
    "h",
    sql`"h"."accountId" = ${accountId} AND "h"."eventSequence" IN (${join(sequences)}) ORDER BY "h"."id"`,
  );
}

/** One change to one membership, as history keeps it. */
export type MemberChangeRecord = Omit<MemberChange, "sequence" | "eventSequence">;

/** Writes one membership history row, in the transaction of the change it records. */
export async function insertMemberChange(manager: EntityManager, change: MemberChangeRecord): Promise<void> {
  const at = storedValue(manager, MemberChange, "at", change.at);
  const event = await eventSequence(manager, change.accountId, AccountEventKind.MEMBERS, { actorId: change.actorId });
  await changeRows(
    manager,
    sql`INSERT INTO "member_changes" ("accountId", "at", "actorId", "memberId", "email", "action", "previousRole", "newRole", "eventSequence")
        VALUES (${change.accountId}, ${at}, ${change.actorId}, ${change.memberId}, ${change.email}, ${change.action}, ${change.previousRole}, ${change.newRole}, ${event})`,
  );
}
