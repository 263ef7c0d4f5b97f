import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { SaveAccountContactsInput, SaveAccountContactsPayload } from "./save-contacts.types";
import { saveAccountContacts } from "./save-contacts.service";
import { rowIdOf } from "../common/global-id";
import type { Context } from "../context";

@Resolver()
export class SaveContactsResolver {
  @Authorized()
  @Mutation(() => SaveAccountContactsPayload, {
    description:
      "Saves the whole contact settings form at once: all of it or, on any error, none of it. One history row per slot that changed. " +
      "A stale expectedVersion gets VERSION_CONFLICT. Needs ADMIN.",
  })
  async saveAccountContacts(@Arg("input", () => SaveAccountContactsInput) input: SaveAccountContactsInput, @Ctx() context: Context) {
    const form = {
      primaryContactUserId: rowIdOf(input.primaryContactUserId, "User", "primaryContactUserId"),
      billingContactUserIds: input.billingContactUserIds.map((id) => rowIdOf(id, "User", "billingContactUserIds")),
      roleContacts: input.roleContacts.map((entry, index) => ({
        role: entry.role,
        userId: entry.userId == null ? entry.userId : rowIdOf(entry.userId, "User", `roleContacts.${index}.userId`),
        email: entry.email,
      })),
    };
    return context.changeAccount(input.accountId, (change) => saveAccountContacts(change, form), input.expectedVersion);
  }
}
