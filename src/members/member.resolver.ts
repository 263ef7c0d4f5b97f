import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { AccountMember } from "./account-member.entity";
import {
  AddAccountMemberInput,
  AddAccountMemberPayload,
  LeaveAccountInput,
  LeaveAccountPayload,
  RemoveAccountMemberInput,
  RemoveAccountMemberPayload,
} from "./member.types";
import { addAccountMember, removeAccountMember } from "./member.service";
import { User } from "../users/user.entity";
import { globalId, rowIdOf } from "../common/global-id";
import { notFound } from "../errors";
import type { Context } from "../context";

@Resolver(() => AccountMember)
export class MemberResolver {
  @FieldResolver(() => ID, { description: "The membership's global id (one per account and user)." })
  id(@Root() member: AccountMember): string {
    return globalId("AccountMember", member.accountId, member.userId);
  }

  @FieldResolver(() => User, { description: "The member." })
  async user(@Root() member: AccountMember, @Ctx() context: Context): Promise<User> {
    const user = await context.loaders.userById.load(member.userId);
    if (!user) throw notFound("user");
    return user;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The name to show for this member in this account: their own name from their sign-in once they have one, " +
      "otherwise the name this account's admin gave when adding them; null when neither is known.",
  })
  async displayName(@Root() member: AccountMember, @Ctx() context: Context): Promise<string | null> {
    const user = await context.loaders.userById.load(member.userId);
    return user?.name ?? member.nameGivenByAdmin ?? null;
  }

  @FieldResolver(() => Boolean, {
    description:
      "False while the person has not accepted their invitation: only addAccountMember's answer shows such a membership, " +
      "since members lists hold accepted members only. Until they accept they hold no contact slot and see nothing of the account.",
  })
  accepted(@Root() member: AccountMember): boolean {
    return member.accepted !== false;
  }

  @Authorized()
  @Mutation(() => AddAccountMemberPayload, {
    nullable: true,
    description:
      "Invites a person to the account by email (they become a member when they accept: acceptInvitation, or the mailed link), " +
      "or changes an existing member's role and name. A role left out keeps the member's role. Needs ADMIN.",
  })
  async addAccountMember(
    @Arg("input", () => AddAccountMemberInput) input: AddAccountMemberInput,
    @Ctx() context: Context,
  ): Promise<AddAccountMemberPayload> {
    const { account, result } = await context.changeAccount(input.accountId, (change) => addAccountMember(change, input));
    return { account, ...result };
  }

  @Authorized()
  @Mutation(() => RemoveAccountMemberPayload, {
    nullable: true,
    description:
      "Removes a member. Their billing place and roles go with them, or pass to `reassignTo` (primary included) when given. " +
      "Without reassignTo the primary contact cannot be removed; the last admin never can. An admin may remove themselves " +
      "while another admin remains; the answer's account is then null. Needs ADMIN.",
  })
  async removeAccountMember(
    @Arg("input", () => RemoveAccountMemberInput) input: RemoveAccountMemberInput,
    @Ctx() context: Context,
  ): Promise<RemoveAccountMemberPayload> {
    const userId = rowIdOf(input.userId, "User", "userId");
    const successor = input.reassignTo ? rowIdOf(input.reassignTo, "User", "reassignTo") : null;
    const { account, changes } = await context.changeAccount(input.accountId, (change) => removeAccountMember(change, userId, successor));
    const removedSelf = userId === context.requiredViewer.id;
    return {
      account: removedSelf ? null : account,
      removedUserId: globalId("User", userId),
      removedMemberId: globalId("AccountMember", account.id, userId),
      changes: removedSelf ? context.writtenChanges(account.id, null) : changes,
    };
  }

  @Authorized()
  @Mutation(() => LeaveAccountPayload, {
    nullable: true,
    description:
      "Ends the caller's own membership: any member may leave an account someone added them to. Their billing place and roles " +
      "are cleared, each in the history. The primary contact cannot leave until an admin names another (PRIMARY_CONTACT_REQUIRED); " +
      "the last admin cannot leave at all (LAST_ADMIN).",
  })
  async leaveAccount(
    @Arg("input", () => LeaveAccountInput) input: LeaveAccountInput,
    @Ctx() context: Context,
  ): Promise<LeaveAccountPayload> {
    const userId = context.requiredViewer.id;
    const { account } = await context.changeAccount(
      input.accountId,
      (change) => removeAccountMember(change, userId, null, true),
      null,
      "member",
    );
    return { accountId: globalId("Account", account.id), removedMemberId: globalId("AccountMember", account.id, userId) };
  }
}
