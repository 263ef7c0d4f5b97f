import { AccountInvitation } from "./account-invitation.entity";
import { readAccountPages, readPage, type ConnectionArgs, type Keyset, type Page } from "../common/pagination";
import { empty, entityColumns, join, selectEntities, sql, type SqlSource, type StatementReader } from "../common/sql";

/** How many invitations a page holds unless the client says. */
export const INVITATIONS_PAGE = 20;

/** Invitations newest first: by id, which grows with every invitation. */
const INVITATION_ORDER: Keyset<AccountInvitation> = {
  order: [{ column: "id", descending: true, kind: "number" }],
  keyOf: (invitation) => [invitation.sequence],
};

/** One page of pending invitations (newest first) for each of several accounts. */
export function loadInvitationPages(
  reader: StatementReader,
  accountIds: string[],
  args: ConnectionArgs,
): Promise<Page<AccountInvitation>[]> {
  const invitations = entityColumns(reader, AccountInvitation, "i");
  return readAccountPages(
    reader,
    accountIds,
    { table: "account_invitations", alias: "i", select: invitations.select, join: empty, hydrate: (row) => invitations.of(row) },
    INVITATION_ORDER,
    args,
    INVITATIONS_PAGE,
  );
}

/** One page of the invitations waiting for the user `userId`'s answer, newest first. */
export function invitationsOfUser(reader: StatementReader, userId: string, args: ConnectionArgs): Promise<Page<AccountInvitation>> {
  const invitations = entityColumns(reader, AccountInvitation, "i");
  return readPage(
    reader,
    {
      alias: "i",
      select: invitations.select,
      from: sql`"account_invitations" "i"`,
      where: [sql`"i"."userId" = ${userId}`],
      count: sql`SELECT COUNT(*) AS "total" FROM "account_invitations" WHERE "userId" = ${userId}`,
      hydrate: (row) => invitations.of(row),
    },
    INVITATION_ORDER,
    args,
    INVITATIONS_PAGE,
  );
}

/** The invitations with these ids (those that exist). */
export function invitationsByIds(source: SqlSource, ids: readonly number[]): Promise<AccountInvitation[]> {
  return selectEntities(source, AccountInvitation, "i", sql`"i"."id" IN (${join(ids)})`);
}

/** The invitation a mailed link's token belongs to, by the token's hash. */
export async function invitationByTokenHash(source: SqlSource, tokenHash: string): Promise<AccountInvitation | null> {
  const [invitation] = await selectEntities(source, AccountInvitation, "i", sql`"i"."tokenHash" = ${tokenHash}`);
  return invitation ?? null;
}
