import type { EntityManager } from "typeorm";
import { Account } from "./account.entity";
import { AccountSetting, AccountSettingChange } from "./account-setting-change.entity";
import type { Locale } from "../i18n";
import { AccountMember, type MemberRole } from "../members/account-member.entity";
import { User } from "../users/user.entity";
import {
  changeRows,
  empty,
  entityColumns,
  join,
  jsonSql,
  selectEntities,
  selectRows,
  sql,
  storedValue,
  type Row,
  type SqlSource,
  type StatementReader,
} from "../common/sql";
import { contactSlotsJson, type SlotWithUsers } from "../contacts/contact.queries";
import { ContactSlot } from "../contacts/contact.enums";
import { memberPageJson, type MemberWithUser } from "../members/member.queries";
import { readAccountPages, readPage, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import { commitChange, eventSequence, type HistoryRows } from "../events/change-log.queries";
import { AccountEventKind } from "../events/account-event.entity";

/** The accounts with these ids (those that exist). */
export function accountsByIds(source: SqlSource, ids: readonly string[]): Promise<Account[]> {
  return selectEntities(source, Account, "a", sql`"a"."id" IN (${join(ids)})`);
}

/** An account as one of its members sees it: the account, that membership and the account's primary contact. */
export interface AccountAsMember {
  account: Account;
  member: AccountMember;
  /** The account's primary contact. */
  primary: User;
}

/** Joins the primary contact's slot ("ps") and user ("pc") to the account aliased "a". */
const PRIMARY_CONTACT_JOIN = sql`INNER JOIN "contact_slots" "ps" ON "ps"."accountId" = "a"."id" AND "ps"."slot" = ${ContactSlot.PRIMARY} AND "ps"."position" = 0
  INNER JOIN "users" "pc" ON "pc"."id" = "ps"."userId"`;

/** Each of `accountIds` that has one of `userIds` as a member, in one statement (accounts × users). */
export async function accountsAsMembers(
  source: SqlSource,
  accountIds: readonly string[],
  userIds: readonly string[],
): Promise<AccountAsMember[]> {
  const accounts = entityColumns(source, Account, "a");
  const members = entityColumns(source, AccountMember, "m");
  const users = entityColumns(source, User, "pc");
  const rows = await selectRows(
    source,
    sql`SELECT ${accounts.select}, ${members.select}, ${users.select} FROM "accounts" "a"
        INNER JOIN "account_members" "m" ON "m"."accountId" = "a"."id" ${PRIMARY_CONTACT_JOIN}
        WHERE "a"."id" IN (${join(accountIds)}) AND "m"."userId" IN (${join(userIds)})`,
  );
  return rows.map((row) => ({ account: accounts.of(row), member: members.of(row), primary: users.of(row) }));
}

/**
 * Takes the account's write lock: on PostgreSQL with a no-op update, the cheapest statement that does;
 * on SQLite the transaction already holds the one writer's lock (BEGIN IMMEDIATE), which covers every account.
 */
export async function lockAccount(manager: EntityManager, id: string): Promise<void> {
  if (manager.connection.options.type === "sqlite") return;
  await changeRows(manager, sql`UPDATE "accounts" SET "contactsVersion" = "contactsVersion" WHERE "id" = ${id}`);
}

/** The account and the role `userId` has in it (null when not a member), or null when there is no such account. */
async function accountWithRoleOf(
  manager: EntityManager,
  id: string,
  userId: string,
): Promise<{ account: Account; role: MemberRole | null } | null> {
  const accounts = entityColumns(manager, Account, "a");
  const [row] = await selectRows(
    manager,
    sql`SELECT ${accounts.select}, "m"."role" AS "actorRole" FROM "accounts" "a"
        LEFT JOIN "account_members" "m" ON "m"."accountId" = "a"."id" AND "m"."userId" = ${userId} WHERE "a"."id" = ${id}`,
  );
  return row ? { account: accounts.of(row), role: (row.actorRole as MemberRole | null) ?? null } : null;
}

/**
 * Takes the account's write lock (see `lockAccount`) and reads the account with the role `userId` has
 * in it; null when there is no such account or `userId` is not its member, and then nothing is locked.
 * On PostgreSQL this is one statement: locking the account's row and the membership's makes it read
 * both as the last change committed them, even one it waited for (a share lock on the membership: a
 * weaker one lets a change of role through without a wait, and the role read would be the older one).
 */
export async function lockAccountAsMember(
  manager: EntityManager,
  id: string,
  userId: string,
): Promise<{ account: Account; role: MemberRole } | null> {
  if (manager.connection.options.type === "sqlite") {
    const found = await accountWithRoleOf(manager, id, userId);
    return found?.role ? { account: found.account, role: found.role } : null;
  }
  const accounts = entityColumns(manager, Account, "a");
  const [row] = await selectRows(
    manager,
    sql`SELECT ${accounts.select}, "m"."role" AS "actorRole" FROM "accounts" "a"
        INNER JOIN "account_members" "m" ON "m"."accountId" = "a"."id" AND "m"."userId" = ${userId} WHERE "a"."id" = ${id}
        FOR NO KEY UPDATE OF "a" FOR SHARE OF "m"`,
  );
  return row ? { account: accounts.of(row), role: row.actorRole as MemberRole } : null;
}

/**
 * Sets the version and the time of the account's last change, and writes `history` (rows the change
 * left to its end) and the change's event (when it wrote history): on PostgreSQL in one statement.
 */
export async function markAccountChanged(
  manager: EntityManager,
  id: string,
  contactsVersion: number,
  updatedAt: Date,
  history: HistoryRows | null = null,
): Promise<void> {
  const at = storedValue(manager, Account, "updatedAt", updatedAt);
  const update = sql`UPDATE "accounts" SET "contactsVersion" = ${contactsVersion}, "updatedAt" = ${at} WHERE "id" = ${id}`;
  await commitChange(manager, id, update, history, contactsVersion, updatedAt);
}

/** A list of accounts, oldest first: the caller's accounts, and those of them that need attention. */
export const ACCOUNT_ORDER: Keyset<Account> = {
  order: [
    { column: "createdAt", kind: "date" },
    { column: "id", kind: "uuid" },
  ],
  keyOf: (account) => [account.createdAt, account.id],
};

/** How many accounts a page holds unless the client says. */
export const ACCOUNTS_PAGE = 20;

/** The accounts a user is a member of, oldest first. */
export function listAccountsOf(reader: StatementReader, userId: string, args: ConnectionArgs): Promise<Page<Account>> {
  const accounts = entityColumns(reader, Account, "a");
  return readPage(
    reader,
    {
      alias: "a",
      select: accounts.select,
      from: sql`"accounts" "a" INNER JOIN "account_members" "m" ON "m"."accountId" = "a"."id"`,
      where: [sql`"m"."userId" = ${userId}`],
      count: sql`SELECT COUNT(*) AS "total" FROM "account_members" WHERE "userId" = ${userId}`,
      hydrate: (row) => accounts.of(row),
    },
    ACCOUNT_ORDER,
    args,
    ACCOUNTS_PAGE,
  );
}

/** How many setting changes a page holds unless the client says. */
export const SETTING_CHANGES_PAGE = 20;

/** Setting changes newest first: by id, which grows with every change. */
const SETTING_CHANGE_ORDER: Keyset<AccountSettingChange> = {
  order: [{ column: "id", descending: true, kind: "number" }],
  keyOf: (change) => [change.sequence],
};

/** One page of setting changes (newest first) for each of several accounts. */
export function loadSettingChangePages(
  reader: StatementReader,
  accountIds: string[],
  args: ConnectionArgs,
): Promise<Page<AccountSettingChange>[]> {
  const changes = entityColumns(reader, AccountSettingChange, "s");
  return readAccountPages(
    reader,
    accountIds,
    { table: "account_setting_changes", alias: "s", select: changes.select, join: empty, hydrate: (row) => changes.of(row) },
    SETTING_CHANGE_ORDER,
    args,
    SETTING_CHANGES_PAGE,
  );
}

/** The setting changes with these row ids (those that exist). */
export function settingChangesByIds(source: SqlSource, ids: readonly number[]): Promise<AccountSettingChange[]> {
  return selectEntities(source, AccountSettingChange, "s", sql`"s"."id" IN (${join(ids)})`);
}

/** The setting changes the events `sequences` of one account wrote, in the order written. */
export function settingChangesOfEvents(
  source: SqlSource,
  accountId: string,
  sequences: readonly number[],
): Promise<AccountSettingChange[]> {
  return selectEntities(
    source,
    AccountSettingChange,
    "s",
    sql`"s"."accountId" = ${accountId} AND "s"."eventSequence" IN (${join(sequences)}) ORDER BY "s"."id"`,
  );
}

/** Sets the account's language and records the change, in the transaction of the change. */
export async function changeAccountLocale(
  manager: EntityManager,
  change: { accountId: string; actorId: string; at: Date; previous: Locale; locale: Locale },
): Promise<void> {
  await changeRows(manager, sql`UPDATE "accounts" SET "locale" = ${change.locale} WHERE "id" = ${change.accountId}`);
  const at = storedValue(manager, AccountSettingChange, "at", change.at);
  const event = await eventSequence(manager, change.accountId, AccountEventKind.SETTINGS, { actorId: change.actorId });
  await changeRows(
    manager,
    sql`INSERT INTO "account_setting_changes" ("accountId", "at", "actorId", "setting", "previousValue", "newValue", "eventSequence")
        VALUES (${change.accountId}, ${at}, ${change.actorId}, ${AccountSetting.LOCALE}, ${change.previous}, ${change.locale}, ${event})`,
  );
}

/** What the settings screen asks of one account, besides the account, the caller's membership and the primary contact. */
export interface AccountScreenRequest {
  /** The caller's (normalised) email: the statement finds the caller by it. */
  email: string;
  accountId: string;
  /** Whether every filled slot is asked for (beyond the primary contact). */
  contactSlots: boolean;
  /** The page of members asked for, or null when none is. */
  members: ConnectionArgs | null;
}

/** The caller's user row (null when unknown), and the account as that caller, its member, sees it (null for anyone else). */
export interface AccountScreen {
  viewer: User | null;
  account:
    | (AccountAsMember & {
        contactSlots: SlotWithUsers[] | null;
        members: Page<MemberWithUser> | null;
      })
    | null;
}

/**
 * The caller, and everything `request` asks of one account, in one statement: the lists are JSON built
 * in the database. The account comes back only when the caller is its member, so another
 * tenant's account, a deleted one and a missing one look the same.
 */
export async function readAccountScreen(reader: StatementReader, request: AccountScreenRequest): Promise<AccountScreen> {
  const viewers = entityColumns(reader, User, "v");
  const accounts = entityColumns(reader, Account, "a");
  const members = entityColumns(reader, AccountMember, "m");
  const primary = entityColumns(reader, User, "pc");
  const account = sql`"a"."id"`;
  const slots = request.contactSlots ? contactSlotsJson(reader, account) : null;
  const page = request.members ? memberPageJson(reader, account, request.members) : null;
  const json = jsonSql(reader);
  const [row] = await reader.selectPrepared(
    sql`SELECT ${json.subquery(sql`SELECT ${json.object(viewers.jsonFields)} FROM "users" "v" WHERE "v"."email" = ${request.email}`)} AS "viewer",
        ${json.subquery(sql`SELECT ${json.object(sql`'account', ${json.object(accounts.jsonFields)}, 'member', ${json.object(members.jsonFields)},
            'primary', ${json.object(primary.jsonFields)}, 'slots', ${slots?.select ?? sql`NULL`},
            'members', ${page?.select ?? sql`NULL`}`)}
          FROM "accounts" "a" INNER JOIN "users" "caller" ON "caller"."email" = ${request.email}
          INNER JOIN "account_members" "m" ON "m"."accountId" = "a"."id" AND "m"."userId" = "caller"."id"
          ${PRIMARY_CONTACT_JOIN}
          WHERE "a"."id" = ${request.accountId}`)} AS "screen"`,
  );
  const screen = json.read(row!.screen) as { account: Row; member: Row; primary: Row; slots: unknown; members: unknown } | null;
  return {
    viewer: viewers.fromJson(json.read(row!.viewer) as Row | null),
    account: screen && {
      account: accounts.fromJson(screen.account)!,
      member: members.fromJson(screen.member)!,
      primary: primary.fromJson(screen.primary)!,
      contactSlots: slots?.read(screen.slots) ?? null,
      members: page?.read(screen.members) ?? null,
    },
  };
}
