import { checkEmail } from "../common/email";

/*
 * The domain allow-list for outside contact addresses (Account.allowedContactDomains). While an
 * account's list is non-empty, a role may be given to an outside address only if the address's
 * domain is on it. Matching is exact: `example.com` allows `anna@example.com`, not
 * `anna@mail.example.com` nor `anna@evil-example.com` (each subdomain must be listed). A domain is
 * kept in the form addresses are stored in (lower case, ASCII/punycode), so the match is a plain
 * string comparison. Contact health's DOMAIN_NOT_ALLOWED makes the same match in SQL, over the addresses
 * already held (`health/needs-attention.queries.ts`).
 */

/** How many domains one account's list may hold. */
export const CONTACT_DOMAINS_MAX = 20;

/** How many entries a list as given may hold, repeats included, before any is looked at. */
const CONTACT_DOMAINS_GIVEN_MAX = 5 * CONTACT_DOMAINS_MAX;

/** The full stops IDNA reads as dots: ideographic, fullwidth and halfwidth ideographic. */
const FULL_STOPS = /[\u3002\uff0e\uff61]/g;

/** The longest domain name DNS allows, in its ASCII form. */
export const CONTACT_DOMAIN_MAX_LENGTH = 253;

/**
 * The stored form of one domain, or null when it is not one: the domain of an address the service
 * would accept (a host name with a top-level domain, no IP literal, no underscore, valid punycode),
 * lower-cased and in ASCII. Ideographic and fullwidth full stops count as dots; one trailing dot (the fully qualified form) is dropped; wildcards and
 * anything with an `@` are refused.
 */
export function normaliseContactDomain(value: string): string | null {
  let domain = value.trim().replace(FULL_STOPS, ".");
  if (domain.endsWith(".")) domain = domain.slice(0, -1);
  if (domain === "" || /[@*\s]/.test(domain)) return null;
  // Checked as the domain of an address, so a listed domain and an address's domain are normalised by one rule.
  const checked = checkEmail(`contact@${domain}`);
  if (!checked.ok) return null;
  const normalised = domainOf(checked.email);
  return normalised.length <= CONTACT_DOMAIN_MAX_LENGTH ? normalised : null;
}

/** The part of a stored address after its @ (stored local parts hold none). */
export function domainOf(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1);
}

/** Whether an outside address (in its stored form) may hold a role under this list; an empty list allows every address. */
export function isAllowedContactAddress(email: string, allowedDomains: readonly string[]): boolean {
  return allowedDomains.length === 0 || allowedDomains.includes(domainOf(email));
}

/** The outcome of checking a list as given: the stored list (sorted, without repeats), or the index of the first entry refused. */
export type ContactDomainsCheck =
  | { ok: true; domains: string[] }
  | { ok: false; problem: "tooMany" }
  | { ok: false; problem: "invalid"; index: number };

/** Checks and normalises a list as an admin gave it; repeats (in any spelling) count once towards the limit. */
export function checkContactDomains(values: readonly string[]): ContactDomainsCheck {
  if (values.length > CONTACT_DOMAINS_GIVEN_MAX) return { ok: false, problem: "tooMany" };
  const domains = new Set<string>();
  for (const [index, value] of values.entries()) {
    const domain = normaliseContactDomain(value);
    if (domain === null) return { ok: false, problem: "invalid", index };
    domains.add(domain);
  }
  if (domains.size > CONTACT_DOMAINS_MAX) return { ok: false, problem: "tooMany" };
  return { ok: true, domains: [...domains].sort() };
}

/** How a list is written in the settings history: the domains separated by spaces, or null for the empty list (no restriction). */
export function contactDomainsValue(domains: readonly string[]): string | null {
  return domains.length === 0 ? null : domains.join(" ");
}
