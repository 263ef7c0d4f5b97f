import {
  BILLING_CONTACT_LIMIT,
  byContactSlotOrder,
  CONTACT_ROLE_ORDER,
  ContactSlot,
  type ContactRoleKind,
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

/** Puts an account's contact health together from its filled slots with their issues, as loaded; reads nothing itself. */
export function contactHealthOf(slots: readonly SlotIssues[]): ContactHealthReport {
  const issues = [...slots]
    .sort((a, b) => byContactSlotOrder(a.slot, b.slot) || a.position - b.position)
    .flatMap((held) => held.kinds.map((kind) => ({ slot: held.slot, email: held.email, kind })));
  const held = new Set<ContactSlot>(slots.map((filled) => filled.slot));
  const missingRoles = CONTACT_ROLE_ORDER.filter((role) => !held.has(role));
  return {
    missingRoles,
    billingContactsFree: BILLING_CONTACT_LIMIT - slots.filter((filled) => filled.slot === ContactSlot.BILLING).length,
    issues,
    needsAttention: missingRoles.length > 0 || issues.length > 0,
  };
}
