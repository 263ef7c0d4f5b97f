import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { Account } from "./account.entity";
import { SetAllowedContactDomainsInput, SetAllowedContactDomainsPayload } from "./contact-domain.types";
import { setAllowedContactDomains } from "./contact-domain.service";
import { OUTSIDE_ADDRESS_ROLE_NAMES } from "../contacts/contact.enums";
import type { Context } from "../context";

@Resolver(() => Account)
export class ContactDomainResolver {
  @FieldResolver(() => [String], {
    description:
      `The domains an outside address must have to be given the ${OUTSIDE_ADDRESS_ROLE_NAMES} role, in alphabetical order and in ASCII form; ` +
      "empty when any address may be. Matched exactly (a subdomain is not covered by its parent). Members' own addresses are never restricted.",
  })
  allowedContactDomains(@Root() account: Account, @Ctx() context: Context): Promise<string[]> {
    return context.loaders.allowedContactDomains.load(account.id);
  }

  @Authorized()
  @Mutation(() => SetAllowedContactDomainsPayload, {
    nullable: true,
    description:
      "Replaces the account's list of allowed domains for outside contact addresses; a change is kept in settingChanges. " +
      "Outside addresses already held are kept: those outside the new list show in contactHealth as DOMAIN_NOT_ALLOWED. Needs ADMIN.",
  })
  async setAllowedContactDomains(
    @Arg("input", () => SetAllowedContactDomainsInput) input: SetAllowedContactDomainsInput,
    @Ctx() context: Context,
  ) {
    return context.changeAccount(input.accountId, (change) => setAllowedContactDomains(change, input.domains));
  }
}
