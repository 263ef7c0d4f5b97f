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
import { message } from "../i18n";

async function adminCount(manager: EntityManager, accountId: string): Promise<number> {
  return manager.count(AccountMember, { where: { accountId, role: MemberRole.ADMIN } });
}

/** `field`: the input that asked for it (the member's new role, or the member removed); none when the caller leaves. */
const lastAdmin = (field?: string) =>
  new DomainError("LAST_ADMIN.lastAdmin", {}, {}, field ? [{ field, message: message("LAST_ADMIN.lastAdmin") }] : undefined);

/**
 * Adds the person with this email as a member, or changes the role of the member they already are.
 * The name given is this account's name for them (see AccountMember.nameGivenByAdmin); the shared
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
  const role = input.role ?? MemberRole.MEMBER;
  const existing = await change.manager.findOne(AccountMember, { where: { accountId, userId: user.id } });
  if (existing) {
    const renamed = name !== null && name !== existing.nameGivenByAdmin;
    if (existing.role === role && !renamed) return existing;
    if (existing.role === MemberRole.ADMIN && role !== MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1) throw lastAdmin("role");
    await change.manager.update(AccountMember, { accountId, userId: user.id }, { role, ...(renamed ? { nameGivenByAdmin: name } : {}) });
    change.touch();
    return Object.assign(existing, { role, ...(renamed ? { nameGivenByAdmin: name } : {}) });
  }
  const member = change.manager.create(AccountMember, { accountId, userId: user.id, role, joinedAt: new Date(), nameGivenByAdmin: name });
  await change.manager.insert(AccountMember, member);
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
  if (member.role === MemberRole.ADMIN && (await adminCount(change.manager, accountId)) <= 1) throw lastAdmin(leaving ? undefined : "userId");
  if (reassignTo) await handOverSlots(change, member.userId, reassignTo);
  const held = (await change.contacts()).slotsOf(member.userId);
  if (held.includes(ContactSlot.PRIMARY)) {
    if (leaving) throw new DomainError("PRIMARY_CONTACT_REQUIRED.leavingPrimary");
    throw new DomainError("PRIMARY_CONTACT_REQUIRED.removingPrimary", {}, {}, [{ field: "userId", message: message("PRIMARY_CONTACT_REQUIRED.removingPrimary") }]);
  }
  if (held.includes(ContactSlot.BILLING)) await removeBillingContact(change, member.userId);
  for (const role of held.map(roleOfSlot)) if (role) await clearRoleContact(change, role);
  await change.manager.delete(AccountMember, { accountId, userId: member.userId });
  change.touch();
}
