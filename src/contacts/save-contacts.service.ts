import type { AccountChange } from "../accounts/account-access";
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
    throw badInput("billingContactUserIds names the same member more than once.", "billingContactUserIds");
  }
  const roles = form.roleContacts.map((entry) => entry.role);
  if (new Set(roles).size !== roles.length) throw badInput("roleContacts names the same role more than once.", "roleContacts");

  await setPrimaryContact(change, form.primaryContactUserId);

  const wanted = new Set(billingIds);
  for (const contact of await billingContactsOf(change)) {
    if (!wanted.has(contact.userId)) await removeBillingContact(change, contact.userId);
  }
  for (const userId of billingIds) await addBillingContact(change, userId);

  for (const role of CONTACT_ROLE_ORDER) {
    const entry = form.roleContacts.find((candidate) => candidate.role === role);
    if (entry) await setRoleContact(change, role, entry);
    else await clearRoleContact(change, role);
  }
}
