import { Arg, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { SaveAccountContactsInput, SaveAccountContactsPayload } from "./save-contacts.types";
import { saveAccountContacts } from "./save-contacts.service";
import { rowIdOf } from "../common/global-id";
import { givenDetails } from "./contact-details";
import type { Context } from "../context";

@Resolver()
export class SaveContactsResolver {
  @Authorized()
  @Mutation(() => SaveAccountContactsPayload, {
    nullable: true,
    description:
      "Saves the contact slots a settings form changed, at once: all of them or, on any error, none. A slot the input does not name stays as it is; a role is cleared only by { role, clear: true }. One history row per slot that changed. " +
      "A stale expectedVersion gets VERSION_CONFLICT. Needs ADMIN.",
  })
  async saveAccountContacts(@Arg("input", () => SaveAccountContactsInput) input: SaveAccountContactsInput, @Ctx() context: Context) {
    const form = {
      primaryContactUserId:
        input.primaryContactUserId == null ? undefined : rowIdOf(input.primaryContactUserId, "User", "primaryContactUserId"),
      billingContactUserIds: input.billingContactUserIds?.map((id) => rowIdOf(id, "User", "billingContactUserIds")),
      roleContacts: (input.roleContacts ?? []).map((entry, index) => ({
        role: entry.role,
        clear: entry.clear,
        userId: entry.userId == null ? entry.userId : rowIdOf(entry.userId, "User", `roleContacts.${index}.userId`),
        email: entry.email,
        ...givenDetails(entry),
      })),
      primaryContactDetails: input.primaryContactDetails ? givenDetails(input.primaryContactDetails) : undefined,
      billingContactDetails: (input.billingContactDetails ?? []).map((entry, index) => ({
        userId: rowIdOf(entry.userId, "User", `billingContactDetails.${index}.userId`),
        ...givenDetails(entry),
      })),
    };
    return context.changeAccount(input.accountId, (change) => saveAccountContacts(change, form), input.expectedVersion);
  }
}
