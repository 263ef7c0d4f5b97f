import DataLoader from "dataloader";
import type { Database } from "./database";
import { User } from "./users/user.entity";
import { usersByIds, usersSharingAnAccount } from "./users/user.queries";
import type { Account } from "./accounts/account.entity";
import { accountsAsMembers, accountsByIds } from "./accounts/account.queries";
import type { AccountMember } from "./members/account-member.entity";
import {
  loadMemberChangePages,
  loadMemberPages,
  memberChangesByIds,
  memberChangesOfEvents,
  membershipsOf,
  type MemberWithUser,
} from "./members/member.queries";
import type { MemberChange } from "./members/member-change.entity";
import type { AccountInvitation } from "./members/account-invitation.entity";
import { invitationsByIds, loadInvitationPages } from "./members/invitation.queries";
import { accountContactsOf, contactSlotsOf, type SlotWithUsers } from "./contacts/contact.queries";
import type { AccountContacts } from "./contacts/account-contacts";
import type { ContactChange } from "./history/contact-change.entity";
import {
  contactChangesByIds,
  contactChangesOfEvents,
  loadContactChangePages,
  type ContactChangeWithActor,
  type ContactHistoryPageArgs,
} from "./history/history.queries";
import { loadSettingChangePages, settingChangesByIds, settingChangesOfEvents } from "./accounts/account.queries";
import { latestEventSequences } from "./events/change-log.queries";
import { contactDomainsOf } from "./accounts/contact-domain.queries";
import type { AccountSettingChange } from "./accounts/account-setting-change.entity";
import type { NotificationDelivery } from "./notifications/notification-delivery.entity";
import { deliveriesByIds, loadDeliveryPages } from "./notifications/delivery.queries";
import type { WebhookDelivery, WebhookEndpoint } from "./webhooks/webhook-endpoint.entity";
import { endpointsByIds, endpointsOfAccounts, loadWebhookDeliveryPages, webhookDeliveriesByIds } from "./webhooks/webhook.queries";
import type { ConnectionArgs, Page } from "./common/pagination";
import { groupBy } from "./common/group-by";

/** Keeps every statement well under SQLite's and PostgreSQL's limits on parameters. */
const BATCH = { maxBatchSize: 1000 };

export const membershipKey = (accountId: string, userId: string) => `${accountId}:${userId}`;

/** The rows found for `keys`, in the keys' order, null where none was. */
function inKeyOrder<TKey, TRow>(keys: readonly TKey[], rows: TRow[], keyOf: (row: TRow) => TKey): (TRow | null)[] {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => found.get(key) ?? null);
}

/** An account event, as the history rows it wrote are keyed. */
export interface EventKey {
  accountId: string;
  sequence: number;
}

/** A loader of the history rows each event wrote: one statement per account in a batch (in practice, one). */
function rowsOfEvents<TRow extends { accountId: string; eventSequence: number | null }>(
  read: (accountId: string, sequences: number[]) => Promise<TRow[]>,
) {
  return new DataLoader<EventKey, TRow[], string>(
    async (keys) => {
      const byAccount = groupBy([...keys], (key) => key.accountId);
      const found = new Map<string, TRow[]>();
      await Promise.all(
        [...byAccount].map(async ([accountId, accountKeys]) => {
          for (const row of await read(accountId, [...new Set(accountKeys.map((key) => key.sequence))])) {
            const key = `${row.accountId}:${row.eventSequence}`;
            found.set(key, [...(found.get(key) ?? []), row]);
          }
        }),
      );
      return keys.map((key) => found.get(`${key.accountId}:${key.sequence}`) ?? []);
    },
    { ...BATCH, cacheKeyFn: (key) => `${key.accountId}:${key.sequence}` },
  );
}

/**
 * One page loader per distinct page request (first, after, last, before): accounts listed together
 * ask for the same page, so one statement serves all of them.
 */
function pageLoaders<TNode, TArgs extends ConnectionArgs = ConnectionArgs, TOwner extends string | number = string>(
  load: (accountIds: TOwner[], args: TArgs) => Promise<Page<TNode>[]>,
) {
  const loaders = new Map<string, DataLoader<TOwner, Page<TNode>>>();
  return (args: TArgs) => {
    // Every argument of the page, its paging ones and any filter (`sinceVersion`), in a fixed order.
    const key = JSON.stringify(
      Object.entries(args)
        .filter(([, value]) => value != null)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader<TOwner, Page<TNode>>((accountIds) => load([...accountIds], args));
      loaders.set(key, loader);
    }
    return loader;
  };
}

/**
 * Batches every relation a resolver follows, so a request costs a handful of statements however
 * many accounts it lists. Contacts, members and history rows arrive with their users joined, and
 * those users are handed to `userById`, so resolving `user { email }` under them costs nothing more.
 * The statements are the query files' (`*.queries.ts`); this file only batches and primes.
 * Made fresh for each request and after each mutation, so nothing stale is served.
 */
export function createLoaders(db: Database) {
  const userById = new DataLoader<string, User | null>(async (ids) => inKeyOrder(ids, await usersByIds(db, ids), (user) => user.id), BATCH);
  const known = (user: User | null | undefined) => {
    if (user) userById.prime(user.id, user);
  };

  const accountById = new DataLoader<string, Account | null>(
    async (ids) => inKeyOrder(ids, await accountsByIds(db, ids), (account) => account.id),
    BATCH,
  );

  // Keys nearly always share one user (the viewer), so accounts × users is the set asked for.
  const membership = new DataLoader<{ accountId: string; userId: string }, AccountMember | null, string>(
    async (keys) => {
      const accountIds = [...new Set(keys.map((key) => key.accountId))];
      const userIds = [...new Set(keys.map((key) => key.userId))];
      const rows = await membershipsOf(db, accountIds, userIds);
      return inKeyOrder(
        keys.map(({ accountId, userId }) => membershipKey(accountId, userId)),
        rows,
        (row) => membershipKey(row.accountId, row.userId),
      );
    },
    { ...BATCH, cacheKeyFn: ({ accountId, userId }) => membershipKey(accountId, userId) },
  );

  // An account as one of its members sees it: the account, that membership and the primary contact
  // in one statement, handed to the loaders above. Null when either is missing: the account is not theirs.
  const accountAsMember = new DataLoader<{ accountId: string; userId: string }, Account | null, string>(
    async (keys) => {
      const accountIds = [...new Set(keys.map((key) => key.accountId))];
      const userIds = [...new Set(keys.map((key) => key.userId))];
      const found = await accountsAsMembers(db, accountIds, userIds);
      for (const { account, member, primary } of found) {
        accountById.prime(account.id, account);
        membership.prime({ accountId: member.accountId, userId: member.userId }, member);
        known(primary);
        primaryContact.prime(account.id, primary);
      }
      const accounts = inKeyOrder(
        keys.map(({ accountId, userId }) => membershipKey(accountId, userId)),
        found,
        ({ member }) => membershipKey(member.accountId, member.userId),
      );
      return accounts.map((row) => row?.account ?? null);
    },
    { ...BATCH, cacheKeyFn: ({ accountId, userId }) => membershipKey(accountId, userId) },
  );

  // Every filled slot of each account (primary, billing in order, roles in ContactRoleKind order), with
  // holders and editors handed to `userById`: the one read of slots every contact field answers from.
  const contactSlots = new DataLoader<string, SlotWithUsers[]>(async (accountIds) => {
    const rows = await contactSlotsOf(db, accountIds);
    for (const { holder, editor } of rows) {
      known(holder);
      known(editor);
    }
    const grouped = groupBy(rows, (row) => row.contact.accountId);
    return accountIds.map((id) => grouped.get(id) ?? []);
  }, BATCH);

  // Who holds which slot, from the slots above: no statement of its own.
  const accountContacts = new DataLoader<Account, AccountContacts, string>(
    (accounts) => Promise.all(accounts.map(async (account) => accountContactsOf(await contactSlots.load(account.id)))),
    { ...BATCH, cacheKeyFn: (account) => account.id },
  );

  // The primary contact of each account: primed by `accountAsMember`, else read with the account's slots.
  const primaryContact = new DataLoader<string, User>(
    (accountIds) => Promise.all(accountIds.map(async (id) => accountContactsOf(await contactSlots.load(id)).primary.user!)),
    BATCH,
  );

  const memberPage = pageLoaders<MemberWithUser>(async (accountIds, args) => {
    const pages = await loadMemberPages(db, accountIds, args);
    for (const page of pages) for (const edge of page.edges) known(edge.node.user);
    return pages;
  });

  const settingChangePage = pageLoaders<AccountSettingChange>((accountIds, args) => loadSettingChangePages(db, accountIds, args));

  const memberChangePage = pageLoaders<MemberChange>((accountIds, args) => loadMemberChangePages(db, accountIds, args));

  const memberChangeById = new DataLoader<number, MemberChange | null>(
    async (ids) => inKeyOrder(ids, await memberChangesByIds(db, ids), (change) => change.sequence),
    BATCH,
  );

  const invitationPage = pageLoaders<AccountInvitation>((accountIds, args) => loadInvitationPages(db, accountIds, args));

  const invitationById = new DataLoader<number, AccountInvitation | null>(
    async (ids) => inKeyOrder(ids, await invitationsByIds(db, ids), (invitation) => invitation.sequence),
    BATCH,
  );
  const deliveryPage = pageLoaders<NotificationDelivery>((accountIds, args) => loadDeliveryPages(db, accountIds, args));

  const contactHistoryPage = pageLoaders<ContactChangeWithActor, ContactHistoryPageArgs>(async (accountIds, args) => {
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
    const visible = await usersSharingAnAccount(db, viewerIds, userIds);
    return pairs.map(([viewerId, userId]) => viewerId === userId || visible.has(`${viewerId}:${userId}`));
  }, BATCH);

  const contactChangeById = new DataLoader<number, ContactChange | null>(
    async (ids) => inKeyOrder(ids, await contactChangesByIds(db, ids), (change) => change.sequence),
    BATCH,
  );

  const deliveryById = new DataLoader<number, NotificationDelivery | null>(
    async (ids) => inKeyOrder(ids, await deliveriesByIds(db, ids), (delivery) => delivery.sequence),
    BATCH,
  );

  const webhookEndpoints = new DataLoader<string, WebhookEndpoint[]>(async (accountIds) => {
    const grouped = groupBy(await endpointsOfAccounts(db, accountIds), (endpoint) => endpoint.accountId);
    return accountIds.map((id) => grouped.get(id) ?? []);
  }, BATCH);

  const webhookEndpointById = new DataLoader<number, WebhookEndpoint | null>(
    async (ids) => inKeyOrder(ids, await endpointsByIds(db, ids), (endpoint) => endpoint.sequence),
    BATCH,
  );

  const webhookDeliveryById = new DataLoader<number, WebhookDelivery | null>(
    async (ids) => inKeyOrder(ids, await webhookDeliveriesByIds(db, ids), (delivery) => delivery.sequence),
    BATCH,
  );

  const webhookDeliveryPage = pageLoaders<WebhookDelivery, ConnectionArgs, number>((endpointIds, args) =>
    loadWebhookDeliveryPages(db, endpointIds, args),
  );

  const settingChangeById = new DataLoader<number, AccountSettingChange | null>(
    async (ids) => inKeyOrder(ids, await settingChangesByIds(db, ids), (change) => change.sequence),
    BATCH,
  );

  // The account's latest event; 0 when it has none.
  const eventSequence = new DataLoader<string, number>(async (accountIds) => {
    const latest = await latestEventSequences(db, accountIds);
    return accountIds.map((id) => latest.get(id) ?? 0);
  }, BATCH);

  // The account's allowed contact domains; [] when it has none.
  const allowedContactDomains = new DataLoader<string, string[]>(async (accountIds) => {
    const found = await contactDomainsOf(db, accountIds);
    return accountIds.map((id) => found.get(id) ?? []);
  }, BATCH);

  const contactChangesOfEvent = rowsOfEvents((accountId, sequences) => contactChangesOfEvents(db, accountId, sequences));
  const memberChangesOfEvent = rowsOfEvents((accountId, sequences) => memberChangesOfEvents(db, accountId, sequences));
  const settingChangesOfEvent = rowsOfEvents((accountId, sequences) => settingChangesOfEvents(db, accountId, sequences));

  return {
    eventSequence,
    allowedContactDomains,
    contactChangesOfEvent,
    memberChangesOfEvent,
    settingChangesOfEvent,
    userById,
    accountById,
    membership,
    accountAsMember,
    contactSlots,
    accountContacts,
    primaryContact,
    memberPage,
    contactHistoryPage,
    settingChangePage,
    memberChangePage,
    memberChangeById,
    invitationPage,
    invitationById,
    deliveryPage,
    visibleUser,
    contactChangeById,
    deliveryById,
    settingChangeById,
    webhookEndpoints,
    webhookEndpointById,
    webhookDeliveryById,
    webhookDeliveryPage,
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
