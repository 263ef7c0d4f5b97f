import { registerEnumType } from "type-graphql";

export enum ContactRoleKind {
  DECISION_MAKER = "DECISION_MAKER",
  IMPLEMENTATION = "IMPLEMENTATION",
  SECURITY = "SECURITY",
  TECHNICAL_ADMIN = "TECHNICAL_ADMIN",
}

/** The order roles are listed in everywhere: `roleContacts`, notification recipients, contact health. */
export const CONTACT_ROLE_ORDER: readonly ContactRoleKind[] = [
  ContactRoleKind.DECISION_MAKER,
  ContactRoleKind.IMPLEMENTATION,
  ContactRoleKind.SECURITY,
  ContactRoleKind.TECHNICAL_ADMIN,
];

/** Compares two roles by CONTACT_ROLE_ORDER, for `sort`. */
export function byContactRoleOrder(a: ContactRoleKind, b: ContactRoleKind): number {
  return CONTACT_ROLE_ORDER.indexOf(a) - CONTACT_ROLE_ORDER.indexOf(b);
}

export enum ContactSlot {
  PRIMARY = "PRIMARY",
  BILLING = "BILLING",
  DECISION_MAKER = "DECISION_MAKER",
  IMPLEMENTATION = "IMPLEMENTATION",
  SECURITY = "SECURITY",
  TECHNICAL_ADMIN = "TECHNICAL_ADMIN",
}

export enum ContactChangeAction {
  SET = "SET",
  ADD = "ADD",
  REMOVE = "REMOVE",
  CLEAR = "CLEAR",
}

/** Billing contacts an account may have at most. */
export const BILLING_CONTACT_LIMIT = 3;

registerEnumType(ContactRoleKind, {
  name: "ContactRoleKind",
  description: "The named roles an account can assign one contact each.",
  valuesConfig: {
    DECISION_MAKER: { description: "Signs off purchases and renewals; receives renewal notices." },
    IMPLEMENTATION: { description: "Leads the rollout; receives implementation notices." },
    SECURITY: { description: "Receives security notices. May be a member or the email address of someone who is not a user." },
    TECHNICAL_ADMIN: { description: "Administers the technical set-up; receives technical and security notices." },
  },
});

registerEnumType(ContactSlot, {
  name: "ContactSlot",
  description: "Every kind of place a contact can hold in an account.",
  valuesConfig: {
    PRIMARY: { description: "The primary account contact: receives all important account notifications." },
    BILLING: { description: "One of up to three billing contacts: receives invoices, receipts, orders and renewal notices." },
    DECISION_MAKER: { description: "The decision maker role." },
    IMPLEMENTATION: { description: "The implementation contact role." },
    SECURITY: { description: "The security contact role." },
    TECHNICAL_ADMIN: { description: "The technical administrator role." },
  },
});

registerEnumType(ContactChangeAction, {
  name: "ContactChangeAction",
  description: "What a change did to a contact slot.",
  valuesConfig: {
    SET: { description: "The slot was given a (new) contact." },
    ADD: { description: "A billing contact was added." },
    REMOVE: { description: "A billing contact was removed." },
    CLEAR: { description: "The role was left without a contact." },
  },
});

/** The history slot a role is recorded under: every role is a slot of the same name. */
export function slotOfRole(role: ContactRoleKind): ContactSlot {
  return ContactSlot[role];
}

/** The role a slot names, or null for PRIMARY and BILLING. */
export function roleOfSlot(slot: ContactSlot): ContactRoleKind | null {
  return slot === ContactSlot.PRIMARY || slot === ContactSlot.BILLING ? null : ContactRoleKind[slot];
}
