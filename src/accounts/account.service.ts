import { randomUUID } from "node:crypto";
import type { Database } from "../database";
import { Account } from "./account.entity";
import { AccountMember, MemberRole } from "../members/account-member.entity";
import { ContactChange } from "../history/contact-change.entity";
import { ContactChangeAction, ContactSlot } from "../contacts/contact.enums";
import type { User } from "../users/user.entity";
import { readPage, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import { entityColumns } from "../common/sql-rows";
import { checkName } from "../common/names";
import { badInput } from "../errors";

/** Creates an account whose creator is its first admin and its primary contact. */
export async function createAccount(db: Database, creator: User, name: string): Promise<Account> {
  const checked = checkName(name);
  if (!checked.ok) throw badInput(`The name ${checked.problem}.`, "name");
  return db.write(async (manager) => {
    const now = new Date();
    const account = manager.create(Account, {
      id: randomUUID(),
      name: checked.name,
      primaryContactId: creator.id,
      contactsVersion: 1,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(Account, account);
    await manager.insert(AccountMember, { accountId: account.id, userId: creator.id, role: MemberRole.ADMIN, joinedAt: now });
    await manager.insert(ContactChange, {
      accountId: account.id,
      at: now,
      actorId: creator.id,
      slot: ContactSlot.PRIMARY,
      action: ContactChangeAction.SET,
      previousEmail: null,
      newEmail: creator.email,
    });
    return account;
  });
}

/** A list of accounts, oldest first: the caller's accounts, and those of them that need attention. */
export const ACCOUNT_ORDER: Keyset<Account> = {
  order: [
    { column: "createdAt", kind: "date" },
    { column: "id", kind: "string" },
  ],
  keyOf: (account) => [account.createdAt, account.id],
};

/** How many accounts a page holds unless the client says. */
export const ACCOUNTS_PAGE = 20;

/** The accounts a user is a member of, oldest first. */
export function listAccountsOf(db: Database, user: User, args: ConnectionArgs): Promise<Page<Account>> {
  const accounts = entityColumns(db.dataSource, Account, "a");
  return readPage(
    db,
    {
      alias: "a",
      select: accounts.select,
      from: `"accounts" "a" INNER JOIN "account_members" "m" ON "m"."accountId" = "a"."id"`,
      where: [`"m"."userId" = ?`],
      parameters: [user.id],
      count: { sql: `SELECT COUNT(*) AS "total" FROM "account_members" WHERE "userId" = ?`, parameters: [user.id] },
      hydrate: (row) => accounts.from(row)!,
    },
    ACCOUNT_ORDER,
    args,
    ACCOUNTS_PAGE,
  );
}
