import DataLoader from "dataloader";
import type { Database } from "./database";
import { User } from "./users/user.entity";
import { Account } from "./accounts/account.entity";
import { AccountMember } from "./members/account-member.entity";
import { BillingContact } from "./contacts/billing-contact.entity";
import { RoleContact } from "./contacts/role-contact.entity";
import { ContactChange } from "./history/contact-change.entity";
import { OutboxMessage } from "./outbox/outbox-message.entity";
import { CONTACT_ROLE_ORDER } from "./contacts/contact.enums";
import { loadMemberPages, type MemberWithUser } from "./members/member.queries";
import { loadContactChangePages, type ContactChangeWithActor } from "./history/history.queries";
import type { ConnectionArgs, Page } from "./common/pagination";
import { entityColumns, placeholders, selectRows } from "./common/sql-rows";
import { groupBy } from "./common/group-by";

/** Keeps every statement well under SQLite's and PostgreSQL's limits on parameters. */
const BATCH = { maxBatchSize: 1000 };

export const membershipKey = (accountId: string, userId: string) => `${accountId}:${userId}`;

/**
 * One page loader per distinct page request (first, after, last, before): accounts listed together
 * ask for the same page, so one statement serves all of them.
 */
function pageLoaders<TNode>(load: (accountIds: string[], args: ConnectionArgs) => Promise<Page<TNode>[]>) {
  const loaders = new Map<string, DataLoader<string, Page<TNode>>>();
  return (args: ConnectionArgs) => {
    const key = JSON.stringify([args.first ?? null, args.after ?? null, args.last ?? null, args.before ?? null]);
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, Page<TNode>>((accountIds) => load([...accountIds], args));
      loaders.set(key, loader);
    }
    return loader;
  };
}

/**
 * Batches every relation a resolver follows, so a request costs a handful of statements however
 * many accounts it lists. Contacts, members and history rows arrive with their users joined, and
 * those users are handed to `userById`, so resolving `user { email }` under them costs nothing more.
 * The statements every request makes are plain SQL (see common/sql-rows.ts).
 * Made fresh for each request and after each mutation, so nothing stale is served.
 */
export function createLoaders(db: Database) {
  const dataSource = db.dataSource;
  const users = entityColumns(dataSource, User, "u");
  const holders = entityColumns(dataSource, User, "holder");
  const editors = entityColumns(dataSource, User, "editor");
  const accounts = entityColumns(dataSource, Account, "a");
  const members = entityColumns(dataSource, AccountMember, "m");
  const billing = entityColumns(dataSource, BillingContact, "b");
  const roles = entityColumns(dataSource, RoleContact, "r");
  const changes = entityColumns(dataSource, ContactChange, "c");
  const messages = entityColumns(dataSource, OutboxMessage, "o");

  const userById = new DataLoader<string, User | null>(async (ids) => {
    const rows = await db.read((m) => selectRows(m, `SELECT ${users.select} FROM "users" "u" WHERE "u"."id" IN (${placeholders(ids)})`, ids));
    const found = new Map(rows.map((row) => users.from(row)!).map((user) => [user.id, user]));
    return ids.map((id) => found.get(id) ?? null);
  }, BATCH);
  const known = (user: User | null | undefined) => {
    if (user) userById.prime(user.id, user);
  };

  const accountById = new DataLoader<string, Account | null>(async (ids) => {
    const rows = await db.read((m) => selectRows(m, `SELECT ${accounts.select} FROM "accounts" "a" WHERE "a"."id" IN (${placeholders(ids)})`, ids));
    const found = new Map(rows.map((row) => accounts.from(row)!).map((account) => [account.id, account]));
    return ids.map((id) => found.get(id) ?? null);
  }, BATCH);

  // Keys nearly always share one user (the viewer), so accounts × users is the set asked for.
  const membership = new DataLoader<{ accountId: string; userId: string }, AccountMember | null, string>(
    async (keys) => {
      const accountIds = [...new Set(keys.map((key) => key.accountId))];
      const userIds = [...new Set(keys.map((key) => key.userId))];
      const rows = await db.read((m) =>
        selectRows(
          m,
          `SELECT ${members.select} FROM "account_members" "m" WHERE "m"."accountId" IN (${placeholders(accountIds)}) AND "m"."userId" IN (${placeholders(userIds)})`,
          [...accountIds, ...userIds],
        ),
      );
      const found = new Map(rows.map((row) => members.from(row)!).map((row) => [membershipKey(row.accountId, row.userId), row]));
      return keys.map(({ accountId, userId }) => found.get(membershipKey(accountId, userId)) ?? null);
    },
    { ...BATCH, cacheKeyFn: ({ accountId, userId }) => membershipKey(accountId, userId) },
  );

  // An account as one of its members sees it: the account, that membership and the primary contact
  // in one statement, handed to the loaders above. Null when either is missing: the account is not theirs.
  const accountAsMember = new DataLoader<{ accountId: string; userId: string }, Account | null, string>(
    async (keys) => {
      const accountIds = [...new Set(keys.map((key) => key.accountId))];
      const userIds = [...new Set(keys.map((key) => key.userId))];
      const rows = await db.read((m) =>
        selectRows(
          m,
          `SELECT ${accounts.select}, ${members.select}, ${users.select} FROM "accounts" "a"
           INNER JOIN "account_members" "m" ON "m"."accountId" = "a"."id" INNER JOIN "users" "u" ON "u"."id" = "a"."primaryContactId"
           WHERE "a"."id" IN (${placeholders(accountIds)}) AND "m"."userId" IN (${placeholders(userIds)})`,
          [...accountIds, ...userIds],
        ),
      );
      const found = new Map<string, Account>();
      for (const row of rows) {
        const account = accounts.from(row)!;
        const member = members.from(row)!;
        accountById.prime(account.id, account);
        membership.prime({ accountId: member.accountId, userId: member.userId }, member);
        known(users.from(row));
        found.set(membershipKey(member.accountId, member.userId), account);
      }
      return keys.map(({ accountId, userId }) => found.get(membershipKey(accountId, userId)) ?? null);
    },
    { ...BATCH, cacheKeyFn: ({ accountId, userId }) => membershipKey(accountId, userId) },
  );

  const billingContacts = new DataLoader<string, BillingContact[]>(async (accountIds) => {
    const rows = await db.read((m) =>
      selectRows(
        m,
        `SELECT ${billing.select}, ${users.select} FROM "billing_contacts" "b" INNER JOIN "users" "u" ON "u"."id" = "b"."userId"
         WHERE "b"."accountId" IN (${placeholders(accountIds)}) ORDER BY "b"."accountId", "b"."position"`,
        accountIds,
      ),
    );
    const contacts = rows.map((row) => {
      known(users.from(row));
      return billing.from(row)!;
    });
    const grouped = groupBy(contacts, (row) => row.accountId);
    return accountIds.map((id) => grouped.get(id) ?? []);
  }, BATCH);

  const roleContacts = new DataLoader<string, RoleContact[]>(async (accountIds) => {
    const rows = await db.read((m) =>
      selectRows(
        m,
        `SELECT ${roles.select}, ${holders.select}, ${editors.select} FROM "role_contacts" "r"
         LEFT JOIN "users" "holder" ON "holder"."id" = "r"."userId" LEFT JOIN "users" "editor" ON "editor"."id" = "r"."updatedById"
         WHERE "r"."accountId" IN (${placeholders(accountIds)})`,
        accountIds,
      ),
    );
    const contacts = rows.map((row) => {
      known(holders.from(row));
      known(editors.from(row));
      return roles.from(row)!;
    });
    const grouped = groupBy(contacts, (row) => row.accountId);
    return accountIds.map((id) =>
      (grouped.get(id) ?? []).sort((a, b) => CONTACT_ROLE_ORDER.indexOf(a.role) - CONTACT_ROLE_ORDER.indexOf(b.role)),
    );
  }, BATCH);

  const memberPage = pageLoaders<MemberWithUser>(async (accountIds, args) => {
    const pages = await loadMemberPages(db, accountIds, args);
    for (const page of pages) for (const edge of page.edges) known(edge.node.user);
    return pages;
  });

  const contactHistoryPage = pageLoaders<ContactChangeWithActor>(async (accountIds, args) => {
    const pages = await loadContactChangePages(db, accountIds, args);
    for (const page of pages) for (const edge of page.edges) known(edge.node.actor);
    return pages;
  });

  // Users the viewer may see: themselves and the members of the accounts they belong to. Keys are
  // "viewerId:userId"; a request has one viewer, so one statement answers the whole batch.
  const visibleUser = new DataLoader<string, boolean>(async (keys) => {
    const pairs = keys.map((key) => key.split(":") as [string, string]);
    const viewerIds = [...new Set(pairs.map(([viewerId]) => viewerId))];
    const userIds = [...new Set(pairs.map(([, userId]) => userId))];
    const rows = await db.read((m) =>
      selectRows(
        m,
        `SELECT DISTINCT "mine"."userId" AS "viewerId", "theirs"."userId" AS "userId" FROM "account_members" "mine"
         INNER JOIN "account_members" "theirs" ON "theirs"."accountId" = "mine"."accountId"
         WHERE "mine"."userId" IN (${placeholders(viewerIds)}) AND "theirs"."userId" IN (${placeholders(userIds)})`,
        [...viewerIds, ...userIds],
      ),
    );
    const visible = new Set(rows.map((row) => `${row.viewerId}:${row.userId}`));
    return pairs.map(([viewerId, userId]) => viewerId === userId || visible.has(`${viewerId}:${userId}`));
  }, BATCH);

  const contactChangeById = new DataLoader<number, ContactChange | null>(async (ids) => {
    const rows = await db.read((m) => selectRows(m, `SELECT ${changes.select} FROM "contact_changes" "c" WHERE "c"."id" IN (${placeholders(ids)})`, ids));
    const found = new Map(rows.map((row) => changes.from(row)!).map((change) => [change.sequence, change]));
    return ids.map((id) => found.get(id) ?? null);
  }, BATCH);

  const deliveryById = new DataLoader<number, OutboxMessage | null>(async (ids) => {
    const rows = await db.read((m) => selectRows(m, `SELECT ${messages.select} FROM "outbox_messages" "o" WHERE "o"."id" IN (${placeholders(ids)})`, ids));
    const found = new Map(rows.map((row) => messages.from(row)!).map((message) => [message.sequence, message]));
    return ids.map((id) => found.get(id) ?? null);
  }, BATCH);

  return {
    userById,
    accountById,
    membership,
    accountAsMember,
    billingContacts,
    roleContacts,
    memberPage,
    contactHistoryPage,
    visibleUser,
    contactChangeById,
    deliveryById,
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
