import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { Account } from "../accounts/account.entity";
import { changeAccount } from "../accounts/account-access";
import { SaveAccountContactsInput } from "./save-contacts.types";
import { saveAccountContacts } from "./save-contacts.service";
import type { Context } from "../context";

@Authorized()
@Resolver()
export class SaveContactsResolver {
  @Mutation(() => Account, {
    description:
      "Saves the whole contact settings form at once: all of it or, on any error, none of it. One history row per slot that changed. " +
      "A stale expectedVersion gets VERSION_CONFLICT. Needs ADMIN.",
  })
  saveAccountContacts(@Arg("input", () => SaveAccountContactsInput) input: SaveAccountContactsInput, @Ctx() context: Context) {
    return changeAccount(context, input.accountId, (change) => saveAccountContacts(change, input), input.expectedVersion);
  }
}
