import { registerEnumType } from "type-graphql";
import { ContactSlot } from "../contacts/contact.enums";

export enum NotificationCategory {
  INVOICE = "INVOICE",
  RECEIPT = "RECEIPT",
  ORDER = "ORDER",
  RENEWAL = "RENEWAL",
  ACCOUNT_UPDATE = "ACCOUNT_UPDATE",
  SECURITY = "SECURITY",
  TECHNICAL = "TECHNICAL",
  IMPLEMENTATION = "IMPLEMENTATION",
}

registerEnumType(NotificationCategory, {
  name: "NotificationCategory",
  description: "The kinds of notification an account receives; each goes to the contact slots listed for it.",
  valuesConfig: {
    INVOICE: { description: "Invoices: the primary and billing contacts." },
    RECEIPT: { description: "Receipts: the primary and billing contacts." },
    ORDER: { description: "Orders: the primary and billing contacts." },
    RENEWAL: { description: "Renewal notices: the primary and billing contacts and the decision maker." },
    ACCOUNT_UPDATE: { description: "Account updates: the primary contact." },
    SECURITY: { description: "Security notices: the primary, security and technical administrator contacts." },
    TECHNICAL: { description: "Technical notices: the primary contact and the technical administrator." },
    IMPLEMENTATION: { description: "Implementation notices: the primary and implementation contacts." },
  },
});

const { PRIMARY, BILLING, DECISION_MAKER, IMPLEMENTATION, SECURITY, TECHNICAL_ADMIN } = ContactSlot;

/** Which slots receive which category. */
export const NOTIFICATION_ROUTES: Readonly<Record<NotificationCategory, ReadonlySet<ContactSlot>>> = {
  INVOICE: new Set([PRIMARY, BILLING]),
  RECEIPT: new Set([PRIMARY, BILLING]),
  ORDER: new Set([PRIMARY, BILLING]),
  RENEWAL: new Set([PRIMARY, BILLING, DECISION_MAKER]),
  ACCOUNT_UPDATE: new Set([PRIMARY]),
  SECURITY: new Set([PRIMARY, SECURITY, TECHNICAL_ADMIN]),
  TECHNICAL: new Set([PRIMARY, TECHNICAL_ADMIN]),
  IMPLEMENTATION: new Set([PRIMARY, IMPLEMENTATION]),
};

/** A contact holding one slot, in the order slots are listed: primary, billing in order, roles. */
export interface SlotHolder<TUser> {
  slot: ContactSlot;
  email: string;
  user: TUser | null;
}

export interface Recipient<TUser> {
  email: string;
  user: TUser | null;
  reasons: ContactSlot[];
}

/** The recipients of a category: one per email, in first-slot order, with every slot that makes them one. */
export function routeNotification<TUser>(category: NotificationCategory, holders: SlotHolder<TUser>[]): Recipient<TUser>[] {
  const routed = NOTIFICATION_ROUTES[category];
  const recipients = new Map<string, Recipient<TUser>>();
  for (const holder of holders) {
    if (!routed.has(holder.slot)) continue;
    const existing = recipients.get(holder.email);
    if (!existing) recipients.set(holder.email, { email: holder.email, user: holder.user, reasons: [holder.slot] });
    else if (!existing.reasons.includes(holder.slot)) existing.reasons.push(holder.slot);
  }
  return [...recipients.values()];
}
