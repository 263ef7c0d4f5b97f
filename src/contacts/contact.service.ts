import type { AccountChange } from "../accounts/account-change";
import type { AccountContact } from "./account-contact.entity";
import { memberByEmail } from "../members/member.queries";
import { BILLING_CONTACT_LIMIT, ContactChangeAction, contactRole, ContactSlot, outsideAddressTitles, slotOfRole, type ContactRoleKind } from "./contact.enums";
import { badInput, DomainError } from "../errors";
import { message } from "../i18n";
import { normaliseEmail } from "../common/email";
import { forgetVerification, isDeclined, startVerification } from "../verification/verification.service";
import { deleteSlotRow, insertSlotRow, slotRows, updateSlotRow } from "./contact-writes.queries";

/*
 * The rules for every contact slot. Each function runs inside an open AccountChange (one transaction
 * holding the account's write lock) and is idempotent: asking for what is already so writes nothing.
 * Every slot is a `contact_slots` row; these functions decide which rows, and write them through
 * contact-writes.queries.
 */

/** A new row for a slot, given by the change's actor now. */
function slotRow(change: AccountChange, slot: ContactSlot, position: number, holder: { userId: string | null; email: string }): AccountContact {
  return { accountId: change.account.id, slot, position, userId: holder.userId, email: holder.email, updatedAt: new Date(), updatedById: change.actor.id };
}

/** The row of a slot held once, or null while it is empty. */
async function singleSlot(change: AccountChange, slot: ContactSlot): Promise<AccountContact | null> {
  return (await slotRows(change.manager, change.account.id, slot))[0] ?? null;
}

/** `field` is where the input named `userId`, for the error refusing a non-member. */
export async function setPrimaryContact(change: AccountChange, userId: string, field = "userId"): Promise<void> {
  const member = await change.member(userId, field);
  const current = await singleSlot(change, ContactSlot.PRIMARY);
  if (!current) throw new Error(`Account ${change.account.id} has no primary contact.`);
  if (current.userId === member.userId) return;
  const next = slotRow(change, ContactSlot.PRIMARY, 0, { userId: member.userId, email: member.user.email });
  await updateSlotRow(change.manager, current, next);
  await change.record(ContactSlot.PRIMARY, ContactChangeAction.SET, current.email, next.email, current.userId, next.userId);
}

/** The account's billing contacts, in order, as this change sees them. */
export async function billingContactsOf(change: AccountChange): Promise<AccountContact[]> {
  return slotRows(change.manager, change.account.id, ContactSlot.BILLING);
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
  await insertSlotRow(change.manager, slotRow(change, ContactSlot.BILLING, current.length, { userId: member.userId, email: member.user.email }));
  await change.record(ContactSlot.BILLING, ContactChangeAction.ADD, null, member.user.email, null, member.userId);
}

export async function removeBillingContact(change: AccountChange, userId: string): Promise<void> {
  const current = await billingContactsOf(change);
  const index = current.findIndex((contact) => contact.userId === userId);
  if (index < 0) return;
  const removed = current[index]!;
  await deleteSlotRow(change.manager, removed);
  // Close the gap one row at a time, lowest first, so (account, slot, position) stays unique at every step.
  for (const later of current.slice(index + 1)) {
    await updateSlotRow(change.manager, later, { position: later.position - 1 });
  }
  await change.record(ContactSlot.BILLING, ContactChangeAction.REMOVE, removed.email, null, userId, null);
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
  const slot = slotOfRole(role);
  const current = await singleSlot(change, slot);
  const unchanged = current && current.userId === next.userId && current.email === next.email;
  if (unchanged && !(askDeclinedAgain && next.userId === null && (await isDeclined(change.manager, change.account.id, role, next.email)))) return;
  const row = slotRow(change, slot, 0, next);
  if (current) await updateSlotRow(change.manager, current, row);
  else await insertSlotRow(change.manager, row);
  // An outside address must be confirmed by its owner; a new address starts that over.
  if (next.userId === null) await startVerification(change, role, next.email);
  else if (current?.userId === null) await forgetVerification(change, role);
  await change.record(slot, ContactChangeAction.SET, current?.email ?? null, next.email, current?.userId ?? null, next.userId);
}

export async function clearRoleContact(change: AccountChange, role: ContactRoleKind): Promise<void> {
  const current = await singleSlot(change, slotOfRole(role));
  if (!current) return;
  await deleteSlotRow(change.manager, current);
  if (current.userId === null) await forgetVerification(change, role);
  await change.record(current.slot, ContactChangeAction.CLEAR, current.email, null, current.userId, null);
}
