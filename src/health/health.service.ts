import type { AccountContacts } from "../contacts/account-contacts";
import { BILLING_CONTACT_LIMIT, CONTACT_ROLE_ORDER, type ContactRoleKind, type ContactSlot } from "../contacts/contact.enums";
import type { ContactVerification } from "../verification/contact-verification.entity";
import type { DeliveryStatus } from "../notifications/notification-delivery.entity";
import type { ContactIssueKind } from "./contact-health.enums";
import { CONTACT_ISSUES, staleBefore } from "./needs-attention.queries";

/** An account's contact health, as `Account.contactHealth` answers it. */
export interface ContactHealthReport {
  missingRoles: ContactRoleKind[];
  billingContactsFree: number;
  issues: { slot: ContactSlot; email: string; kind: ContactIssueKind }[];
  needsAttention: boolean;
}

/** Works out an account's contact health from its contacts as loaded; reads nothing itself. */
export function contactHealthOf(
  contacts: AccountContacts,
  verifications: readonly ContactVerification[],
  failedDeliveries: readonly DeliveryStatus[],
  allowedContactDomains: readonly string[],
  now = new Date(),
): ContactHealthReport {
  const facts = {
    verifications,
    failedEmails: new Set(failedDeliveries.map((status) => status.email)),
    staleBefore: staleBefore(now),
    allowedContactDomains,
  };
  const kinds = Object.entries(CONTACT_ISSUES) as [ContactIssueKind, (typeof CONTACT_ISSUES)[ContactIssueKind]][];
  const issues = contacts
    .holders()
    .flatMap((holder) =>
      kinds.filter(([, issue]) => issue.holds(holder, facts)).map(([kind]) => ({ slot: holder.slot, email: holder.email, kind })),
    );
  const held = new Set(contacts.roles);
  const missingRoles = CONTACT_ROLE_ORDER.filter((role) => !held.has(role));
  return {
    missingRoles,
    billingContactsFree: BILLING_CONTACT_LIMIT - contacts.billing.length,
    issues,
    needsAttention: missingRoles.length > 0 || issues.length > 0,
  };
}
