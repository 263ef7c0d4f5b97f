import type { User } from "../users/user.entity";
import { Account } from "../accounts/account.entity";
import { ACCOUNT_ORDER, ACCOUNTS_PAGE } from "../accounts/account.queries";
import type { HeldSlot } from "../contacts/account-contacts";
import { CONTACT_ROLE_ORDER, ContactSlot, roleOfSlot } from "../contacts/contact.enums";
import { VerificationState, type ContactVerification } from "../verification/contact-verification.entity";
import { DeliveryState } from "../notifications/notification-delivery.entity";
import { ContactIssueKind, VERIFICATION_STALE_AFTER_MS } from "./contact-health.enums";
import { readPage, type ConnectionArgs, type Page } from "../common/pagination";
import { isAllowedContactAddress } from "../accounts/contact-domains";
import { OUTSIDE_ADDRESS_OFF_LIST } from "../accounts/contact-domain.queries";
import { dateParameter, entityColumns, join, sql, type Sql, type StatementReader } from "../common/sql";

/*
 * What "needs attention" means, once. Each issue is defined twice side by side, in TypeScript for
 * `Account.contactHealth` (one holder at a time, from what the loaders read) and in SQL for
 * `accountsNeedingAttention` (any holder of the account aliased "a", so the database filters and pages).
 * The record has one entry per ContactIssueKind, so a new kind cannot be added to one half only, and
 * test/contact-health.test.ts holds the two halves to the same answer for every kind.
 */

/** What the TypeScript half reads besides the holder: the account's verifications and its addresses whose last delivery failed. */
export interface IssueFacts {
  verifications: readonly ContactVerification[];
  failedEmails: ReadonlySet<string>;
  /** Verifications confirmed before this instant are stale. */
  staleBefore: Date;
  /** The account's allowed domains for outside addresses; empty when any is allowed. */
  allowedContactDomains: readonly string[];
}

interface IssueDefinition {
  /** Whether this holder of a slot has the issue. */
  holds(holder: HeldSlot, facts: IssueFacts): boolean;
  /** Whether any holder of the account aliased "a" has it; `staleBefore` as the driver compares dates. */
  anyHolder(staleBefore: Date | string): Sql;
}

/** The verification of an outside address holding a role, or undefined when it has none; null for any other holder. */
function verificationOf(holder: HeldSlot, facts: IssueFacts): ContactVerification | undefined | null {
  const role = roleOfSlot(holder.slot);
  if (!role || holder.contact.userId !== null) return null;
  return facts.verifications.find((verification) => verification.role === role);
}

const confirmed = (verification: ContactVerification, holder: HeldSlot) =>
  verification.state === VerificationState.VERIFIED && verification.email === holder.email;

const declined = (verification: ContactVerification, holder: HeldSlot) =>
  verification.state === VerificationState.DECLINED && verification.email === holder.email;

/** The outside addresses holding a role, each with its verification of that address (if any). */
const OUTSIDE_ADDRESSES = sql`"contact_slots" "r" LEFT JOIN "contact_verifications" "v"
  ON "v"."accountId" = "r"."accountId" AND "v"."role" = "r"."slot" AND "v"."email" = "r"."email"
  WHERE "r"."accountId" = "a"."id" AND "r"."userId" IS NULL`;

/** The emails of every holder of the account's slots. */
const HOLDER_EMAILS = sql`SELECT "r"."email" FROM "contact_slots" "r" WHERE "r"."accountId" = "a"."id"`;

/** The members holding any of the account's slots. */
const HOLDING_MEMBERS = sql`SELECT "r"."userId" FROM "contact_slots" "r" WHERE "r"."accountId" = "a"."id" AND "r"."userId" IS NOT NULL`;

/** Every contact issue, in the order an account's issues list them for each holder. */
export const CONTACT_ISSUES: Readonly<Record<ContactIssueKind, IssueDefinition>> = {
  [ContactIssueKind.UNVERIFIED_EXTERNAL]: {
    holds: (holder, facts) => {
      const verification = verificationOf(holder, facts);
      return verification !== null && !(verification && (confirmed(verification, holder) || declined(verification, holder)));
    },
    anyHolder: () =>
      sql`EXISTS (SELECT 1 FROM ${OUTSIDE_ADDRESSES} AND ("v"."state" IS NULL OR "v"."state" NOT IN (${VerificationState.VERIFIED}, ${VerificationState.DECLINED})))`,
  },
  [ContactIssueKind.DECLINED_EXTERNAL]: {
    holds: (holder, facts) => {
      const verification = verificationOf(holder, facts);
      return !!verification && declined(verification, holder);
    },
    anyHolder: () => sql`EXISTS (SELECT 1 FROM ${OUTSIDE_ADDRESSES} AND "v"."state" = ${VerificationState.DECLINED})`,
  },
  [ContactIssueKind.VERIFICATION_STALE]: {
    holds: (holder, facts) => {
      const verification = verificationOf(holder, facts);
      return (
        !!verification && confirmed(verification, holder) && verification.verifiedAt !== null && verification.verifiedAt < facts.staleBefore
      );
    },
    anyHolder: (staleBefore) =>
      sql`EXISTS (SELECT 1 FROM ${OUTSIDE_ADDRESSES} AND "v"."state" = ${VerificationState.VERIFIED} AND "v"."verifiedAt" < ${staleBefore})`,
  },
  [ContactIssueKind.NEVER_SIGNED_IN]: {
    holds: (holder) => holder.user !== null && holder.user.signedInAt === null,
    anyHolder: () => sql`EXISTS (SELECT 1 FROM "users" "u" WHERE "u"."signedInAt" IS NULL AND "u"."id" IN (${HOLDING_MEMBERS}))`,
  },
  [ContactIssueKind.DELIVERY_FAILED]: {
    holds: (holder, facts) => facts.failedEmails.has(holder.email),
    anyHolder: () =>
      sql`EXISTS (SELECT 1 FROM "delivery_status" "d" WHERE "d"."accountId" = "a"."id" AND "d"."state" = ${DeliveryState.FAILED} AND "d"."email" IN (${HOLDER_EMAILS}))`,
  },
  [ContactIssueKind.DOMAIN_NOT_ALLOWED]: {
    holds: (holder, facts) => holder.contact.userId === null && !isAllowedContactAddress(holder.email, facts.allowedContactDomains),
    anyHolder: () => OUTSIDE_ADDRESS_OFF_LIST,
  },
};

/** An account also needs attention while any role has nobody. */
const MISSING_ROLE = sql`(SELECT COUNT(*) FROM "contact_slots" "r" WHERE "r"."accountId" = "a"."id" AND "r"."slot" NOT IN (${ContactSlot.PRIMARY}, ${ContactSlot.BILLING})) < ${CONTACT_ROLE_ORDER.length}`;

/** When a verification confirmed before `now` counts as stale. */
export function staleBefore(now: Date): Date {
  return new Date(now.getTime() - VERIFICATION_STALE_AFTER_MS);
}

/** The user's accounts with a missing role or any contact issue, oldest first: two statements per page. */
export function listAccountsNeedingAttention(
  reader: StatementReader,
  user: User,
  args: ConnectionArgs,
  now = new Date(),
): Promise<Page<Account>> {
  const accounts = entityColumns(reader, Account, "a");
  const stale = dateParameter(reader, staleBefore(now));
  const needsAttention = sql`(${join([MISSING_ROLE, ...Object.values(CONTACT_ISSUES).map((issue) => issue.anyHolder(stale))], " OR ")})`;
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
