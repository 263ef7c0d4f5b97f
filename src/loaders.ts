import DataLoader from "dataloader";
import { In } from "typeorm";
import type { Database } from "./database";
import { User } from "./users/user.entity";
import { Account } from "./accounts/account.entity";
import { AccountMember } from "./members/account-member.entity";
import { BillingContact } from "./contacts/billing-contact.entity";
import { RoleContact } from "./contacts/role-contact.entity";
import { CONTACT_ROLE_ORDER } from "./contacts/contact.enums";
import { loadMemberPages, type MemberPageRequest, type MemberWithUser } from "./members/member.service";
import { loadContactChangePages, type ContactChangePageRequest, type ContactChangeWithActor } from "./history/history.service";
import type { Page } from "./common/pagination";

function byKey<TKey, TRow>(rows: TRow[], keyOf: (row: TRow) => TKey): Map<TKey, TRow[]> {
  const grouped = new Map<TKey, TRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = grouped.get(key);
    if (list) list.push(row);
    else grouped.set(key, [row]);
  }
  return grouped;
}

export const membershipKey = (accountId: string, userId: string) => `${accountId}:${userId}`;

type PageRequest = { first: number; after?: string | null };

/**
 * One page loader per distinct (first, after): accounts listed together ask for the same page,
 * so one statement serves all of them.
 */
function pageLoaders<TNode>(load: (request: PageRequest & { accountIds: string[] }) => Promise<Page<TNode>[]>) {
  const loaders = new Map<string, DataLoader<string, Page<TNode>>>();
  return (request: PageRequest) => {
    const key = JSON.stringify([request.first, request.after ?? null]);
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, Page<TNode>>((accountIds) => load({ ...request, accountIds: [...accountIds] }));
      loaders.set(key, loader);
    }
    return loader;
  };
}

/**
 * Batches every relation a resolver follows, so a request costs a handful of statements however
 * many accounts it lists. Contacts, members and history rows arrive with their users joined, and
 * those users are handed to `userById`, so resolving `user { email }` under them costs nothing more.
 * Made fresh for each request and after each mutation, so nothing stale is served.
 */
export function createLoaders(db: Database) {
  const userById = new DataLoader<string, User | null>(async (ids) => {
    const users = await db.read((m) => m.find(User, { where: { id: In([...ids]) } }));
    const found = new Map(users.map((user) => [user.id, user]));
    return ids.map((id) => found.get(id) ?? null);
  });
  const known = (user: User | null | undefined) => {
    if (user) userById.prime(user.id, user);
  };

  const accountById = new DataLoader<string, Account | null>(async (ids) => {
    const accounts = await db.read((m) => m.find(Account, { where: { id: In([...ids]) } }));
    const found = new Map(accounts.map((account) => [account.id, account]));
    return ids.map((id) => found.get(id) ?? null);
  });

  const membership = new DataLoader<{ accountId: string; userId: string }, AccountMember | null, string>(
    async (keys) => {
      const rows = await db.read((m) =>
        m.find(AccountMember, { where: keys.map(({ accountId, userId }) => ({ accountId, userId })) }),
      );
      const found = new Map(rows.map((row) => [membershipKey(row.accountId, row.userId), row]));
      return keys.map(({ accountId, userId }) => found.get(membershipKey(accountId, userId)) ?? null);
    },
    { cacheKeyFn: ({ accountId, userId }) => membershipKey(accountId, userId) },
  );

  const billingContacts = new DataLoader<string, BillingContact[]>(async (accountIds) => {
    const rows = (await db.read((m) =>
      m
        .createQueryBuilder(BillingContact, "billing")
        .innerJoinAndMapOne("billing.user", User, "user", 'user.id = billing."userId"')
        .where('billing."accountId" IN (:...accountIds)', { accountIds })
        .orderBy('billing."accountId"')
        .addOrderBy("billing.position")
        .getMany(),
    )) as (BillingContact & { user: User })[];
    for (const row of rows) known(row.user);
    const grouped = byKey(rows, (row) => row.accountId);
    return accountIds.map((id) => grouped.get(id) ?? []);
  });

  const roleContacts = new DataLoader<string, RoleContact[]>(async (accountIds) => {
    const rows = (await db.read((m) =>
      m
        .createQueryBuilder(RoleContact, "role")
        .leftJoinAndMapOne("role.user", User, "holder", 'holder.id = role."userId"')
        .leftJoinAndMapOne("role.updatedBy", User, "editor", 'editor.id = role."updatedById"')
        .where('role."accountId" IN (:...accountIds)', { accountIds })
        .getMany(),
    )) as (RoleContact & { user?: User | null; updatedBy?: User | null })[];
    for (const row of rows) {
      known(row.user);
      known(row.updatedBy);
    }
    const grouped = byKey(rows, (row) => row.accountId);
    return accountIds.map((id) =>
      (grouped.get(id) ?? []).sort((a, b) => CONTACT_ROLE_ORDER.indexOf(a.role) - CONTACT_ROLE_ORDER.indexOf(b.role)),
    );
  });

  const memberPage = pageLoaders<MemberWithUser>(async (request: MemberPageRequest) => {
    const pages = await loadMemberPages(db, request);
    for (const page of pages) for (const edge of page.edges) known(edge.node.user);
    return pages;
  });

  const contactHistoryPage = pageLoaders<ContactChangeWithActor>(async (request: ContactChangePageRequest) => {
    const pages = await loadContactChangePages(db, request);
    for (const page of pages) for (const edge of page.edges) known(edge.node.actor);
    return pages;
  });

  return { userById, accountById, membership, billingContacts, roleContacts, memberPage, contactHistoryPage };
}

export type Loaders = ReturnType<typeof createLoaders>;
