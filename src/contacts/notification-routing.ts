import { registerEnumType } from "type-graphql";
import { BILLING_CONTACT_LIMIT, CONTACT_ROLES, ContactRoleKind, ContactSlot, slotOfRole, slotTitle } from "./contact.enums";

/** Contacts an account holds at once: the primary contact, up to 3 billing contacts and one per role. */
export const MAX_SLOT_HOLDERS = 1 + BILLING_CONTACT_LIMIT + CONTACT_ROLES.length;

/** What one kind of notification is and which slots receive it. */
export interface NotificationCategoryDefinition {
  readonly name: string;
  /** How the category is named in running text, in the plural: "invoices". */
  readonly noun: string;
  /** The slots that receive it, in ContactSlot order. */
  readonly slots: readonly ContactSlot[];
}

/** The routing table: every kind of notification and the slots that receive it. */
export const NOTIFICATION_CATEGORIES = [
  { name: "INVOICE", noun: "invoices", slots: ["PRIMARY", "BILLING"] },
  { name: "RECEIPT", noun: "receipts", slots: ["PRIMARY", "BILLING"] },
  { name: "ORDER", noun: "orders", slots: ["PRIMARY", "BILLING"] },
  { name: "RENEWAL", noun: "renewal notices", slots: ["PRIMARY", "BILLING", "DECISION_MAKER"] },
  { name: "ACCOUNT_UPDATE", noun: "account updates", slots: ["PRIMARY"] },
  { name: "SECURITY", noun: "security notices", slots: ["PRIMARY", "SECURITY", "TECHNICAL_ADMIN"] },
  { name: "TECHNICAL", noun: "technical notices", slots: ["PRIMARY", "TECHNICAL_ADMIN"] },
  { name: "IMPLEMENTATION", noun: "implementation notices", slots: ["PRIMARY", "IMPLEMENTATION"] },
] as const satisfies readonly NotificationCategoryDefinition[];

export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number]["name"];
/** The kinds of notification (a value per entry of NOTIFICATION_CATEGORIES). */
export const NotificationCategory = Object.freeze(
  Object.fromEntries(NOTIFICATION_CATEGORIES.map((category) => [category.name, category.name])),
) as { readonly [K in NotificationCategory]: K };

/** Which slots receive which category. */
export const NOTIFICATION_ROUTES: Readonly<Record<NotificationCategory, ReadonlySet<ContactSlot>>> = Object.fromEntries(
  NOTIFICATION_CATEGORIES.map((category) => [category.name, new Set<ContactSlot>(category.slots)]),
) as unknown as Record<NotificationCategory, ReadonlySet<ContactSlot>>;

/** The categories a slot receives, in NOTIFICATION_CATEGORIES order. */
export function categoriesOf(slot: ContactSlot): NotificationCategoryDefinition[] {
  return NOTIFICATION_CATEGORIES.filter((category) => NOTIFICATION_ROUTES[category.name].has(slot));
}

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "receives invoices and orders", or "receives no notifications". */
function receives(slot: ContactSlot): string {
  const nouns = categoriesOf(slot).map((category) => category.noun);
  return nouns.length === 0 ? "receives no notifications" : `receives ${listed(nouns)}`;
}

const OUTSIDE_ADDRESS = "May be a member or the email address of someone who is not a user.";

// The enums' descriptions are written from the two tables, so the prose cannot disagree with the routing.
registerEnumType(ContactRoleKind, {
  name: "ContactRoleKind",
  description: "The named roles an account can assign one contact each.",
  valuesConfig: Object.fromEntries(
    CONTACT_ROLES.map((role) => [
      role.name,
      {
        description: [
          role.duty,
          `${capitalised(receives(slotOfRole(role.name)))}.`,
          ...(role.outsideAddress ? [OUTSIDE_ADDRESS] : []),
        ].join(" "),
      },
    ]),
  ),
});

registerEnumType(ContactSlot, {
  name: "ContactSlot",
  description: "Every kind of place a contact can hold in an account.",
  valuesConfig: {
    PRIMARY: { description: "The primary account contact: receives all important account notifications." },
    BILLING: { description: `One of up to ${BILLING_CONTACT_LIMIT} billing contacts: ${receives("BILLING")}.` },
    ...Object.fromEntries(
      CONTACT_ROLES.map((role) => [role.name, { description: `The ${role.title.en} role: ${receives(slotOfRole(role.name))}.` }]),
    ),
  },
});

registerEnumType(NotificationCategory, {
  name: "NotificationCategory",
  description: "The kinds of notification an account receives; each goes to the contact slots listed for it.",
  valuesConfig: Object.fromEntries(
    NOTIFICATION_CATEGORIES.map((category) => [
      category.name,
      { description: `${capitalised(category.noun)}: ${listed(category.slots.map(slotTitle))}.` },
    ]),
  ),
});

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
