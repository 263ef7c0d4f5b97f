import type { User } from "../users/user.entity";
import type { AccountContact } from "./account-contact.entity";
import { byContactSlotOrder, ContactSlot, roleOfSlot, type ContactRoleKind } from "./contact.enums";
import { routeNotification, type NotificationCategory, type Recipient, type SlotHolder } from "./notification-routing";

/**
 * One filled slot: which slot and place (`contact`, its `contact_slots` row), who holds it (`user`, a
 * member; null for an outside address) and where its mail goes (`email`). The one shape every reader
 * of slots uses: the API's AccountContact, routing and the slots a member holds.
 */
export interface HeldSlot extends SlotHolder<User> {
  readonly contact: AccountContact;
  readonly position: number;
}

/** A slot row with the member holding it (null for an outside address, or one the reader did not find). */
export function heldSlot(contact: AccountContact, user: User | null): HeldSlot {
  return { contact, slot: contact.slot, position: contact.position, email: contact.email, user };
}

/** Compares two slot rows: primary first, billing contacts in order, then roles in ContactRoleKind order. */
export function bySlotOrder(a: AccountContact, b: AccountContact): number {
  return byContactSlotOrder(a.slot, b.slot) || a.position - b.position;
}

/**
 * Who holds which of an account's contact slots: the one answer the read path (through the
 * `accountContacts` loader) and the write path (through `AccountChange.contacts()`) both use for
 * routing notifications and the slots a member holds.
 */
export class AccountContacts {
  /** Every filled slot, in slot order. */
  readonly slots: readonly HeldSlot[];

  constructor(slots: readonly HeldSlot[]) {
    this.slots = [...slots].sort((a, b) => bySlotOrder(a.contact, b.contact));
  }

  /** The primary contact: every account has one. */
  get primary(): HeldSlot {
    const primary = this.slots.find((held) => held.slot === ContactSlot.PRIMARY);
    if (!primary?.user) throw new Error("The account has no primary contact.");
    return primary;
  }

  /** The billing contacts, in order. */
  get billing(): readonly HeldSlot[] {
    return this.slots.filter((held) => held.slot === ContactSlot.BILLING);
  }

  /** The roles that are set, in ContactRoleKind order. */
  get roles(): readonly ContactRoleKind[] {
    return this.slots.flatMap((held) => {
      const role = roleOfSlot(held.slot);
      return role ? [role] : [];
    });
  }

  /** Every slot that is filled, primary first, then billing contacts in order, then roles in ContactRoleKind order. */
  holders(): HeldSlot[] {
    return [...this.slots];
  }

  /** The slots a user holds, in ContactSlot order; empty when none. */
  slotsOf(userId: string): ContactSlot[] {
    return [...new Set(this.slots.filter((held) => held.contact.userId === userId).map((held) => held.slot))];
  }

  /** Who receives a category of notification. */
  recipients(category: NotificationCategory): Recipient<User>[] {
    return routeNotification(category, this.holders());
  }
}
