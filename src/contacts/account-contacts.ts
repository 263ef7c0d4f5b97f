import type { User } from "../users/user.entity";
import type { ContactRole } from "./contact-role.entity";
import { ContactSlot, slotOfRole } from "./contact.enums";
import { routeNotification, type NotificationCategory, type Recipient, type SlotHolder } from "../notifications/notification-routing";

/** One filled slot and who holds it: a member, or (for a role) an outside address with no user. */
export interface HeldSlot extends SlotHolder<User> {
  /** The role contact behind a role's slot; null for PRIMARY and BILLING. */
  role: ContactRole | null;
}

/**
 * Who holds which of an account's contact slots: the one answer the read path (through the
 * `accountContacts` loader) and the write path (through `AccountChange.contacts()`) both use for
 * routing notifications, the slots a member holds, and contact health.
 */
export class AccountContacts {
  private readonly roleHolders: ReadonlyMap<string, User>;

  constructor(
    readonly primary: User,
    /** The billing contacts, in the order they were added. */
    readonly billing: readonly User[],
    /** The roles that are set, in ContactRoleKind order. */
    readonly roles: readonly ContactRole[],
    /** The members holding roles, in any order. */
    roleHolders: readonly User[],
  ) {
    this.roleHolders = new Map(roleHolders.map((user) => [user.id, user]));
  }

  /** Every slot that is filled, primary first, then billing contacts in order, then roles in ContactRoleKind order. */
  holders(): HeldSlot[] {
    return [
      { slot: ContactSlot.PRIMARY, email: this.primary.email, user: this.primary, role: null },
      ...this.billing.map((user) => ({ slot: ContactSlot.BILLING, email: user.email, user, role: null })),
      ...this.roles.map((role) => ({
        slot: slotOfRole(role.role),
        email: role.email,
        user: role.userId ? (this.roleHolders.get(role.userId) ?? null) : null,
        role,
      })),
    ];
  }

  /** The slots a user holds, in ContactSlot order; empty when none. */
  slotsOf(userId: string): ContactSlot[] {
    return [
      ...(this.primary.id === userId ? [ContactSlot.PRIMARY] : []),
      ...(this.billing.some((user) => user.id === userId) ? [ContactSlot.BILLING] : []),
      ...this.roles.filter((role) => role.userId === userId).map((role) => slotOfRole(role.role)),
    ];
  }

  /** Who receives a category of notification. */
  recipients(category: NotificationCategory): Recipient<User>[] {
    return routeNotification(category, this.holders());
  }
}
