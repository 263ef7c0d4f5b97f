import type { Database } from "../database";
import { AccountMember } from "./account-member.entity";
import { User } from "../users/user.entity";
import { readAccountPages, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import { entityColumns } from "../common/sql-rows";

/** A member with their user record, read in the same statement. */
export type MemberWithUser = AccountMember & { user: User };

/** Members in the order they joined. */
const MEMBER_ORDER: Keyset<MemberWithUser> = {
  order: [
    { column: "joinedAt", kind: "date" },
    { column: "userId", kind: "string" },
  ],
  keyOf: (member) => [member.joinedAt, member.userId],
};

/** How many members a page holds unless the client says. */
export const MEMBERS_PAGE = 50;

/** One page of members (each with their user), in the order they joined, for each of several accounts. */
export function loadMemberPages(db: Database, accountIds: string[], args: ConnectionArgs): Promise<Page<MemberWithUser>[]> {
  const members = entityColumns(db.dataSource, AccountMember, "m");
  const users = entityColumns(db.dataSource, User, "u");
  return readAccountPages(
    db,
    accountIds,
    {
      table: "account_members",
      alias: "m",
      select: `${members.select}, ${users.select}`,
      join: `INNER JOIN "users" "u" ON "u"."id" = "m"."userId"`,
      hydrate: (row) => Object.assign(members.from(row)!, { user: users.from(row)! }),
    },
    MEMBER_ORDER,
    args,
    MEMBERS_PAGE,
  );
}
