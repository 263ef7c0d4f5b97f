import { randomUUID } from "node:crypto";
import type { Database } from "../database";
import { Account } from "./account.entity";
import { AccountMember, MemberRole } from "../members/account-member.entity";
import { ContactChange } from "../history/contact-change.entity";
import { ContactChangeAction, ContactSlot } from "../contacts/contact.enums";
import type { User } from "../users/user.entity";
import { cursorDate, decodeCursor, toPage, type Page } from "../common/pagination";
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

/** The accounts a user is a member of, oldest first. */
export async function listAccountsOf(db: Database, user: User, first: number, after?: string | null): Promise<Page<Account>> {
  const cursor = after ? decodeCursor(after, ["string", "string"]) : null;
  return db.read(async (manager) => {
    const query = manager
      .createQueryBuilder(Account, "account")
      .innerJoin(AccountMember, "member", "member.accountId = account.id AND member.userId = :userId", { userId: user.id })
      .orderBy("account.createdAt", "ASC")
      .addOrderBy("account.id", "ASC")
      .limit(first + 1);
    if (cursor) {
      query.andWhere("(account.createdAt > :createdAt OR (account.createdAt = :createdAt AND account.id > :id))", {
        createdAt: db.dateParameter(cursorDate(cursor[0]!)),
        id: cursor[1],
      });
    }
    const [rows, totalCount] = await Promise.all([
      query.getMany(),
      manager.count(AccountMember, { where: { userId: user.id } }),
    ]);
    return toPage(rows, first, totalCount, (row) => [row.createdAt.toISOString(), row.id], (row) => row);
  });
}
