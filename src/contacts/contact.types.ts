import { Field, ID, InputType } from "type-graphql";
import { IsOptional, IsUUID } from "class-validator";
import { IsEmailAddress } from "../common/email";
import { ContactRoleKind } from "./contact.enums";
import { VersionedInput } from "../accounts/account.types";

@InputType({ description: "Makes a member the account's primary contact." })
export class SetPrimaryContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsUUID("all", { message: "accountId is not a valid id" })
  accountId: string;

  @Field(() => ID, { description: "The member who becomes the primary contact." })
  @IsUUID("all", { message: "userId is not a valid id" })
  userId: string;
}

@InputType({ description: "Adds a member to, or removes one from, the account's billing contacts." })
export class BillingContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsUUID("all", { message: "accountId is not a valid id" })
  accountId: string;

  @Field(() => ID, { description: "The member to add or remove." })
  @IsUUID("all", { message: "userId is not a valid id" })
  userId: string;
}

@InputType({ description: "Gives a role to a member (userId) or, for SECURITY only, to an email address outside the account. Give exactly one of userId and email." })
export class SetRoleContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsUUID("all", { message: "accountId is not a valid id" })
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role to fill." })
  role: ContactRoleKind;

  @Field(() => ID, { nullable: true, description: "The member who takes the role." })
  @IsOptional()
  @IsUUID("all", { message: "userId is not a valid id" })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: "For SECURITY only: the address of the contact. A member's address stores that member." })
  @IsOptional()
  @IsEmailAddress()
  email?: string | null;
}

@InputType({ description: "Leaves a role without a contact." })
export class ClearRoleContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsUUID("all", { message: "accountId is not a valid id" })
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role to clear." })
  role: ContactRoleKind;
}

