import { ArgsType, Field, ID, InputType, ObjectType } from "type-graphql";
import { IsOptional, IsUUID } from "class-validator";
import { AccountMember, MemberRole } from "./account-member.entity";
import { ConnectionType, PageArgsType } from "../common/pagination";
import { IsEmailAddress } from "../common/email";
import { IsDisplayName } from "../common/names";

@ObjectType({ description: "A page of an account's members, in the order they joined." })
export class AccountMemberConnection extends ConnectionType(AccountMember, "AccountMember", "members") {}

@ArgsType()
export class MemberPageArgs extends PageArgsType(50) {}

@InputType({ description: "Adds a person to an account by email, or changes the role of an existing member." })
export class AddAccountMemberInput {
  @Field(() => ID, { description: "The account to add the member to." })
  @IsUUID("all", { message: "accountId is not a valid id" })
  accountId: string;

  @Field(() => String, { description: "The person's email address (at most 320 characters). A user record is created if they are new." })
  @IsEmailAddress()
  email: string;

  @Field(() => String, {
    nullable: true,
    description:
      "What this account calls the person until they sign in with a name of their own (1 to 200 characters, no line breaks or control characters). " +
      "It belongs to this membership only: other accounts and the person's user record never see it. Given again, it replaces the one before.",
  })
  @IsOptional()
  @IsDisplayName()
  name?: string | null;

  @Field(() => MemberRole, { nullable: true, defaultValue: MemberRole.MEMBER, description: "The member's role; MEMBER unless given." })
  role?: MemberRole | null;
}

@InputType({ description: "Removes a member from an account. Their billing place and roles go with them unless `reassignTo` names who takes them over." })
export class RemoveAccountMemberInput {
  @Field(() => ID, { description: "The account to remove the member from." })
  @IsUUID("all", { message: "accountId is not a valid id" })
  accountId: string;

  @Field(() => ID, { description: "The user to remove." })
  @IsUUID("all", { message: "userId is not a valid id" })
  userId: string;

  @Field(() => ID, {
    nullable: true,
    description: "Another member who takes over every slot the removed member holds (primary, billing place, roles), in the same change.",
  })
  @IsOptional()
  @IsUUID("all", { message: "reassignTo is not a valid id" })
  reassignTo?: string | null;
}
