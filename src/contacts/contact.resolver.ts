import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { RoleContact } from "./role-contact.entity";
import { BillingContactInput, ClearRoleContactInput, SetPrimaryContactInput, SetRoleContactInput } from "./contact.types";
import { addBillingContact, clearRoleContact, removeBillingContact, setPrimaryContact, setRoleContact } from "./contact.service";
import { Account } from "../accounts/account.entity";
import { changeAccount } from "../accounts/account-access";
import { User } from "../users/user.entity";
import type { Context } from "../context";

@Authorized()
@Resolver(() => RoleContact)
export class ContactResolver {
  @FieldResolver(() => User, { nullable: true, description: "The member holding the role; null for an external security contact." })
  user(@Root() contact: RoleContact, @Ctx() context: Context): Promise<User | null> | null {
    return contact.userId ? context.loaders.userById.load(contact.userId) : null;
  }

  @FieldResolver(() => Boolean, { description: "True when the contact is an email address of someone who is not a member." })
  isExternal(@Root() contact: RoleContact): boolean {
    return contact.userId === null;
  }

  @FieldResolver(() => User, { nullable: true, description: "Who last set this role." })
  updatedBy(@Root() contact: RoleContact, @Ctx() context: Context): Promise<User | null> | null {
    return contact.updatedById ? context.loaders.userById.load(contact.updatedById) : null;
  }

  @Mutation(() => Account, { description: "Makes a member the primary account contact. Setting the current one again changes nothing. Needs ADMIN." })
  setPrimaryContact(@Arg("input", () => SetPrimaryContactInput) input: SetPrimaryContactInput, @Ctx() context: Context) {
    return changeAccount(context, input.accountId, (change) => setPrimaryContact(change, input.userId), input.expectedVersion);
  }

  @Mutation(() => Account, {
    description: "Adds a member as a billing contact, after the existing ones. A fourth is refused with BILLING_CONTACT_LIMIT; adding one again changes nothing. Needs ADMIN.",
  })
  addBillingContact(@Arg("input", () => BillingContactInput) input: BillingContactInput, @Ctx() context: Context) {
    return changeAccount(context, input.accountId, (change) => addBillingContact(change, input.userId), input.expectedVersion);
  }

  @Mutation(() => Account, { description: "Removes a billing contact. Removing someone who is not one changes nothing. Needs ADMIN." })
  removeBillingContact(@Arg("input", () => BillingContactInput) input: BillingContactInput, @Ctx() context: Context) {
    return changeAccount(context, input.accountId, (change) => removeBillingContact(change, input.userId.toLowerCase()), input.expectedVersion);
  }

  @Mutation(() => Account, {
    description: "Gives a role to a member, or the SECURITY role to an outside email address. Give exactly one of userId and email. Needs ADMIN.",
  })
  setRoleContact(@Arg("input", () => SetRoleContactInput) input: SetRoleContactInput, @Ctx() context: Context) {
    return changeAccount(context, input.accountId, (change) => setRoleContact(change, input.role, input), input.expectedVersion);
  }

  @Mutation(() => Account, { description: "Leaves a role without a contact. Clearing an unset role changes nothing. Needs ADMIN." })
  clearRoleContact(@Arg("input", () => ClearRoleContactInput) input: ClearRoleContactInput, @Ctx() context: Context) {
    return changeAccount(context, input.accountId, (change) => clearRoleContact(change, input.role), input.expectedVersion);
  }
}
