import type { AccountContacts } from "../contacts/account-contacts";
import {
  BILLING_CONTACT_LIMIT,
  byContactSlotOrder,
  CONTACT_ROLE_ORDER,
  type ContactRoleKind,
  type ContactSlot,
} from "../contacts/contact.enums";
import type { ContactIssueKind } from "./contact-health.enums";
import type { SlotIssues } from "./needs-attention.queries";

/** An account's contact health, as `Account.contactHealth` answers it. */
export interface ContactHealthReport {
  missingRoles: ContactRoleKind[];
  billingContactsFree: number;
  issues: { slot: ContactSlot; email: string; kind: ContactIssueKind }[];
  needsAttention: boolean;
}

/** Puts an account's contact health together from its contacts and the issues of its slots, as loaded; reads nothing itself. */
export function contactHealthOf(contacts: AccountContacts, slotIssues: readonly SlotIssues[]): ContactHealthReport {
  const issues = [...slotIssues]
    .sort((a, b) => byContactSlotOrder(a.slot, b.slot) || a.position - b.position)
    .flatMap((held) => held.kinds.map((kind) => ({ slot: held.slot, email: held.email, kind })));
  const held = new Set(contacts.roles);
  const missingRoles = CONTACT_ROLE_ORDER.filter((role) => !held.has(role));
  return {
    missingRoles,
    billingContactsFree: BILLING_CONTACT_LIMIT - contacts.billing.length,
    issues,
    needsAttention: missingRoles.length > 0 || issues.length > 0,
  };
}
