import { randomUUID } from "node:crypto";
import type { Writer } from "../database";
import { Account } from "./account.entity";
import { AccountMember, MemberRole } from "../members/account-member.entity";
import { insertContactChange } from "../history/history.queries";
import { commitEvent } from "../events/change-log.queries";
import { insertMemberChange } from "../members/member.queries";
import { MemberChangeAction } from "../members/member-change.entity";
import { ContactChangeAction, ContactSlot } from "../contacts/contact.enums";
import { insertSlotRow } from "../contacts/contact-writes.queries";
import { NO_CONTACT_DETAILS } from "../contacts/contact-details";
import type { User } from "../users/user.entity";
import { checkName, NAME_MAX_LENGTH } from "../common/names";
import { badInput } from "../errors";
import type { Locale } from "../i18n";

/** Creates an account whose creator is its first admin and its primary contact. */
export async function createAccount(db: Writer, creator: User, name: string, locale: Locale): Promise<Account> {
  const checked = checkName(name);
  if (!checked.ok) throw badInput(checked.problem, { field: "name", max: NAME_MAX_LENGTH }, "name");
  return db.write(async (manager) => {
    const now = new Date();
    const account = manager.create(Account, {
      id: randomUUID(),
      name: checked.name,
      locale,
      contactsVersion: 1,
      createdAt: now,
      updatedAt: now,
    });
    await manager.insert(Account, account);
    await manager.insert(AccountMember, { accountId: account.id, userId: creator.id, role: MemberRole.ADMIN, joinedAt: now });
    await insertSlotRow(manager, {
      accountId: account.id,
      slot: ContactSlot.PRIMARY,
      position: 0,
      userId: creator.id,
      email: creator.email,
      ...NO_CONTACT_DETAILS,
      updatedAt: now,
      updatedById: creator.id,
    });
    await insertMemberChange(manager, {
      accountId: account.id,
      at: now,
      actorId: creator.id,
      memberId: creator.id,
      email: creator.email,
      action: MemberChangeAction.JOINED,
      previousRole: null,
      newRole: MemberRole.ADMIN,
    });
    await insertContactChange(manager, {
      accountId: account.id,
      at: now,
      actorId: creator.id,
      version: account.contactsVersion,
      slot: ContactSlot.PRIMARY,
      action: ContactChangeAction.SET,
      previousEmail: null,
      newEmail: creator.email,
      previousUserId: null,
      newUserId: creator.id,
    });
    await commitEvent(manager, account.id, account.contactsVersion, now);
    return account;
  });
}
