import type { EntityManager } from "typeorm";
import type { AccountChange } from "../accounts/account-change";
import { AccountMember, MemberRole } from "./account-member.entity";
import { findOrCreateUser } from "../users/user.service";
import { clearRoleContact, removeBillingContact } from "../contacts/contact.service";
import { ContactSlot, roleOfSlot } from "../contacts/contact.enums";
import { handOverSlots } from "./reassign.service";
import { badInput, DomainError } from "../errors";
import { normaliseEmail } from "../common/email";
import { checkName, NAME_MAX_LENGTH } from "../common/names";
import { insertMemberChange } from "./member.queries";
import { MemberChangeAction } from "./member-change.entity";

async function adminCount(manager: EntityManager, accountId: string): Promise<number> {
  return manager.count(AccountMember, { where: { accountId, role: MemberRole.ADMIN } });
}

const lastAdmin = () =>
  new DomainError("LAST_ADMIN.lastAdmin");

/** Writes one membership history row for this change, in its transaction. */
function recordMemberChange(
  change: AccountChange,
  member: { userId: string; email: string },
  action: MemberChangeAction,
  previousRole: MemberRole | null,
  newRole: MemberRole | null,
): Promise<void> {
  return insertMemberChange(change.manager, {
    accountId: change.account.id,
    at: new Date(),
    actorId: change.actor.id,
    memberId: member.userId,
    email: member.email,
    action,
    previousRole,
    newRole,
  });
}

/**
 * Adds the person with this email as a member, or changes the role of the member they already are;
 * a role left out keeps the one they have (a new member becomes MEMBER). The name given is this account's name for them (see AccountMember.nameGivenByAdmin); the shared
 * user record is never written, so nothing typed here reaches another account.
 */
export async function addAccountMember(
  change: AccountChange,
  input: { email: string; name?: string | null; role?: MemberRole | null },
): Promise<AccountMember> {
  const email = normaliseEmail(input.email);
  if (!email) throw badInput("BAD_USER_INPUT.emailInvalid", {}, "email");
  let name: string | null = null;
  if (input.name != null) {
    const checked = checkName(input.name);
    if (!checked.ok) throw badInput(checked.problem, { field: "name", max: NAME_MAX_LENGTH }, "name");
    name = checked.name;
  }
  const user = await findOrCreateUser(change.manager, email);
  const accountId = change.account.id;
  const existing = await change.manager.findOne(AccountMember, { where: { accountId, userId: user.id } });
  if (existing) {
    const role = input.role ?? existing.role;
    const renamed = name !== null && name !== existing.nameGivenByAdmin;
    if (existing.role === role && !renamed) return existing;
    if (existing.role === MemberRole.ADMIN && role !== MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1) throw lastAdmin();
    await change.manager.update(AccountMember, { accountId, userId: user.id }, { role, ...(renamed ? { nameGivenByAdmin: name } : {}) });
    if (existing.role !== role) await recordMemberChange(change, { userId: user.id, email }, MemberChangeAction.ROLE_CHANGED, existing.role, role);
    change.touch();
    return Object.assign(existing, { role, ...(renamed ? { nameGivenByAdmin: name } : {}) });
  }
  const role = input.role ?? MemberRole.MEMBER;
  const member = change.manager.create(AccountMember, { accountId, userId: user.id, role, joinedAt: new Date(), nameGivenByAdmin: name });
  await change.manager.insert(AccountMember, member);
  await recordMemberChange(change, { userId: user.id, email }, MemberChangeAction.JOINED, null, role);
  change.touch();
  return member;
}

/**
 * Removes a member, and with them every billing contact and role they hold (each in history).
 * The primary contact cannot leave until someone else is primary (or `reassignTo` names a member who
 * takes over every slot they hold); the last admin cannot leave at all.
 */
export async function removeAccountMember(change: AccountChange, userId: string, reassignTo?: string | null, leaving = false): Promise<void> {
  const member = await change.member(userId);
  const accountId = change.account.id;
  if (member.role === MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1) throw lastAdmin();
  if (reassignTo) await handOverSlots(change, member.userId, reassignTo);
  const held = (await change.contacts()).slotsOf(member.userId);
  if (held.includes(ContactSlot.PRIMARY)) {
    throw new DomainError(leaving ? "PRIMARY_CONTACT_REQUIRED.leavingPrimary" : "PRIMARY_CONTACT_REQUIRED.removingPrimary");
  }
  if (held.includes(ContactSlot.BILLING)) await removeBillingContact(change, member.userId);
  for (const role of held.map(roleOfSlot)) if (role) await clearRoleContact(change, role);
  await change.manager.delete(AccountMember, { accountId, userId: member.userId });
  await recordMemberChange(change, { userId: member.userId, email: member.user.email }, leaving ? MemberChangeAction.LEFT : MemberChangeAction.REMOVED, member.role, null);
  change.touch();
}
