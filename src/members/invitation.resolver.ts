import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { AccountInvitation } from "./account-invitation.entity";
import { MemberRole } from "./account-member.entity";
import {
  AcceptInvitationInput,
  AcceptInvitationPayload,
  AccountInvitationConnection,
  DeclineInvitationInput,
  DeclineInvitationPayload,
  WithdrawInvitationInput,
  WithdrawInvitationPayload,
} from "./invitation.types";
import { answerInvitation, withdrawInvitation } from "./invitation.service";
import { INVITATIONS_PAGE, invitationsOfUser } from "./invitation.queries";
import { Account } from "../accounts/account.entity";
import { User } from "../users/user.entity";
import { CurrentUser } from "../users/auth-checker";
import { ConnectionArgs, DefaultPageSize } from "../common/pagination";
import { globalId, parseGlobalId } from "../common/global-id";
import { DomainError, notFound } from "../errors";
import type { Context } from "../context";

const invitationRowId = (id: string, field = "invitationId") => Number(parseGlobalId(id, "AccountInvitation", field)[0]);

@Resolver(() => AccountInvitation)
export class InvitationResolver {
  @FieldResolver(() => ID, { description: "The invitation's global id." })
  id(@Root() invitation: AccountInvitation): string {
    return globalId("AccountInvitation", invitation.sequence);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "What the admin called the person when inviting them; null when they gave no name.",
  })
  displayName(@Root() invitation: AccountInvitation): string | null {
    return invitation.nameGivenByAdmin;
  }

  @FieldResolver(() => String, {
    description: "The name of the account the invitation is to (the invited person cannot read the account itself until they accept).",
  })
  async accountName(@Root() invitation: AccountInvitation, @Ctx() context: Context): Promise<string> {
    const account = await context.loaders.accountById.load(invitation.accountId);
    if (!account) throw notFound();
    return account.name;
  }

  @FieldResolver(() => User, { description: "The admin who sent the invitation." })
  async invitedBy(@Root() invitation: AccountInvitation, @Ctx() context: Context): Promise<User> {
    const user = await context.loaders.userById.load(invitation.invitedById);
    if (!user) throw notFound("user");
    return user;
  }

  @FieldResolver(() => Boolean, {
    description: "Whether the invitation's time is up: it can no longer be accepted, and an admin may invite the person again.",
  })
  expired(@Root() invitation: AccountInvitation): boolean {
    return invitation.expiresAt <= new Date();
  }

  @Authorized()
  @Query(() => AccountInvitationConnection, {
    description: `The invitations waiting for the caller's answer, newest first; ${INVITATIONS_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(INVITATIONS_PAGE)
  viewerInvitations(@Args(() => ConnectionArgs) page: ConnectionArgs, @CurrentUser() viewer: User, @Ctx() context: Context) {
    return invitationsOfUser(context.db, viewer.id, page);
  }

  @Authorized()
  @Mutation(() => AcceptInvitationPayload, {
    nullable: true,
    description:
      "Accepts an invitation addressed to the caller: they become a member with the invitation's role. An invitation of someone else is NOT_FOUND; " +
      "an expired one BAD_USER_INPUT (an admin may invite them again).",
  })
  async acceptInvitation(
    @Arg("input", () => AcceptInvitationInput) input: AcceptInvitationInput,
    @Ctx() context: Context,
  ): Promise<AcceptInvitationPayload> {
    const viewer = context.requiredViewer;
    const { invitation, member } = await answerInvitation(
      context.writer,
      { id: invitationRowId(input.invitationId), userId: viewer.id },
      "accept",
    );
    context.refresh();
    const account = await context.loaders.accountAsMember.load({ accountId: invitation.accountId, userId: viewer.id });
    return { account, member };
  }

  @Authorized()
  @Mutation(() => DeclineInvitationPayload, {
    nullable: true,
    description:
      "Declines an invitation addressed to the caller: it is deleted, and the account sends them nothing more. An invitation of someone else is NOT_FOUND.",
  })
  async declineInvitation(
    @Arg("input", () => DeclineInvitationInput) input: DeclineInvitationInput,
    @Ctx() context: Context,
  ): Promise<DeclineInvitationPayload> {
    const { invitation } = await answerInvitation(
      context.writer,
      { id: invitationRowId(input.invitationId), userId: context.requiredViewer.id },
      "decline",
    );
    context.refresh();
    return { declinedInvitationId: globalId("AccountInvitation", invitation.sequence) };
  }

  @Authorized()
  @Mutation(() => WithdrawInvitationPayload, {
    nullable: true,
    description: "Withdraws a pending invitation: its link stops working and the person cannot accept it. Needs ADMIN.",
  })
  async withdrawInvitation(
    @Arg("input", () => WithdrawInvitationInput) input: WithdrawInvitationInput,
    @Ctx() context: Context,
  ): Promise<WithdrawInvitationPayload> {
    const id = invitationRowId(input.invitationId);
    const found = await context.loaders.invitationById.load(id);
    // Another account's invitation answers exactly like a missing one.
    const readable =
      found && (await context.loaders.accountAsMember.load({ accountId: found.accountId, userId: context.requiredViewer.id }));
    if (!found || !readable) throw notFound("AccountInvitation");
    const { account } = await context.changeAccount(globalId("Account", found.accountId), (change) => withdrawInvitation(change, id));
    return { account, withdrawnInvitationId: input.invitationId };
  }
}

@Resolver(() => Account)
export class AccountInvitationsResolver {
  @FieldResolver(() => AccountInvitationConnection, {
    description: `The invitations the account has sent that are not answered yet, newest first; ${INVITATIONS_PAGE} a page unless asked. Admins only: a plain member gets FORBIDDEN.`,
  })
  @DefaultPageSize(INVITATIONS_PAGE)
  async invitations(@Root() account: Account, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    const membership = await context.loaders.membership.load({ accountId: account.id, userId: context.requiredViewer.id });
    if (membership?.role !== MemberRole.ADMIN) throw new DomainError("FORBIDDEN.adminOnly");
    return context.loaders.invitationPage(page).load(account.id);
  }
}
