import type { AccountChange } from "./account-change";
import { checkContactDomains, CONTACT_DOMAINS_MAX, domainOf, isAllowedContactAddress } from "./contact-domains";
import { contactDomainsOf, replaceContactDomains } from "./contact-domain.queries";
import { badInput, DomainError } from "../errors";
import { message } from "../i18n";

/** The account's allowed contact domains as they stand in this change's transaction. */
async function contactDomainsIn(change: AccountChange): Promise<string[]> {
  return (await contactDomainsOf(change.manager, [change.account.id])).get(change.account.id) ?? [];
}

/** Replaces the account's allow-list (an empty list lifts the restriction), recording the change; the list it has already changes nothing. */
export async function setAllowedContactDomains(change: AccountChange, values: readonly string[]): Promise<void> {
  const checked = checkContactDomains(values);
  if (!checked.ok) {
    if (checked.problem === "tooMany") throw badInput("BAD_USER_INPUT.contactDomainsTooMany", { max: CONTACT_DOMAINS_MAX }, "domains");
    throw badInput("BAD_USER_INPUT.contactDomainInvalid", {}, `domains.${checked.index}`);
  }
  const previous = await contactDomainsIn(change);
  if (previous.join(" ") === checked.domains.join(" ")) return;
  await replaceContactDomains(change.manager, {
    accountId: change.account.id,
    actorId: change.actor.id,
    at: new Date(),
    previous,
    domains: checked.domains,
  });
  change.touch();
}

/** Refuses an outside address (stored form) whose domain the account's list leaves out; `field` is where the input gave it. */
export async function refuseDisallowedContactDomain(change: AccountChange, email: string, field: string): Promise<void> {
  if (isAllowedContactAddress(email, await contactDomainsIn(change))) return;
  const params = { domain: domainOf(email) };
  throw new DomainError("CONTACT_DOMAIN_NOT_ALLOWED.notAllowed", params, {}, [
    { field, message: message("CONTACT_DOMAIN_NOT_ALLOWED.notAllowed", params) },
  ]);
}
