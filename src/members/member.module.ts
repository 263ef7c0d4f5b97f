import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { BATCH, inKeyOrder, membershipKey, pageLoaders, rowsByKey, rowsOfEvents, loaderFactory, type LoadersOf } from "../loaders";
import { accountRowFinder } from "../nodes/node.resolver";
import { MemberRole, type AccountMember } from "./account-member.entity";
import type { AccountInvitation } from "./account-invitation.entity";
import type { MemberChange } from "./member-change.entity";
import {
  loadMemberChangePages,
  loadMemberPages,
  memberChangesByIds,
  memberChangesOfEvents,
  membershipsOf,
  type MemberWithUser,
} from "./member.queries";
import { invitationsByIds, loadInvitationPages } from "./invitation.queries";
import { MemberResolver } from "./member.resolver";
import { AccountMemberHistoryResolver, MemberChangeResolver } from "./member-change.resolver";
import { AccountInvitationsResolver, InvitationResolver } from "./invitation.resolver";

/** The loaders the module adds to `context.loaders`. */
const memberLoaders = loaderFactory((db, loaders) => ({
  // Keys nearly always share one user (the viewer), so accounts × users is the set asked for.
  membership: new DataLoader<{ accountId: string; userId: string }, AccountMember | null, string>(
    async (keys) => {
      const accountIds = [...new Set(keys.map((key) => key.accountId))];
      const userIds = [...new Set(keys.map((key) => key.userId))];
      const rows = await membershipsOf(db, accountIds, userIds);
      return inKeyOrder(
        keys.map(({ accountId, userId }) => membershipKey(accountId, userId)),
        rows,
        (row) => membershipKey(row.accountId, row.userId),
      );
    },
    { ...BATCH, cacheKeyFn: ({ accountId, userId }) => membershipKey(accountId, userId) },
  ),
  // Members arrive with their users joined, handed to `userById`.
  memberPage: pageLoaders<MemberWithUser>(async (accountIds, args) => {
    const pages = await loadMemberPages(db, accountIds, args);
    for (const page of pages) for (const edge of page.edges) loaders.userById.prime(edge.node.user.id, edge.node.user);
    return pages;
  }),
  memberChangePage: pageLoaders<MemberChange>((accountIds, args) => loadMemberChangePages(db, accountIds, args)),
  memberChangeById: rowsByKey<number, MemberChange>(
    (ids) => memberChangesByIds(db, ids),
    (change) => change.sequence,
  ),
  memberChangesOfEvent: rowsOfEvents((accountId, sequences) => memberChangesOfEvents(db, accountId, sequences)),
  invitationPage: pageLoaders<AccountInvitation>((accountIds, args) => loadInvitationPages(db, accountIds, args)),
  invitationById: rowsByKey<number, AccountInvitation>(
    (ids) => invitationsByIds(db, ids),
    (invitation) => invitation.sequence,
  ),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof memberLoaders> {}
}

export const memberModule = defineModule({
  name: "members",
  loaders: memberLoaders,
  resolvers: [MemberResolver, MemberChangeResolver, AccountMemberHistoryResolver, InvitationResolver, AccountInvitationsResolver],
  nodes: {
    AccountMember: async ([accountId, userId], { context, readable }) => {
      await readable(accountId!);
      return context.loaders.membership.load({ accountId: accountId!, userId: userId! });
    },
    MemberChange: accountRowFinder((context, sequence) => context.loaders.memberChangeById.load(sequence)),
    // The person invited sees their invitation; in the account, only its admins do.
    AccountInvitation: async ([sequence], { context, viewerId, readable }) => {
      const invitation = await context.loaders.invitationById.load(Number(sequence));
      if (!invitation || invitation.userId === viewerId) return invitation;
      await readable(invitation.accountId);
      const membership = await context.loaders.membership.load({ accountId: invitation.accountId, userId: viewerId });
      return membership?.role === MemberRole.ADMIN ? invitation : null;
    },
  },
});
