import type { EntityManager } from "typeorm";
import type { Database } from "../database";
import type { Identity } from "../auth/tokens";
import { User } from "./user.entity";
import { insertUserUnlessKnown, userByEmail } from "./user.queries";

/**
 * Finds the user with this (normalised) email, creating them without a name if they are new. Safe
 * when two requests race to create the same user: the insert ignores the duplicate and both read
 * the one row. A user's name is only ever written by their own sign-in (`provisionUser`).
 */
export async function findOrCreateUser(manager: EntityManager, email: string): Promise<User> {
  const existing = await manager.findOne(User, { where: { email } });
  if (existing) return existing;
  await insertUserUnlessKnown(manager, email);
  return manager.findOneOrFail(User, { where: { email } });
}

/** What a sign-in changes on the user's record: when they first signed in, and their own name. */
function signInChanges(user: User, identity: Identity): Partial<Pick<User, "signedInAt" | "name">> {
  return {
    ...(user.signedInAt ? {} : { signedInAt: new Date() }),
    // The token's name replaces the stored one when it differs; a token without one keeps it.
    ...(identity.name !== null && identity.name !== user.name ? { name: identity.name } : {}),
  };
}

/** True when signing in as `identity` changes nothing on `user`: reading the row is all `provisionUser` would do. */
export function signInChangesNothing(user: User, identity: Identity): boolean {
  return Object.keys(signInChanges(user, identity)).length === 0;
}

/**
 * Just-in-time provisioning of the signed-in caller: a read for users already seen signed in under
 * the same name, one write for new ones, for users an admin added who sign in for the first time,
 * and for users whose token brings a new name.
 */
export async function provisionUser(db: Database, identity: Identity): Promise<User> {
  const known = await userByEmail(db, identity.email);
  if (known && signInChangesNothing(known, identity)) return known;
  return db.write(async (m) => {
    const user = await findOrCreateUser(m, identity.email);
    const changes = signInChanges(user, identity);
    if (Object.keys(changes).length === 0) return user;
    await m.update(User, { id: user.id }, changes);
    return Object.assign(user, changes);
  });
}
