import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { ContactRole } from "./contact-role.types";
import { OUTSIDE_ADDRESS_ROLE_NAMES } from "./contact.enums";
import {
  AddBillingContactInput,
  AddBillingContactPayload,
  ClearRoleContactInput,
  ClearRoleContactPayload,
  RemoveBillingContactInput,
  RemoveBillingContactPayload,
  SetPrimaryContactInput,
  SetPrimaryContactPayload,
  SetRoleContactInput,
  SetRoleContactPayload,
} from "./contact.types";
import { givenDetails } from "./contact-details";
import { addBillingContact, clearRoleContact, removeBillingContact, setPrimaryContact, setRoleContact } from "./contact.service";
import { globalId, rowIdOf } from "../common/global-id";
import { User } from "../users/user.entity";
import type { Context } from "../context";

@Resolver(() => ContactRole)
export class ContactResolver {
  @FieldResolver(() => User, { nullable: true, description: "The member holding the role; null for an external security contact." })
  user(@Root() contact: ContactRole, @Ctx() context: Context): Promise<User | null> | null {
    return contact.userId ? context.loaders.userById.load(contact.userId) : null;
  }

  @FieldResolver(() => Boolean, { description: "True when the contact is an email address of someone who is not a member." })
  isExternal(@Root() contact: ContactRole): boolean {
    return contact.userId === null;
  }

  @FieldResolver(() => User, { nullable: true, description: "Who last set this role." })
  updatedBy(@Root() contact: ContactRole, @Ctx() context: Context): Promise<User | null> | null {
    return contact.updatedById ? context.loaders.userById.load(contact.updatedById) : null;
  }

  @FieldResolver(() => ID, { description: "The role contact's global id (one per account and role)." })
  id(@Root() contact: ContactRole): string {
    return globalId("ContactRole", contact.accountId, contact.role);
  }

  @Authorized()
  @Mutation(() => SetPrimaryContactPayload, {
    nullable: true,
    description:
      "Makes a member the primary account contact, with the phone and title given. Setting the current one again changes only the phone and title given. Needs ADMIN.",
  })
  async setPrimaryContact(@Arg("input", () => SetPrimaryContactInput) input: SetPrimaryContactInput, @Ctx() context: Context) {
    const userId = rowIdOf(input.userId, "User", "userId");
    const details = givenDetails(input);
    return context.changeAccount(input.accountId, (change) => setPrimaryContact(change, userId, "userId", details), input.expectedVersion);
  }

  @Authorized()
  @Mutation(() => AddBillingContactPayload, {
    nullable: true,
    description:
      "Adds a member as a billing contact, after the existing ones. A fourth is refused with BILLING_CONTACT_LIMIT; adding one again changes only the phone and title given. Needs ADMIN.",
  })
  async addBillingContact(@Arg("input", () => AddBillingContactInput) input: AddBillingContactInput, @Ctx() context: Context) {
    const userId = rowIdOf(input.userId, "User", "userId");
    const details = givenDetails(input);
    return context.changeAccount(
      input.accountId,
      (change) => addBillingContact(change, userId, "userId", "userId", details),
      input.expectedVersion,
    );
  }

  @Authorized()
  @Mutation(() => RemoveBillingContactPayload, {
    nullable: true,
    description: "Removes a billing contact. Removing someone who is not one changes nothing. Needs ADMIN.",
  })
  async removeBillingContact(@Arg("input", () => RemoveBillingContactInput) input: RemoveBillingContactInput, @Ctx() context: Context) {
    const userId = rowIdOf(input.userId, "User", "userId");
    return context.changeAccount(input.accountId, (change) => removeBillingContact(change, userId), input.expectedVersion);
  }

  @Authorized()
  @Mutation(() => SetRoleContactPayload, {
    nullable: true,
    description: `Gives a role to a member, or the ${OUTSIDE_ADDRESS_ROLE_NAMES} role to an outside email address. Give exactly one of userId and email. Needs ADMIN.`,
  })
  async setRoleContact(@Arg("input", () => SetRoleContactInput) input: SetRoleContactInput, @Ctx() context: Context) {
    const target = {
      userId: input.userId == null ? input.userId : rowIdOf(input.userId, "User", "userId"),
      email: input.email,
      ...givenDetails(input),
    };
    return context.changeAccount(input.accountId, (change) => setRoleContact(change, input.role, target), input.expectedVersion);
  }

  @Authorized()
  @Mutation(() => ClearRoleContactPayload, {
    nullable: true,
    description: "Leaves a role without a contact. Clearing an unset role changes nothing. Needs ADMIN.",
  })
  async clearRoleContact(@Arg("input", () => ClearRoleContactInput) input: ClearRoleContactInput, @Ctx() context: Context) {
    return context.changeAccount(input.accountId, (change) => clearRoleContact(change, input.role), input.expectedVersion);
  }
}
