import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import { User } from "./user.entity";
import { changeRows, join, selectEntities, selectRows, sql, storedValue, type SqlSource } from "../common/sql";

/** The users with these ids (those that exist), in no particular order. */
export function usersByIds(source: SqlSource, ids: readonly string[]): Promise<User[]> {
  return selectEntities(source, User, "u", sql`"u"."id" IN (${join(ids)})`);
}

/** The user with this (normalised) email, or null. */
export async function userByEmail(source: SqlSource, email: string): Promise<User | null> {
  const [user] = await selectEntities(source, User, "u", sql`"u"."email" = ${email}`);
  return user ?? null;
}

/** Inserts a user without a name unless one with this email exists already (two requests may race to). */
export async function insertUserUnlessKnown(manager: EntityManager, email: string): Promise<void> {
  const createdAt = storedValue(manager, User, "createdAt", new Date());
  await changeRows(
    manager,
    sql`INSERT INTO "users" ("id", "email", "name", "createdAt", "signedInAt") VALUES (${randomUUID()}, ${email}, NULL, ${createdAt}, NULL) ON CONFLICT DO NOTHING`,
  );
}

/**
 * Which of `userIds` share an account with which of `viewerIds`, as `viewerId:userId` pairs; a
 * request has one viewer, so one statement answers a whole batch.
 */
export async function usersSharingAnAccount(
  source: SqlSource,
  viewerIds: readonly string[],
  userIds: readonly string[],
): Promise<Set<string>> {
  const rows = await selectRows(
    source,
    sql`SELECT DISTINCT "mine"."userId" AS "viewerId", "theirs"."userId" AS "userId" FROM "account_members" "mine"
        INNER JOIN "account_members" "theirs" ON "theirs"."accountId" = "mine"."accountId"
        WHERE "mine"."userId" IN (${join(viewerIds)}) AND "theirs"."userId" IN (${join(userIds)})`,
  );
  return new Set(rows.map((row) => `${row.viewerId}:${row.userId}`));
}
