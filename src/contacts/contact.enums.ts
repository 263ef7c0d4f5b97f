import { registerEnumType } from "type-graphql";
import { translate, type LocalisedText } from "../i18n";

/** What the product knows about one named role; every list of roles in the service is read from CONTACT_ROLES. */
export interface ContactRoleDefinition {
  /** The role's name in the API and the database; its history slot has the same name. */
  readonly name: string;
  /** Whether the role may be held by an address outside the account (confirmed by its owner). */
  readonly outsideAddress: boolean;
  /** What the role is for, as a sentence without its notifications (those come from the routing table). */
  readonly duty: string;
  /** How the role is named in running text, such as a verification message. */
  readonly title: { readonly en: string; readonly pl: string };
}

/** The named roles, in the order they are listed everywhere: `roleContacts`, notification recipients, contact health. */
export const CONTACT_ROLES = [
  {
    name: "DECISION_MAKER",
    outsideAddress: false,
    duty: "Signs off purchases and renewals.",
    title: { en: "decision maker", pl: "osoba decyzyjna" },
  },
  {
    name: "IMPLEMENTATION",
    outsideAddress: false,
    duty: "Leads the rollout.",
    title: { en: "implementation contact", pl: "osoba kontaktowa ds. wdrażania" },
  },
  {
    name: "SECURITY",
    outsideAddress: true,
    duty: "Answers for the account's security.",
    title: { en: "security contact", pl: "osoba kontaktowa ds. bezpieczeństwa" },
  },
  {
    name: "TECHNICAL_ADMIN",
    outsideAddress: false,
    duty: "Administers the technical set-up.",
    title: { en: "technical administrator", pl: "administrator techniczny" },
  },
] as const satisfies readonly ContactRoleDefinition[];

type RoleName = (typeof CONTACT_ROLES)[number]["name"];
type NameMap<T extends string> = { readonly [K in T]: K };

function nameMap<T extends string>(names: readonly T[]): NameMap<T> {
  return Object.freeze(Object.fromEntries(names.map((name) => [name, name]))) as NameMap<T>;
}

/** The named roles an account can assign one contact each (a value per entry of CONTACT_ROLES). */
export const ContactRoleKind = nameMap(CONTACT_ROLES.map((role) => role.name));
export type ContactRoleKind = RoleName;

/** Every kind of place a contact can hold: PRIMARY, BILLING, then one slot per role, named as the role. */
export const ContactSlot = nameMap<"PRIMARY" | "BILLING" | RoleName>(["PRIMARY", "BILLING", ...CONTACT_ROLES.map((role) => role.name)]);
export type ContactSlot = keyof typeof ContactSlot;

/** The order roles are listed in everywhere: `roleContacts`, notification recipients, contact health. */
export const CONTACT_ROLE_ORDER: readonly ContactRoleKind[] = CONTACT_ROLES.map((role) => role.name);

/** The roles an outside address (not a member) may hold. */
export const OUTSIDE_ADDRESS_ROLES: readonly ContactRoleKind[] = CONTACT_ROLES.filter((role) => role.outsideAddress).map(
  (role) => role.name,
);

/** The roles an outside address may hold, as the API names them: "SECURITY", or "A or B". */
export const OUTSIDE_ADDRESS_ROLE_NAMES = OUTSIDE_ADDRESS_ROLES.join(" or ");

/** The roles an outside address may hold, in running text: "the security contact", „osoba kontaktowa ds. bezpieczeństwa”. */
export function outsideAddressTitles(): LocalisedText {
  const titles = CONTACT_ROLES.filter((role) => role.outsideAddress).map((role) => role.title);
  return { en: titles.map((title) => `the ${title.en}`).join(" or "), pl: titles.map((title) => title.pl).join(" lub ") };
}

/** The table entry of a role. */
export function contactRole(role: ContactRoleKind): ContactRoleDefinition {
  return CONTACT_ROLES[CONTACT_ROLE_ORDER.indexOf(role)];
}

/** Every slot in the order slots are listed: PRIMARY, BILLING, then the roles in CONTACT_ROLE_ORDER. */
export const CONTACT_SLOT_ORDER: readonly ContactSlot[] = Object.values(ContactSlot);

/** Compares two slots by CONTACT_SLOT_ORDER, for `sort`. */
export function byContactSlotOrder(a: ContactSlot, b: ContactSlot): number {
  return CONTACT_SLOT_ORDER.indexOf(a) - CONTACT_SLOT_ORDER.indexOf(b);
}

/** Compares two roles by CONTACT_ROLE_ORDER, for `sort`. */
export function byContactRoleOrder(a: ContactRoleKind, b: ContactRoleKind): number {
  return CONTACT_ROLE_ORDER.indexOf(a) - CONTACT_ROLE_ORDER.indexOf(b);
}

export enum ContactChangeAction {
  SET = "SET",
  ADD = "ADD",
  REMOVE = "REMOVE",
  CLEAR = "CLEAR",
  DECLINED = "DECLINED",
  VERIFIED = "VERIFIED",
  DETAILS = "DETAILS",
}

/** The longest title a slot's holder may be given. */
export const CONTACT_TITLE_MAX_LENGTH = 100;

/** Billing contacts an account may have at most. */
export const BILLING_CONTACT_LIMIT = 3;

/** How each slot is named to people, in every language: the seed's names (główny kontakt konta, …). */
export function slotName(slot: ContactSlot): LocalisedText {
  if (slot !== "PRIMARY" && slot !== "BILLING") return contactRole(slot).title;
  return { en: translate("en", `slot.${slot}`), pl: translate("pl", `slot.${slot}`) };
}

/** How each slot is named in descriptions: "the primary contact", "the billing contacts", "the decision maker". */
export function slotTitle(slot: ContactSlot): string {
  if (slot === "PRIMARY") return "the primary contact";
  if (slot === "BILLING") return "the billing contacts";
  return `the ${contactRole(slot).title.en}`;
}

registerEnumType(ContactChangeAction, {
  name: "ContactChangeAction",
  description: "What a change did to a contact slot.",
  valuesConfig: {
    SET: { description: "The slot was given a (new) contact." },
    ADD: { description: "A billing contact was added." },
    REMOVE: { description: "A billing contact was removed." },
    CLEAR: { description: "The role was left without a contact." },
    DECLINED: {
      description:
        'The owner of the role\'s outside address answered that it is not theirs ("This is not me"); the address still holds the role. changedBy is that address (ExternalContact).',
    },
    VERIFIED: {
      description: "The owner of the role's outside address confirmed it. changedBy is that address (ExternalContact).",
    },
    DETAILS: {
      description:
        "The slot kept its contact; their phone or title changed (previousPhone → newPhone, previousTitle → newTitle). previousEmail and newEmail are both the contact's address.",
    },
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
