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
import type { AccountInvitation } from "./account-invitation.entity";
import { inviteMember } from "./invitation.service";
import { message } from "../i18n";
import { pauseEndpointsOfFormerAdmin } from "../webhooks/webhook.queries";

async function adminCount(manager: EntityManager, accountId: string): Promise<number> {
  return manager.count(AccountMember, { where: { accountId, role: MemberRole.ADMIN } });
}

/** `field`: the input that asked for it (the member's new role, or the member removed); none when the caller leaves. */
const lastAdmin = (field?: string) =>
  new DomainError("LAST_ADMIN.lastAdmin", {}, {}, field ? [{ field, message: message("LAST_ADMIN.lastAdmin") }] : undefined);

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
 * Invites the person with this email to the account, or changes the role of the member they already
 * are; a role left out keeps the one they have (someone invited without one is invited as MEMBER).
 * Someone not yet a member becomes one only by accepting (see invitation.service.ts): the answer is
 * the membership they will have, not yet accepted, and the invitation. The name given is this
 * account's name for them (see AccountMember.nameGivenByAdmin); the shared user record is never
 * written, so nothing typed here reaches another account.
 */
export async function addAccountMember(
  change: AccountChange,
  input: { email: string; name?: string | null; role?: MemberRole | null },
): Promise<{ member: AccountMember; invitation: AccountInvitation | null }> {
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
  if (!existing) {
    const invitation = await inviteMember(change, user, input.role, name);
    const member = change.manager.create(AccountMember, {
      accountId,
      userId: user.id,
      role: invitation.role,
      joinedAt: invitation.invitedAt,
      nameGivenByAdmin: invitation.nameGivenByAdmin,
    });
    return { member: Object.assign(member, { accepted: false }), invitation };
  }
  const role = input.role ?? existing.role;
  const renamed = name !== null && name !== existing.nameGivenByAdmin;
  if (existing.role === role && !renamed) return { member: existing, invitation: null };
  if (existing.role === MemberRole.ADMIN && role !== MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1)
    throw lastAdmin("role");
  await change.manager.update(AccountMember, { accountId, userId: user.id }, { role, ...(renamed ? { nameGivenByAdmin: name } : {}) });
  if (existing.role !== role)
    await recordMemberChange(change, { userId: user.id, email }, MemberChangeAction.ROLE_CHANGED, existing.role, role);
  if (existing.role === MemberRole.ADMIN && role !== MemberRole.ADMIN)
    await pauseEndpointsOfFormerAdmin(change.manager, accountId, user.id, new Date());
  change.touch();
  return { member: Object.assign(existing, { role, ...(renamed ? { nameGivenByAdmin: name } : {}) }), invitation: null };
}

/**
 * Makes someone a member who has already agreed to be one, without an invitation: only the demo data
 * uses it, for its made-up people. Every request goes through addAccountMember's invitation.
 */
export async function addMemberWhoAgreed(
  change: AccountChange,
  input: { email: string; name?: string | null; role?: MemberRole | null },
): Promise<void> {
  const user = await findOrCreateUser(change.manager, input.email);
  const role = input.role ?? MemberRole.MEMBER;
  await change.manager.insert(AccountMember, {
    accountId: change.account.id,
    userId: user.id,
    role,
    joinedAt: new Date(),
    nameGivenByAdmin: input.name ?? null,
  });
  await recordMemberChange(change, { userId: user.id, email: user.email }, MemberChangeAction.JOINED, null, role);
  change.touch();
}

/**
 * Removes a member, and with them every billing contact and role they hold (each in history).
 * The primary contact cannot leave until someone else is primary (or `reassignTo` names a member who
 * takes over every slot they hold); the last admin cannot leave at all.
 */
export async function removeAccountMember(
  change: AccountChange,
  userId: string,
  reassignTo?: string | null,
  leaving = false,
): Promise<void> {
  const member = await change.member(userId);
  const accountId = change.account.id;
  if (member.role === MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1)
    throw lastAdmin(leaving ? undefined : "userId");
  if (reassignTo) await handOverSlots(change, member.userId, reassignTo);
  const held = (await change.contacts()).slotsOf(member.userId);
  if (held.includes(ContactSlot.PRIMARY)) {
    if (leaving) throw new DomainError("PRIMARY_CONTACT_REQUIRED.leavingPrimary");
    throw new DomainError("PRIMARY_CONTACT_REQUIRED.removingPrimary", {}, {}, [
      { field: "userId", message: message("PRIMARY_CONTACT_REQUIRED.removingPrimary") },
    ]);
  }
  if (held.includes(ContactSlot.BILLING)) await removeBillingContact(change, member.userId);
  for (const role of held.map(roleOfSlot)) if (role) await clearRoleContact(change, role);
  await change.manager.delete(AccountMember, { accountId, userId: member.userId });
  if (member.role === MemberRole.ADMIN) await pauseEndpointsOfFormerAdmin(change.manager, accountId, member.userId, new Date());
  await recordMemberChange(
    change,
    { userId: member.userId, email: member.user.email },
    leaving ? MemberChangeAction.LEFT : MemberChangeAction.REMOVED,
    member.role,
    null,
  );
  change.touch();
}
