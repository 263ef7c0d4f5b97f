import { createParameterDecorator, type AuthChecker } from "type-graphql";
import type { Context } from "../context";
import { DomainError } from "../errors";
import { provisionUser } from "./user.service";
import type { User } from "./user.entity";

/**
 * `@Authorized()` means "signed in". The caller's user record is created on first sight.
 * Account roles (ADMIN, MEMBER) depend on the account, so services check those.
 */
export const authChecker: AuthChecker<Context> = async ({ context }) => {
  if (context.viewer) return true;
  const caller = context.caller;
  if (caller.kind === "anonymous") {
    throw new DomainError("UNAUTHENTICATED.missingToken");
  }
  if (caller.kind === "invalid") {
    throw new DomainError(caller.reason);
  }
  context.viewerLoading ??= provisionUser(context.db, caller.identity).then((user) => (context.viewer = user));
  await context.viewerLoading;
  return true;
};

/** The signed-in user, for resolvers behind `@Authorized()`. */
export function CurrentUser() {
  return createParameterDecorator<Context>(({ context }): User => context.requiredViewer);
}
