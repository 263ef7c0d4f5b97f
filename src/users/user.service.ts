import { randomUUID } from "node:crypto";
import type { EntityManager } from "typeorm";
import type { Database } from "../database";
import type { Identity } from "../auth/tokens";
import { User } from "./user.entity";
import { entityColumns, selectRows } from "../common/sql-rows";

/**
 * Finds the user with this (lower-cased) email, creating them if they are new. Safe when two requests
 * race to create the same user: the insert ignores the duplicate and both read the one row.
 */
export async function findOrCreateUser(manager: EntityManager, email: string, name: string | null): Promise<User> {
  const existing = await manager.findOne(User, { where: { email } });
  if (existing) {
    if (!existing.name && name) {
      existing.name = name;
      await manager.update(User, { id: existing.id }, { name });
    }
    return existing;
  }
  await manager
    .createQueryBuilder()
    .insert()
    .into(User)
    .values({ id: randomUUID(), email, name, createdAt: new Date(), signedInAt: null })
    .orIgnore()
    .execute();
  return manager.findOneOrFail(User, { where: { email } });
}

/**
 * Just-in-time provisioning of the signed-in caller: a read for users already seen signed in, one
 * write for new ones and for users an admin added who sign in for the first time.
 */
export async function provisionUser(db: Database, identity: Identity): Promise<User> {
  const users = entityColumns(db.dataSource, User, "u");
  const [row] = await db.read((m) => selectRows(m, `SELECT ${users.select} FROM "users" "u" WHERE "u"."email" = ?`, [identity.email]));
  const known = row ? users.from(row) : null;
  if (known && known.signedInAt && (known.name || !identity.name)) return known;
  return db.write(async (m) => {
    const user = await findOrCreateUser(m, identity.email, identity.name);
    if (user.signedInAt) return user;
    user.signedInAt = new Date();
    await m.update(User, { id: user.id }, { signedInAt: user.signedInAt });
    return user;
  });
}
