import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsOptional } from "class-validator";
import { AccountMember, MemberRole } from "./account-member.entity";
import { MemberChange } from "./member-change.entity";
import { AccountInvitation } from "./account-invitation.entity";
import { ConnectionType, MaxItems } from "../common/pagination";
import { MAX_CONTACT_CHANGES_PER_WRITE } from "../history/history.types";
import { IsGlobalId } from "../common/global-id";
import { Account } from "../accounts/account.entity";
import { WRITTEN_CHANGES_DESCRIPTION } from "../accounts/account.types";
import { ContactChange } from "../history/contact-change.entity";
import { IsEmailAddress } from "../common/email";
import { IsDisplayName } from "../common/names";

@ObjectType({ description: "A page of an account's members, in the order they joined." })
export class AccountMemberConnection extends ConnectionType(AccountMember, "AccountMember", "members") {}

@ObjectType({ description: "A page of an account's membership changes, newest first." })
export class MemberChangeConnection extends ConnectionType(MemberChange, "MemberChange", "membership changes") {}

@InputType({ description: "Adds a person to an account by email, or changes the role of an existing member." })
export class AddAccountMemberInput {
  @Field(() => ID, { description: "The account to add the member to." })
  @IsGlobalId("Account")
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

  @Field(() => MemberRole, {
    nullable: true,
    description: "The member's role. Left out (or null), a new member becomes MEMBER and an existing member keeps the role they have.",
  })
  role?: MemberRole | null;
}

@InputType({
  description:
    "Removes a member from an account. Their billing place and roles go with them unless `reassignTo` names who takes them over.",
})
export class RemoveAccountMemberInput {
  @Field(() => ID, { description: "The account to remove the member from." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ID, { description: "The user to remove." })
  @IsGlobalId("User")
  userId: string;

  @Field(() => ID, {
    nullable: true,
    description: "Another member who takes over every slot the removed member holds (primary, billing place, roles), in the same change.",
  })
  @IsOptional()
  @IsGlobalId("User")
  reassignTo?: string | null;
}

@ObjectType({ description: "The result of addAccountMember." })
export class AddAccountMemberPayload {
  @Field(() => Account, { description: "The account after the change." })
  account: Account;

  @Field(() => AccountMember, {
    description:
      "The membership added or changed. For someone not yet a member it is the membership they will have once they accept (`accepted: false`).",
  })
  member: AccountMember;

  @Field(() => AccountInvitation, {
    nullable: true,
    description: "The invitation sent (or updated) when the person was not a member yet; null for a change to an existing member.",
  })
  invitation: AccountInvitation | null;
}

@ObjectType({ description: "The result of removeAccountMember." })
export class RemoveAccountMemberPayload {
  @Field(() => Account, {
    nullable: true,
    description: "The account after the change; null when the caller removed themselves and so can no longer see it.",
  })
  account: Account | null;

  @Field(() => ID, { description: "The global id of the user who is no longer a member." })
  removedUserId: string;

  @Field(() => ID, {
    description:
      "The global id of the membership that ended: remove it from cached member lists (Relay's @deleteEdge, Apollo's cache.evict).",
  })
  removedMemberId: string;

  @Field(() => [ContactChange], { description: `${WRITTEN_CHANGES_DESCRIPTION} Empty when the caller removed themselves.` })
  @MaxItems(MAX_CONTACT_CHANGES_PER_WRITE)
  changes: PromiseLike<ContactChange[]>;
}

@InputType({ description: "Ends the caller's own membership of an account." })
export class LeaveAccountInput {
  @Field(() => ID, { description: "The account to leave." })
  @IsGlobalId("Account")
  accountId: string;
}

@ObjectType({ description: "The result of leaveAccount. The account is no longer the caller's to see." })
export class LeaveAccountPayload {
  @Field(() => ID, { description: "The global id of the account left: remove it from cached account lists." })
  accountId: string;

  @Field(() => ID, { description: "The global id of the membership that ended." })
  removedMemberId: string;
}
