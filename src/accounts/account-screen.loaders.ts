import type { Context } from "../context";
import type { ConnectionArgs } from "../common/pagination";
import { readAccountScreen } from "./account.queries";
import { provisionUser, signInChangesNothing } from "../users/user.service";

/** What a request asks of one account, read from its GraphQL selection before it runs. */
export interface AccountScreenPlan {
  /** The account's row id. */
  accountId: string;
  /** Whether the request reads the account's slots beyond its primary contact. */
  contactSlots: boolean;
  /** The members page asked for, or null when none is (or more than one is). */
  members: ConnectionArgs | null;
}

/**
 * Reads the caller and what `plan` asks of one account in a single statement, before the resolvers
 * run, and hands every row to the request's loaders (and the caller to the auth checker), so the
 * ordinary resolvers find them loaded and answer exactly as they would have after loading them
 * themselves. Anything the plan does not cover is still loaded by them. When the caller's record needs
 * a write (a first sign-in, a new name) or the statement fails, the request goes the ordinary way.
 */
export function prefetchAccountScreen(context: Context, plan: AccountScreenPlan): void {
  const caller = context.caller;
  if (caller.kind !== "identified" || context.viewerLoading || context.viewer) return;
  const { identity } = caller;
  const request = { email: identity.email, accountId: plan.accountId, contactSlots: plan.contactSlots, members: plan.members };
  context.viewerLoading = readAccountScreen(context.db, request)
    .then(
      (screen) => {
        const viewer = screen.viewer;
        if (!viewer || !signInChangesNothing(viewer, identity)) return provisionUser(context.db, identity);
        const loaders = context.loaders;
        loaders.userById.prime(viewer.id, viewer);
        const key = { accountId: plan.accountId, userId: viewer.id };
        const found = screen.account;
        if (!found) {
          loaders.accountAsMember.prime(key, null);
          return viewer;
        }
        loaders.accountById.prime(found.account.id, found.account);
        loaders.membership.prime(key, found.member);
        loaders.accountAsMember.prime(key, found.account);
        loaders.userById.prime(found.primary.id, found.primary);
        loaders.primaryContact.prime(plan.accountId, found.primary);
        if (found.contactSlots) {
          for (const { holder, editor } of found.contactSlots) {
            if (holder) loaders.userById.prime(holder.id, holder);
            if (editor) loaders.userById.prime(editor.id, editor);
          }
          loaders.contactSlots.prime(plan.accountId, found.contactSlots);
        }
        if (found.members && plan.members) {
          for (const edge of found.members.edges) loaders.userById.prime(edge.node.user.id, edge.node.user);
          loaders.memberPage(plan.members).prime(plan.accountId, found.members);
        }
        return viewer;
      },
      () => provisionUser(context.db, identity),
    )
    .then((user) => (context.viewer = user));
}
