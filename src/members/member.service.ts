import type { EntityManager } from "typeorm";
import type { Database } from "../database";
import type { AccountChange } from "../accounts/account-access";
import { AccountMember, MemberRole } from "./account-member.entity";
import { findOrCreateUser } from "../users/user.service";
import { User } from "../users/user.entity";
import { clearRoleContact, removeBillingContact, slotsHeldBy } from "../contacts/contact.service";
import { handOverSlots } from "./reassign.service";
import { badInput, DomainError, ErrorCode } from "../errors";
import { normaliseEmail } from "../common/email";
import { checkName } from "../common/names";
import { cursorDate, decodeCursor, type Page } from "../common/pagination";
import { entityColumns } from "../common/sql-rows";
import { loadAccountPages } from "../common/account-pages";

async function adminCount(manager: EntityManager, accountId: string): Promise<number> {
  return manager.count(AccountMember, { where: { accountId, role: MemberRole.ADMIN } });
}

const lastAdmin = () =>
  new DomainError(ErrorCode.LAST_ADMIN, "An account needs at least one admin. Make another member an admin first.");

/**
 * Adds the person with this email as a member, or changes the role of the member they already are.
 * The name given is this account's name for them (see AccountMember.nameGivenByAdmin); the shared
 * user record is never written, so nothing typed here reaches another account.
 */
export async function addAccountMember(
  change: AccountChange,
  input: { email: string; name?: string | null; role?: MemberRole | null },
): Promise<void> {
  const email = normaliseEmail(input.email);
  if (!email) throw badInput("That is not a valid email address.", "email");
  let name: string | null = null;
  if (input.name != null) {
    const checked = checkName(input.name);
    if (!checked.ok) throw badInput(`The name ${checked.problem}.`, "name");
    name = checked.name;
  }
  const user = await findOrCreateUser(change.manager, email);
  const accountId = change.account.id;
  const role = input.role ?? MemberRole.MEMBER;
  const existing = await change.manager.findOne(AccountMember, { where: { accountId, userId: user.id } });
  if (existing) {
    const renamed = name !== null && name !== existing.nameGivenByAdmin;
    if (existing.role === role && !renamed) return;
    if (existing.role === MemberRole.ADMIN && role !== MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1) throw lastAdmin();
    await change.manager.update(AccountMember, { accountId, userId: user.id }, { role, ...(renamed ? { nameGivenByAdmin: name } : {}) });
  } else {
    await change.manager.insert(AccountMember, { accountId, userId: user.id, role, joinedAt: new Date(), nameGivenByAdmin: name });
  }
  change.touch();
}

/**
 * Removes a member, and with them every billing contact and role they hold (each in history).
 * The primary contact cannot leave until someone else is primary (or `reassignTo` names a member who
 * takes over every slot they hold); the last admin cannot leave at all.
 */
export async function removeAccountMember(change: AccountChange, userId: string, reassignTo?: string | null): Promise<void> {
  const member = await change.member(userId);
  const accountId = change.account.id;
  if (member.role === MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1) throw lastAdmin();
  if (reassignTo) await handOverSlots(change, member.userId, reassignTo);
  const held = await slotsHeldBy(change, member.userId);
  if (held.primary) {
    throw new DomainError(
      ErrorCode.PRIMARY_CONTACT_REQUIRED,
      "This member is the primary contact. Make someone else the primary contact before removing them.",
    );
  }
  if (held.billing) await removeBillingContact(change, member.userId);
  for (const role of held.roles) await clearRoleContact(change, role.role);
  await change.manager.delete(AccountMember, { accountId, userId: member.userId });
  change.touch();
}

export interface MemberPageRequest {
  accountIds: string[];
  first: number;
  after?: string | null;
}

/** A member with their user record, read in the same statement. */
export type MemberWithUser = AccountMember & { user: User };

/** One page of members (each with their user), in the order they joined, for each of several accounts. */
export function loadMemberPages(db: Database, request: MemberPageRequest): Promise<Page<MemberWithUser>[]> {
  const cursor = request.after ? decodeCursor(request.after, ["string", "string"]) : null;
  const joinedAt = cursor && db.dateParameter(cursorDate(cursor[0]!));
  const members = entityColumns(db.dataSource, AccountMember, "m");
  const users = entityColumns(db.dataSource, User, "u");
  return loadAccountPages(db, request.accountIds, request.first, {
    table: "account_members",
    alias: "m",
    select: `${members.select}, ${users.select}`,
    join: `INNER JOIN "users" "u" ON "u"."id" = "m"."userId"`,
    orderBy: ['"joinedAt"', '"userId"'],
    after: cursor ? (prefix) => `(${prefix}"joinedAt" > ? OR (${prefix}"joinedAt" = ? AND ${prefix}"userId" > ?))` : null,
    afterValues: cursor ? [joinedAt, joinedAt, cursor[1]] : [],
    hydrate: (row) => Object.assign(members.from(row)!, { user: users.from(row)! }),
    compare: (a, b) => a.joinedAt.getTime() - b.joinedAt.getTime() || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0),
    cursorOf: (row) => [row.joinedAt.toISOString(), row.userId],
  });
}
