import DataLoader from "dataloader";
import { In } from "typeorm";
import type { Database } from "./database";
import { User } from "./users/user.entity";
import { Account } from "./accounts/account.entity";
import { AccountMember } from "./members/account-member.entity";
import { BillingContact } from "./contacts/billing-contact.entity";
import { RoleContact } from "./contacts/role-contact.entity";
import { CONTACT_ROLE_ORDER } from "./contacts/contact.enums";
import { loadMemberPages, type MemberPageRequest } from "./members/member.service";
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

/**
 * Batches every relation a resolver follows, so a request costs a handful of queries however many
 * accounts it lists. Made fresh for each request and after each mutation, so nothing stale is served.
 */
export function createLoaders(db: Database) {
  const userById = new DataLoader<string, User | null>(async (ids) => {
    const users = await db.read((m) => m.find(User, { where: { id: In([...ids]) } }));
    const found = new Map(users.map((user) => [user.id, user]));
    return ids.map((id) => found.get(id) ?? null);
  });

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
    const rows = await db.read((m) =>
      m.find(BillingContact, { where: { accountId: In([...accountIds]) }, order: { accountId: "ASC", position: "ASC" } }),
    );
    const grouped = byKey(rows, (row) => row.accountId);
    return accountIds.map((id) => grouped.get(id) ?? []);
  });

  const roleContacts = new DataLoader<string, RoleContact[]>(async (accountIds) => {
    const rows = await db.read((m) => m.find(RoleContact, { where: { accountId: In([...accountIds]) } }));
    const grouped = byKey(rows, (row) => row.accountId);
    return accountIds.map((id) =>
      (grouped.get(id) ?? []).sort((a, b) => CONTACT_ROLE_ORDER.indexOf(a.role) - CONTACT_ROLE_ORDER.indexOf(b.role)),
    );
  });

  // One loader per distinct (first, after) pair: accounts listed together ask for the same page.
  const memberPageLoaders = new Map<string, DataLoader<string, Page<AccountMember>>>();
  const memberPage = (request: Omit<MemberPageRequest, "accountIds">) => {
    const key = JSON.stringify([request.first, request.after ?? null]);
    let loader = memberPageLoaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, Page<AccountMember>>((accountIds) =>
        loadMemberPages(db, { ...request, accountIds: [...accountIds] }),
      );
      memberPageLoaders.set(key, loader);
    }
    return loader;
  };

  return { userById, accountById, membership, billingContacts, roleContacts, memberPage };
}

export type Loaders = ReturnType<typeof createLoaders>;
