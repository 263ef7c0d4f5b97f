import type { AccountChange } from "../accounts/account-change";
import type { AccountContact } from "./account-contact.entity";
import { memberByEmail } from "../members/member.queries";
import {
  BILLING_CONTACT_LIMIT,
  ContactChangeAction,
  contactRole,
  ContactSlot,
  outsideAddressTitles,
  slotOfRole,
  type ContactRoleKind,
} from "./contact.enums";
import { badInput, DomainError } from "../errors";
import { message } from "../i18n";
import { normaliseEmail } from "../common/email";
import { checkContactDetails, sameContactDetails, type ContactDetails, type ContactDetailsGiven } from "./contact-details";
import { forgetVerification, isDeclined, startVerification } from "../verification/verification.service";
import { refuseDisallowedContactDomain } from "../accounts/contact-domain.service";
import { deleteSlotRow, insertSlotRow, slotRows, updateSlotRow } from "./contact-writes.queries";

/*
 * The rules for every contact slot. Each function runs inside an open AccountChange (one transaction
 * holding the account's write lock) and is idempotent: asking for what is already so writes nothing.
 * Every slot is a `contact_slots` row; these functions decide which rows, and write them through
 * contact-writes.queries.
 */

/** A new row for a slot, given by the change's actor now. */
function slotRow(
  change: AccountChange,
  slot: ContactSlot,
  position: number,
  holder: { userId: string | null; email: string },
  details: ContactDetails,
): AccountContact {
  return {
    accountId: change.account.id,
    slot,
    position,
    userId: holder.userId,
    email: holder.email,
    ...details,
    updatedAt: new Date(),
    updatedById: change.actor.id,
  };
}

/** Gives the contact who stays in a slot row new details, recording the change; the same details change nothing. */
async function changeDetails(change: AccountChange, current: AccountContact, details: ContactDetails): Promise<void> {
  if (sameContactDetails(current, details)) return;
  await updateSlotRow(change.manager, current, { ...details, updatedAt: new Date(), updatedById: change.actor.id });
  await change.record(current.slot, ContactChangeAction.DETAILS, current, { ...current, ...details });
}

/** The row of a slot held once, or null while it is empty. */
async function singleSlot(change: AccountChange, slot: ContactSlot): Promise<AccountContact | null> {
  return (await slotRows(change.manager, change.account.id, slot))[0] ?? null;
}

/** `field` is where the input named `userId`, for the error refusing a non-member; `prefix` where it holds the phone and title. */
export async function setPrimaryContact(
  change: AccountChange,
  userId: string,
  field = "userId",
  input: ContactDetailsGiven = {},
  prefix = "",
): Promise<void> {
  const member = await change.member(userId, field);
  const current = await singleSlot(change, ContactSlot.PRIMARY);
  if (!current) throw new Error(`Account ${change.account.id} has no primary contact.`);
  const details = checkContactDetails(current.userId === member.userId ? current : null, input, prefix);
  if (current.userId === member.userId) return changeDetails(change, current, details);
  const next = slotRow(change, ContactSlot.PRIMARY, 0, { userId: member.userId, email: member.user.email }, details);
  await updateSlotRow(change.manager, current, next);
  await change.record(ContactSlot.PRIMARY, ContactChangeAction.SET, current, next);
}

/** The account's billing contacts, in order, as this change sees them. */
export async function billingContactsOf(change: AccountChange): Promise<AccountContact[]> {
  return slotRows(change.manager, change.account.id, ContactSlot.BILLING);
}

/**
 * `field` names the member in the input; `listField` the list the cap concerns (the member's own field
 * when absent); `prefix` where the input holds the phone and title. Adding a billing contact again
 * changes only the phone and title the input gives.
 */
export async function addBillingContact(
  change: AccountChange,
  userId: string,
  field = "userId",
  listField = field,
  input: ContactDetailsGiven = {},
  prefix = "",
): Promise<void> {
  const member = await change.member(userId, field);
  const current = await billingContactsOf(change);
  const existing = current.find((contact) => contact.userId === member.userId);
  const details = checkContactDetails(existing ?? null, input, prefix);
  if (existing) return changeDetails(change, existing, details);
  if (current.length >= BILLING_CONTACT_LIMIT) {
    throw new DomainError("BILLING_CONTACT_LIMIT.limitReached", { limit: BILLING_CONTACT_LIMIT }, { limit: BILLING_CONTACT_LIMIT }, [
      { field: listField, message: message("BILLING_CONTACT_LIMIT.limitReached", { limit: BILLING_CONTACT_LIMIT }) },
    ]);
  }
  const row = slotRow(change, ContactSlot.BILLING, current.length, { userId: member.userId, email: member.user.email }, details);
  await insertSlotRow(change.manager, row);
  await change.record(ContactSlot.BILLING, ContactChangeAction.ADD, null, row);
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
  await change.record(ContactSlot.BILLING, ContactChangeAction.REMOVE, removed, null);
}

/** Who a role is given to (a member or an outside address), and what the input says of their phone and title. */
export interface RoleContactTarget extends ContactDetailsGiven {
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
export async function setRoleContact(
  change: AccountChange,
  role: ContactRoleKind,
  target: RoleContactTarget,
  prefix = "",
  askDeclinedAgain = true,
): Promise<void> {
  const next = await resolveRoleTarget(change, role, target, prefix);
  const slot = slotOfRole(role);
  const current = await singleSlot(change, slot);
  const unchanged = current && current.userId === next.userId && current.email === next.email;
  const details = checkContactDetails(unchanged ? current : null, target, prefix);
  if (unchanged && !(askDeclinedAgain && next.userId === null && (await isDeclined(change.manager, change.account.id, role, next.email)))) {
    return changeDetails(change, current, details);
  }
  if (next.userId === null) await refuseDisallowedContactDomain(change, next.email, `${prefix}email`);
  const row = slotRow(change, slot, 0, next, details);
  if (current) await updateSlotRow(change.manager, current, row);
  else await insertSlotRow(change.manager, row);
  // An outside address must be confirmed by its owner; a new address starts that over.
  if (next.userId === null) await startVerification(change, role, next.email, row.languageTag);
  else if (current?.userId === null) await forgetVerification(change, role);
  await change.record(slot, ContactChangeAction.SET, current, row);
}

export async function clearRoleContact(change: AccountChange, role: ContactRoleKind): Promise<void> {
  const current = await singleSlot(change, slotOfRole(role));
  if (!current) return;
  await deleteSlotRow(change.manager, current);
  if (current.userId === null) await forgetVerification(change, role);
  await change.record(current.slot, ContactChangeAction.CLEAR, current, null);
}
