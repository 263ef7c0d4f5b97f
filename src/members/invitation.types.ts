import { Field, ID, InputType, ObjectType } from "type-graphql";
import { AccountInvitation } from "./account-invitation.entity";
import { AccountMember } from "./account-member.entity";
import { Account } from "../accounts/account.entity";
import { ConnectionType } from "../common/pagination";
import { IsGlobalId } from "../common/global-id";

@ObjectType({ description: "A page of invitations, newest first." })
export class AccountInvitationConnection extends ConnectionType(AccountInvitation, "AccountInvitation", "invitations") {}

@InputType({ description: "Accepts an invitation to join an account, as the person invited." })
export class AcceptInvitationInput {
  @Field(() => ID, { description: "The invitation (from Query.viewerInvitations)." })
  @IsGlobalId("AccountInvitation")
  invitationId: string;
}

@ObjectType({ description: "The result of acceptInvitation." })
export class AcceptInvitationPayload {
  @Field(() => Account, { nullable: true, description: "The account the caller is now a member of." })
  account: Account | null;

  @Field(() => AccountMember, { nullable: true, description: "The caller's new membership." })
  member: AccountMember | null;
}

@InputType({ description: "Declines an invitation to join an account, as the person invited." })
export class DeclineInvitationInput {
  @Field(() => ID, { description: "The invitation (from Query.viewerInvitations)." })
  @IsGlobalId("AccountInvitation")
  invitationId: string;
}

@ObjectType({ description: "The result of declineInvitation." })
export class DeclineInvitationPayload {
  @Field(() => ID, { nullable: true, description: "The global id of the invitation declined: remove it from cached lists." })
  declinedInvitationId: string | null;
}

@InputType({ description: "Withdraws a pending invitation, as an admin of its account." })
export class WithdrawInvitationInput {
  @Field(() => ID, { description: "The invitation (from Account.invitations)." })
  @IsGlobalId("AccountInvitation")
  invitationId: string;
}

@ObjectType({ description: "The result of withdrawInvitation." })
export class WithdrawInvitationPayload {
  @Field(() => Account, { nullable: true, description: "The account after the change." })
  account: Account | null;

  @Field(() => ID, { nullable: true, description: "The global id of the invitation withdrawn: remove it from cached lists." })
  withdrawnInvitationId: string | null;
}
