import DataLoader from "dataloader";
import { defineModule, type LoadersOf } from "../feature-module";
import { BATCH, inKeyOrder, pageLoaders, rowsOfEvents } from "../loaders";
import type { AccountMember } from "./account-member.entity";
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

const memberKey = (accountId: string, userId: string) => `${accountId}:${userId}`;

export const memberModule = defineModule({
  name: "members",
  resolvers: [MemberResolver, MemberChangeResolver, AccountMemberHistoryResolver, InvitationResolver, AccountInvitationsResolver],
  loaders: (db, loaders) => ({
    // Keys nearly always share one user (the viewer), so accounts × users is the set asked for.
    membership: new DataLoader<{ accountId: string; userId: string }, AccountMember | null, string>(
      async (keys) => {
        const accountIds = [...new Set(keys.map((key) => key.accountId))];
        const userIds = [...new Set(keys.map((key) => key.userId))];
        const rows = await membershipsOf(db, accountIds, userIds);
        return inKeyOrder(
          keys.map(({ accountId, userId }) => memberKey(accountId, userId)),
          rows,
          (row) => memberKey(row.accountId, row.userId),
        );
      },
      { ...BATCH, cacheKeyFn: ({ accountId, userId }) => memberKey(accountId, userId) },
    ),
    // Members arrive with their users joined, handed to `userById`.
    memberPage: pageLoaders<MemberWithUser>(async (accountIds, args) => {
      const pages = await loadMemberPages(db, accountIds, args);
      for (const page of pages) for (const edge of page.edges) loaders.userById.prime(edge.node.user.id, edge.node.user);
      return pages;
    }),
    memberChangePage: pageLoaders<MemberChange>((accountIds, args) => loadMemberChangePages(db, accountIds, args)),
    memberChangeById: new DataLoader<number, MemberChange | null>(
      async (ids) => inKeyOrder(ids, await memberChangesByIds(db, ids), (change) => change.sequence),
      BATCH,
    ),
    memberChangesOfEvent: rowsOfEvents((accountId, sequences) => memberChangesOfEvents(db, accountId, sequences)),
    invitationPage: pageLoaders<AccountInvitation>((accountIds, args) => loadInvitationPages(db, accountIds, args)),
    invitationById: new DataLoader<number, AccountInvitation | null>(
      async (ids) => inKeyOrder(ids, await invitationsByIds(db, ids), (invitation) => invitation.sequence),
      BATCH,
    ),
  }),
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof memberModule> {}
}
