import type { AccountChange } from "../accounts/account-change";
import { CONTACT_ROLE_ORDER, type ContactRoleKind } from "./contact.enums";
import {
  addBillingContact,
  billingContactsOf,
  clearRoleContact,
  removeBillingContact,
  setPrimaryContact,
  setRoleContact,
  type RoleContactTarget,
} from "./contact.service";
import { badInput } from "../errors";
import type { ContactDetailsGiven } from "./contact-details";

/** What a save names; a part left out (undefined) stays as it is. */
export interface AccountContactsForm {
  primaryContactUserId?: string;
  /** The primary contact's phone and title. */
  primaryContactDetails?: ContactDetailsGiven;
  billingContactUserIds?: string[];
  /** Billing contacts' phones and titles, each by member. */
  billingContactDetails: (ContactDetailsGiven & { userId: string })[];
  /** Each a role given to someone, or (`clear`) left without a contact. */
  roleContacts: (RoleContactTarget & { role: ContactRoleKind; clear?: boolean | null })[];
}

/**
 * Makes every slot the form names what it says, inside one AccountChange, through the same rules as the
 * single-slot mutations; a slot it does not name is left alone, so a client that does not know a role
 * never clears it. Only slots that differ are written (and recorded), so saving an unchanged form
 * changes nothing. Billing contacts are removed before any is added, so swapping one works at the cap.
 */
export async function saveAccountContacts(change: AccountChange, form: AccountContactsForm): Promise<void> {
  const billingIds = form.billingContactUserIds;
  if (billingIds && new Set(billingIds).size !== billingIds.length) {
    throw badInput("BAD_USER_INPUT.duplicateBillingContacts", {}, "billingContactUserIds");
  }
  const roles = form.roleContacts.map((entry) => entry.role);
  if (new Set(roles).size !== roles.length) throw badInput("BAD_USER_INPUT.duplicateRoles", {}, "roleContacts");

  for (const [index, entry] of form.roleContacts.entries()) {
    if (entry.clear && [entry.userId, entry.email, entry.phone, entry.title, entry.languageTag].some((value) => value != null))
      throw badInput("BAD_USER_INPUT.clearWithContact", {}, `roleContacts.${index}.clear`);
  }

  const detailsOf = new Map(
    form.billingContactDetails.map((entry, index) => [entry.userId, { entry, prefix: `billingContactDetails.${index}.` }]),
  );
  if (detailsOf.size !== form.billingContactDetails.length)
    throw badInput("BAD_USER_INPUT.duplicateBillingContactDetails", {}, "billingContactDetails");

  if (form.primaryContactUserId !== undefined || form.primaryContactDetails) {
    const primary = form.primaryContactUserId ?? (await change.contacts()).primary.user!.id;
    await setPrimaryContact(change, primary, "primaryContactUserId", form.primaryContactDetails ?? {}, "primaryContactDetails.");
  }

  if (billingIds || detailsOf.size > 0) {
    const wanted = new Set(billingIds ?? (await billingContactsOf(change)).flatMap((contact) => (contact.userId ? [contact.userId] : [])));
    for (const [userId, { prefix }] of detailsOf) {
      if (!wanted.has(userId)) throw badInput("BAD_USER_INPUT.notABillingContact", {}, `${prefix}userId`);
    }
    if (billingIds) {
      for (const contact of await billingContactsOf(change)) {
        if (contact.userId && !wanted.has(contact.userId)) await removeBillingContact(change, contact.userId);
      }
      for (const [index, userId] of billingIds.entries()) {
        const details = detailsOf.get(userId);
        await addBillingContact(
          change,
          userId,
          `billingContactUserIds.${index}`,
          "billingContactUserIds",
          details?.entry ?? {},
          details?.prefix ?? "",
        );
      }
    } else {
      for (const [userId, { entry, prefix }] of detailsOf)
        await addBillingContact(change, userId, `${prefix}userId`, "billingContactUserIds", entry, prefix);
    }
  }

  for (const role of CONTACT_ROLE_ORDER) {
    const index = form.roleContacts.findIndex((candidate) => candidate.role === role);
    if (index < 0) continue;
    const entry = form.roleContacts[index]!;
    if (entry.clear) await clearRoleContact(change, role);
    else await setRoleContact(change, role, entry, `roleContacts.${index}.`, false);
  }
}
