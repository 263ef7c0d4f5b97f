import { Field, ID, InputType } from "type-graphql";
import { IsGlobalId } from "../common/global-id";
import { AccountPayload } from "./account.types";
import { CONTACT_DOMAINS_MAX } from "./contact-domains";

@InputType({ description: "Replaces an account's list of domains that outside contact addresses may have. Needs ADMIN." })
export class SetAllowedContactDomainsInput {
  @Field(() => ID, { description: "The account's global id." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => [String], {
    description:
      `The whole new list, at most ${CONTACT_DOMAINS_MAX} distinct domain names such as example.com (an internationalised name is stored in its ASCII form; no wildcards). ` +
      "Matched exactly: a subdomain must be listed itself. An empty list lifts the restriction.",
  })
  domains: string[];
}

export const SetAllowedContactDomainsPayload = AccountPayload(
  "SetAllowedContactDomainsPayload",
  "The result of setAllowedContactDomains: the account with its list as it is now.",
);
