import type { AccountChange } from "../accounts/account-change";
import { BillingContact } from "./billing-contact.entity";
import { ContactRole } from "./contact-role.entity";
import { memberByEmail } from "../members/member.queries";
import { BILLING_CONTACT_LIMIT, ContactChangeAction, contactRole, ContactSlot, outsideAddressTitles, slotOfRole, type ContactRoleKind } from "./contact.enums";
import { badInput, DomainError } from "../errors";
import { message } from "../i18n";
import { normaliseEmail } from "../common/email";
import { forgetVerification, isDeclined, startVerification } from "../verification/verification.service";
import { refuseDisallowedContactDomain } from "../accounts/contact-domain.service";
import { billingContactRows, deleteBillingContactRow, insertBillingContactRow, moveBillingContactRow, setPrimaryContactRow } from "./contact-writes.queries";

/*
 * The rules for every contact slot. Each function runs inside an open AccountChange (one transaction
 * holding the account's write lock) and is idempotent: asking for what is already so writes nothing.
 */

/** `field` is where the input named `userId`, for the error refusing a non-member. */
export async function setPrimaryContact(change: AccountChange, userId: string, field = "userId"): Promise<void> {
  const member = await change.member(userId, field);
  const previousId = change.account.primaryContactId;
  if (previousId === member.userId) return;
  const previousEmail = await change.emailOf(previousId);
  await setPrimaryContactRow(change.manager, change.account.id, member.userId);
  change.account.primaryContactId = member.userId;
  await change.record(ContactSlot.PRIMARY, ContactChangeAction.SET, previousEmail, member.user.email, previousId, member.userId);
}

export async function billingContactsOf(change: AccountChange): Promise<BillingContact[]> {
  return billingContactRows(change.manager, change.account.id);
}

/** `field` names the member in the input; `listField` the list the cap concerns (the member's own field when absent). */
export async function addBillingContact(change: AccountChange, userId: string, field = "userId", listField = field): Promise<void> {
  const member = await change.member(userId, field);
  const current = await billingContactsOf(change);
  if (current.some((contact) => contact.userId === member.userId)) return;
  if (current.length >= BILLING_CONTACT_LIMIT) {
    throw new DomainError("BILLING_CONTACT_LIMIT.limitReached", { limit: BILLING_CONTACT_LIMIT }, { limit: BILLING_CONTACT_LIMIT }, [
      { field: listField, message: message("BILLING_CONTACT_LIMIT.limitReached", { limit: BILLING_CONTACT_LIMIT }) },
    ]);
  }
  await insertBillingContactRow(change.manager, {
    accountId: change.account.id,
    userId: member.userId,
    position: current.length,
    addedAt: new Date(),
  });
  await change.record(ContactSlot.BILLING, ContactChangeAction.ADD, null, member.user.email, null, member.userId);
}

export async function removeBillingContact(change: AccountChange, userId: string): Promise<void> {
  const current = await billingContactsOf(change);
  const index = current.findIndex((contact) => contact.userId === userId);
  if (index < 0) return;
  const email = await change.emailOf(userId);
  await deleteBillingContactRow(change.manager, change.account.id, userId);
  // Close the gap one row at a time, lowest first, so (account, position) stays unique at every step.
  for (const later of current.slice(index + 1)) {
    await moveBillingContactRow(change.manager, change.account.id, later.userId, later.position - 1);
  }
  await change.record(ContactSlot.BILLING, ContactChangeAction.REMOVE, email, null, userId, null);
}

export interface RoleContactTarget {
  userId?: string | null;
  email?: string | null;
}

/**
 * Who a role is being given to: a member, or (for the roles that allow one) an address outside the account.
 * `prefix` is where the input holds the target's fields (`roleContacts.2.`), for the errors.
 */
async function resolveRoleTarget(
  change: AccountChange,
  role: ContactRoleKind,
  target: RoleContactTarget,
  prefix: string,
): Promise<{ userId: string | null; email: string }> {
  if ((target.userId != null) === (target.email != null)) {
    throw badInput("BAD_USER_INPUT.userOrEmail", {}, `${prefix}userId`);
  }
  if (target.userId != null) {
    const member = await change.member(target.userId, `${prefix}userId`);
    return { userId: member.userId, email: member.user.email };
  }
  const email = normaliseEmail(target.email);
  if (!email) throw badInput("BAD_USER_INPUT.emailInvalid", {}, `${prefix}email`);
  const member = await memberByEmail(change.manager, change.account.id, email);
  if (member) return { userId: member.id, email: member.email };
  if (!contactRole(role).outsideAddress) {
    throw badInput("BAD_USER_INPUT.memberOnlyRole", { roles: outsideAddressTitles() }, `${prefix}email`);
  }
  return { userId: null, email };
}

/**
 * Gives `role` to a member or an outside address. Setting the address a role already has changes
 * nothing, except that `askDeclinedAgain` (an admin's explicit setRoleContact) asks an address that
 * said "This is not me" anew; a form saved with the slot left as it was (saveAccountContacts) does not.
 */
export async function setRoleContact(change: AccountChange, role: ContactRoleKind, target: RoleContactTarget, prefix = "", askDeclinedAgain = true): Promise<void> {
  const next = await resolveRoleTarget(change, role, target, prefix);
  const current = await change.manager.findOne(ContactRole, { where: { accountId: change.account.id, role } });
  const unchanged = current && current.userId === next.userId && current.email === next.email;
  if (unchanged && !(askDeclinedAgain && next.userId === null && (await isDeclined(change.manager, change.account.id, role, next.email)))) return;
  if (next.userId === null) await refuseDisallowedContactDomain(change, next.email, `${prefix}email`);
  const row = { accountId: change.account.id, role, ...next, updatedAt: new Date(), updatedById: change.actor.id };
  if (current) await change.manager.update(ContactRole, { accountId: change.account.id, role }, row);
  else await change.manager.insert(ContactRole, row);
  // An outside address must be confirmed by its owner; a new address starts that over.
  if (next.userId === null) await startVerification(change, role, next.email);
  else if (current?.userId === null) await forgetVerification(change, role);
  await change.record(slotOfRole(role), ContactChangeAction.SET, current?.email ?? null, next.email, current?.userId ?? null, next.userId);
}

export async function clearRoleContact(change: AccountChange, role: ContactRoleKind): Promise<void> {
  const current = await change.manager.findOne(ContactRole, { where: { accountId: change.account.id, role } });
  if (!current) return;
  await change.manager.delete(ContactRole, { accountId: change.account.id, role });
  await change.record(slotOfRole(role), ContactChangeAction.CLEAR, current.email, null, current.userId, null);
}
