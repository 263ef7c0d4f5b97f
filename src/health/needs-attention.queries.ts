import type { User } from "../users/user.entity";
import { Account } from "../accounts/account.entity";
import { ACCOUNT_ORDER, ACCOUNTS_PAGE } from "../accounts/account.queries";
import { CONTACT_ROLE_ORDER, ContactSlot } from "../contacts/contact.enums";
import { VerificationState } from "../verification/contact-verification.entity";
import { DeliveryState } from "../notifications/notification-delivery.entity";
import { ContactIssueKind, VERIFICATION_STALE_AFTER_MS } from "./contact-health.enums";
import { readPage, type ConnectionArgs, type Page } from "../common/pagination";
import { dateParameter, entityColumns, join, sql, type Sql, type SqlSource, selectRows, type StatementReader } from "../common/sql";

/*
 * What "needs attention" means, once. Each ContactIssueKind is one SQL condition on one filled slot, the
 * `contact_slots` row aliased "r". `Account.contactHealth` lists, for each slot of its account, the kinds
 * whose condition holds (`contactIssuesOf`, one statement for every account a request asks about), and
 * `accountsNeedingAttention` keeps the accounts with a role nobody holds or a slot for which any holds.
 * A new kind is one entry in CONTACT_ISSUES: the record needs one per kind, and both uses read it.
 */

/** What a condition compares with besides the rows: verifications confirmed before `staleBefore` are stale (as the driver compares dates). */
export interface IssueParameters {
  staleBefore: Date | string;
}

/** Whether the slot "r" is held by an outside address; only a role that allows one can be (the table checks it). */
const OUTSIDE_ADDRESS = sql`"r"."userId" IS NULL`;

/** Whether the slot's verification, of the address now holding it, meets `condition` on "v". */
const verificationOfHolder = (condition: Sql) =>
  sql`EXISTS (SELECT 1 FROM "contact_verifications" "v" WHERE "v"."accountId" = "r"."accountId" AND "v"."role" = "r"."slot" AND "v"."email" = "r"."email" AND ${condition})`;

/** Every contact issue, in the order an account's issues list them for each slot. */
export const CONTACT_ISSUES: Readonly<Record<ContactIssueKind, (parameters: IssueParameters) => Sql>> = {
  [ContactIssueKind.UNVERIFIED_EXTERNAL]: () =>
    sql`${OUTSIDE_ADDRESS} AND NOT ${verificationOfHolder(sql`"v"."state" IN (${VerificationState.VERIFIED}, ${VerificationState.DECLINED})`)}`,
  [ContactIssueKind.DECLINED_EXTERNAL]: () =>
    sql`${OUTSIDE_ADDRESS} AND ${verificationOfHolder(sql`"v"."state" = ${VerificationState.DECLINED}`)}`,
  [ContactIssueKind.VERIFICATION_STALE]: ({ staleBefore }) =>
    sql`${OUTSIDE_ADDRESS} AND ${verificationOfHolder(sql`"v"."state" = ${VerificationState.VERIFIED} AND "v"."verifiedAt" < ${staleBefore}`)}`,
  [ContactIssueKind.NEVER_SIGNED_IN]: () =>
    sql`EXISTS (SELECT 1 FROM "users" "u" WHERE "u"."id" = "r"."userId" AND "u"."signedInAt" IS NULL)`,
  [ContactIssueKind.DELIVERY_FAILED]: () =>
    sql`EXISTS (SELECT 1 FROM "delivery_status" "d" WHERE "d"."accountId" = "r"."accountId" AND "d"."email" = "r"."email" AND "d"."state" = ${DeliveryState.FAILED})`,
  // Listed domains hold no `%`, `_` or `@`, and a stored address one `@`, so the LIKE is an exact match of the address's domain.
  [ContactIssueKind.DOMAIN_NOT_ALLOWED]: () =>
    sql`${OUTSIDE_ADDRESS} AND EXISTS (SELECT 1 FROM "account_contact_domains" "cd" WHERE "cd"."accountId" = "r"."accountId")
      AND NOT EXISTS (SELECT 1 FROM "account_contact_domains" "cd" WHERE "cd"."accountId" = "r"."accountId" AND "r"."email" LIKE ('%@' || "cd"."domain"))`,
};

const ISSUE_KINDS = Object.keys(CONTACT_ISSUES) as ContactIssueKind[];

/** An account also needs attention while any role has nobody. */
const MISSING_ROLE = sql`(SELECT COUNT(*) FROM "contact_slots" "r" WHERE "r"."accountId" = "a"."id" AND "r"."slot" NOT IN (${ContactSlot.PRIMARY}, ${ContactSlot.BILLING})) < ${CONTACT_ROLE_ORDER.length}`;

/** The parameters the conditions are read with at `now`, as the driver of `source` compares dates. */
function issueParameters(source: SqlSource, now: Date): IssueParameters {
  return { staleBefore: dateParameter(source, new Date(now.getTime() - VERIFICATION_STALE_AFTER_MS)) };
}

/** One filled slot of an account with the kinds of issue it has, in CONTACT_ISSUES order (none for most). */
export interface SlotIssues {
  accountId: string;
  slot: ContactSlot;
  position: number;
  email: string;
  kinds: ContactIssueKind[];
}

/** Every filled slot of the accounts with the issues each has at `now`: one statement for any number of accounts. */
export async function contactIssuesOf(source: SqlSource, accountIds: readonly string[], now = new Date()): Promise<SlotIssues[]> {
  const parameters = issueParameters(source, now);
  // One bit per kind, in CONTACT_ISSUES order.
  const bits = ISSUE_KINDS.map((kind, index) => sql`CASE WHEN ${CONTACT_ISSUES[kind](parameters)} THEN ${2 ** index} ELSE 0 END`);
  const rows = await selectRows(
    source,
    sql`SELECT "r"."accountId", "r"."slot", "r"."position", "r"."email", ${join(bits, " + ")} AS "issues"
      FROM "contact_slots" "r" WHERE "r"."accountId" IN (${join(accountIds)})`,
  );
  return rows.map((row) => ({
    accountId: row.accountId as string,
    slot: row.slot as ContactSlot,
    position: Number(row.position),
    email: row.email as string,
    kinds: ISSUE_KINDS.filter((_, index) => (Number(row.issues) & (2 ** index)) !== 0),
  }));
}

/** The user's accounts with a missing role or any contact issue, oldest first: two statements per page. */
export function listAccountsNeedingAttention(
  reader: StatementReader,
  user: User,
  args: ConnectionArgs,
  now = new Date(),
): Promise<Page<Account>> {
  const accounts = entityColumns(reader, Account, "a");
  const parameters = issueParameters(reader, now);
  const anyIssue = join(
    ISSUE_KINDS.map((kind) => sql`(${CONTACT_ISSUES[kind](parameters)})`),
    " OR ",
  );
  const slotWithIssue = sql`EXISTS (SELECT 1 FROM "contact_slots" "r" WHERE "r"."accountId" = "a"."id" AND (${anyIssue}))`;
  const needsAttention = sql`(${MISSING_ROLE} OR ${slotWithIssue})`;
  const from = sql`"accounts" "a" INNER JOIN "account_members" "m" ON "m"."accountId" = "a"."id"`;
  const where = [sql`"m"."userId" = ${user.id}`, needsAttention];
  return readPage(
    reader,
    {
      alias: "a",
      select: accounts.select,
      from,
      where,
      count: sql`SELECT COUNT(*) AS "total" FROM ${from} WHERE ${join(where, " AND ")}`,
      hydrate: (row) => accounts.of(row),
    },
    ACCOUNT_ORDER,
    args,
    ACCOUNTS_PAGE,
  );
}
