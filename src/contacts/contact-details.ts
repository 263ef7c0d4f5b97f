import { normalisePhone } from "../common/phone";
import { normaliseLanguageTag } from "../common/language-tag";
import { checkName } from "../common/names";
import { badInput } from "../errors";
import type { Params } from "../i18n";
import { CONTACT_TITLE_MAX_LENGTH } from "./contact.enums";

/*
 * What a contact brings to a slot besides their address, each attribute declared once here with its
 * rule. Everything else follows from the list: the slot row (`contact_slots`) has a column of the
 * attribute's name, a history row (`contact_changes`) has `previous<Name>` and `new<Name>`, the
 * inputs have a field of the name (`ContactDetailsField` in contact.types.ts). The compiler holds the
 * entities and the input fields to this list, so a new attribute that misses one of them does not build.
 */

/** Why a value given for an attribute is refused: the message key and its parameters. */
type Refusal = { key: Parameters<typeof badInput>[0]; params?: Params };

/** One attribute's rule: its stored form from what an input gave, or why it is refused. */
type DetailRule = (value: string) => { value: string } | Refusal;

export const CONTACT_DETAILS = {
  /** A phone number, stored in E.164. */
  phone: (value) => {
    const phone = normalisePhone(value);
    return phone === null ? { key: "BAD_USER_INPUT.phoneInvalid" } : { value: phone };
  },
  /** The holder's title for this slot, by the rules of a name. */
  title: (value) => {
    const checked = checkName(value, CONTACT_TITLE_MAX_LENGTH);
    return checked.ok ? { value: checked.name } : { key: checked.problem, params: { field: "title", max: CONTACT_TITLE_MAX_LENGTH } };
  },
  /** The language the contact reads (BCP 47), in its canonical case. */
  languageTag: (value) => {
    const tag = normaliseLanguageTag(value);
    return tag === null ? { key: "BAD_USER_INPUT.languageTagInvalid" } : { value: tag };
  },
} as const satisfies Record<string, DetailRule>;

export type ContactDetailKey = keyof typeof CONTACT_DETAILS;

export const CONTACT_DETAIL_KEYS = Object.keys(CONTACT_DETAILS) as ContactDetailKey[];

/** A slot's details as stored; null where the contact has none. */
export type ContactDetails = { [K in ContactDetailKey]: string | null };

/** What an input says of a slot's details: one left out (undefined) stays as it is, null clears it. */
export type ContactDetailsGiven = { [K in ContactDetailKey]?: string | null };

/** The details of a slot whose contact brought none. */
export const NO_CONTACT_DETAILS = Object.fromEntries(CONTACT_DETAIL_KEYS.map((key) => [key, null])) as ContactDetails;

/** The details an input gives, and nothing else of it. */
export function givenDetails(input: ContactDetailsGiven): ContactDetailsGiven {
  const given: ContactDetailsGiven = {};
  for (const key of CONTACT_DETAIL_KEYS) if (input[key] !== undefined) given[key] = input[key];
  return given;
}

export function sameContactDetails(a: ContactDetails, b: ContactDetails): boolean {
  return CONTACT_DETAIL_KEYS.every((key) => a[key] === b[key]);
}

/**
 * The details a slot row gets: those the input gives, in their stored form; the others as they were
 * for a contact who stays (`kept`), none for a new one (a phone belongs to the person, not to the
 * slot). `prefix` is where the input holds them (`roleContacts.2.`), for the error naming the field.
 */
export function checkContactDetails(kept: ContactDetails | null, input: ContactDetailsGiven, prefix: string): ContactDetails {
  const details = { ...NO_CONTACT_DETAILS };
  for (const key of CONTACT_DETAIL_KEYS) {
    const given = input[key];
    if (given === undefined) {
      details[key] = kept?.[key] ?? null;
      continue;
    }
    if (given === null) continue;
    const checked: { value: string } | Refusal = CONTACT_DETAILS[key](given);
    if ("key" in checked) throw badInput(checked.key, checked.params ?? {}, `${prefix}${key}`);
    details[key] = checked.value;
  }
  return details;
}

/** A history row's columns for the details before and after a change. */
export type ContactDetailsHistory = { [K in ContactDetailKey as `previous${Capitalize<K>}`]: string | null } & {
  [K in ContactDetailKey as `new${Capitalize<K>}`]: string | null;
};

const capitalised = (key: string) => `${key[0]!.toUpperCase()}${key.slice(1)}`;

/** The history columns for a change from `previous` to `next` (null or absent: no contact, or no details). */
export function contactDetailsHistory(
  previous: Partial<ContactDetails> | null,
  next: Partial<ContactDetails> | null,
): ContactDetailsHistory {
  const columns: Record<string, string | null> = {};
  for (const key of CONTACT_DETAIL_KEYS) {
    columns[`previous${capitalised(key)}`] = previous?.[key] ?? null;
    columns[`new${capitalised(key)}`] = next?.[key] ?? null;
  }
  return columns as ContactDetailsHistory;
}
