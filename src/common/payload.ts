import { Field, ObjectType } from "type-graphql";
import { Account } from "../accounts/account.entity";

/** What a mutation that changes one account answers: the account as it is after the change. */
export interface AccountPayloadShape {
  account: Account;
}

/**
 * A `<Mutation>Payload` type carrying the changed account. Every mutation answers with a payload of
 * its own rather than a bare object, so a result can gain fields later without breaking anyone.
 */
export function AccountPayload(name: string, description: string) {
  @ObjectType(name, { description })
  class AccountPayloadClass implements AccountPayloadShape {
    @Field(() => Account, { description: "The account after the change, with everything a settings screen shows." })
    account: Account;
  }
  return AccountPayloadClass;
}
