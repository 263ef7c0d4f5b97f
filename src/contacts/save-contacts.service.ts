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

export interface AccountContactsForm {
  primaryContactUserId: string;
  billingContactUserIds: string[];
  roleContacts: (RoleContactTarget & { role: ContactRoleKind })[];
}

/**
 * Makes every slot what the form says, inside one AccountChange, through the same rules as the
 * single-slot mutations: only slots that differ are written (and recorded), so saving an unchanged
 * form changes nothing. Billing contacts are removed before any is added, so swapping one for another
 * works at the cap.
 */
export async function saveAccountContacts(change: AccountChange, form: AccountContactsForm): Promise<void> {
  const billingIds = form.billingContactUserIds;
  if (new Set(billingIds).size !== billingIds.length) {
    throw badInput("BAD_USER_INPUT.duplicateBillingContacts", {}, "billingContactUserIds");
  }
  const roles = form.roleContacts.map((entry) => entry.role);
  if (new Set(roles).size !== roles.length) throw badInput("BAD_USER_INPUT.duplicateRoles", {}, "roleContacts");

  await setPrimaryContact(change, form.primaryContactUserId, "primaryContactUserId");

  const wanted = new Set(billingIds);
  for (const contact of await billingContactsOf(change)) {
    if (!wanted.has(contact.userId)) await removeBillingContact(change, contact.userId);
  }
  for (const [index, userId] of billingIds.entries()) await addBillingContact(change, userId, `billingContactUserIds.${index}`);

  for (const role of CONTACT_ROLE_ORDER) {
    const index = form.roleContacts.findIndex((candidate) => candidate.role === role);
    if (index >= 0) await setRoleContact(change, role, form.roleContacts[index]!, `roleContacts.${index}.`, false);
    else await clearRoleContact(change, role);
  }
}
