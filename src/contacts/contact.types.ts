import { IsGlobalId } from "../common/global-id";
import { Field, ID, InputType } from "type-graphql";
import { IsOptional } from "class-validator";
import { IsEmailAddress } from "../common/email";
import { ContactRoleKind } from "./contact.enums";
import { AccountPayload, VersionedInput } from "../accounts/account.types";

@InputType({ description: "Makes a member the account's primary contact." })
export class SetPrimaryContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ID, { description: "The member who becomes the primary contact." })
  @IsGlobalId("User")
  userId: string;
}

@InputType({ description: "Adds a member to the account's billing contacts, after those already there." })
export class AddBillingContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ID, { description: "The member to add." })
  @IsGlobalId("User")
  userId: string;
}

@InputType({ description: "Removes a member from the account's billing contacts." })
export class RemoveBillingContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ID, { description: "The billing contact to remove." })
  @IsGlobalId("User")
  userId: string;
}

@InputType({ description: "Gives a role to a member (userId) or, for SECURITY only, to an email address outside the account. Give exactly one of userId and email." })
export class SetRoleContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role to fill." })
  role: ContactRoleKind;

  @Field(() => ID, { nullable: true, description: "The member who takes the role." })
  @IsOptional()
  @IsGlobalId("User")
  userId?: string | null;

  @Field(() => String, { nullable: true, description: "For SECURITY only: the address of the contact. A member's address stores that member." })
  @IsOptional()
  @IsEmailAddress()
  email?: string | null;
}

@InputType({ description: "Leaves a role without a contact." })
export class ClearRoleContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role to clear." })
  role: ContactRoleKind;
}


export const SetPrimaryContactPayload = AccountPayload("SetPrimaryContactPayload", "The result of setPrimaryContact.");
export const AddBillingContactPayload = AccountPayload("AddBillingContactPayload", "The result of addBillingContact.");
export const RemoveBillingContactPayload = AccountPayload("RemoveBillingContactPayload", "The result of removeBillingContact.");
export const SetRoleContactPayload = AccountPayload("SetRoleContactPayload", "The result of setRoleContact.");
export const ClearRoleContactPayload = AccountPayload("ClearRoleContactPayload", "The result of clearRoleContact.");
