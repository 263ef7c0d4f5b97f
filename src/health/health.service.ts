import type { Database } from "../database";
import { Account } from "../accounts/account.entity";
import type { User } from "../users/user.entity";
import type { RoleContact } from "../contacts/role-contact.entity";
import { BILLING_CONTACT_LIMIT, CONTACT_ROLE_ORDER, ContactSlot, slotOfRole } from "../contacts/contact.enums";
import { VerificationState, type ContactVerification } from "../verification/contact-verification.entity";
import { VERIFICATION_STALE_AFTER_MS } from "../verification/verification.service";
import type { DeliveryStatus } from "../outbox/outbox-message.entity";
import { readPage, type ConnectionArgs, type Page } from "../common/pagination";
import { entityColumns } from "../common/sql-rows";
import { ACCOUNT_ORDER, ACCOUNTS_PAGE } from "../accounts/account.service";
import { ContactIssueKind, type ContactHealth, type ContactIssue } from "./contact-health.types";

export interface AccountContactsSnapshot {
  primary: User;
  /** The billing contacts, in order. */
  billing: User[];
  roles: RoleContact[];
  /** The members who hold roles (in any order). */
  roleHolders: User[];
  verifications: ContactVerification[];
  failedDeliveries: DeliveryStatus[];
}

/** Works out an account's contact health from its contacts as loaded; reads nothing itself. */
export function contactHealthOf(snapshot: AccountContactsSnapshot, now = new Date()): ContactHealth {
  const staleBefore = now.getTime() - VERIFICATION_STALE_AFTER_MS;
  const failed = new Set(snapshot.failedDeliveries.map((status) => status.email));
  const roleHolders = new Map(snapshot.roleHolders.map((user) => [user.id, user]));
  const holders = [
    { slot: ContactSlot.PRIMARY, email: snapshot.primary.email, user: snapshot.primary, role: null },
    ...snapshot.billing.map((user) => ({ slot: ContactSlot.BILLING, email: user.email, user, role: null })),
    ...snapshot.roles.map((role) => ({ slot: slotOfRole(role.role), email: role.email, user: role.userId ? (roleHolders.get(role.userId) ?? null) : null, role })),
  ];
  const issues: ContactIssue[] = [];
  for (const holder of holders) {
    if (holder.role && holder.role.userId === null) {
      const verification = snapshot.verifications.find((candidate) => candidate.role === holder.role!.role);
      if (!verification || verification.state !== VerificationState.VERIFIED || verification.email !== holder.email) {
        issues.push({ slot: holder.slot, email: holder.email, kind: ContactIssueKind.UNVERIFIED_EXTERNAL });
      } else if (verification.verifiedAt && verification.verifiedAt.getTime() < staleBefore) {
        issues.push({ slot: holder.slot, email: holder.email, kind: ContactIssueKind.VERIFICATION_STALE });
      }
    }
    if (holder.user && holder.user.signedInAt === null) issues.push({ slot: holder.slot, email: holder.email, kind: ContactIssueKind.NEVER_SIGNED_IN });
    if (failed.has(holder.email)) issues.push({ slot: holder.slot, email: holder.email, kind: ContactIssueKind.DELIVERY_FAILED });
  }
  const held = new Set(snapshot.roles.map((role) => role.role));
  const missingRoles = CONTACT_ROLE_ORDER.filter((role) => !held.has(role));
  return {
    missingRoles,
    billingContactsFree: BILLING_CONTACT_LIMIT - snapshot.billing.length,
    issues,
    needsAttention: missingRoles.length > 0 || issues.length > 0,
  };
}

/**
 * The same test as `contactHealthOf(...).needsAttention`, as SQL over the row aliased "a", so
 * the accounts needing attention are filtered and paged by the database. Its parameters: the number
 * of roles, then the time before which a verification is stale.
 */
const NEEDS_ATTENTION = `(
  (SELECT COUNT(*) FROM "role_contacts" "r" WHERE "r"."accountId" = "a"."id") < ?
  OR EXISTS (
    SELECT 1 FROM "role_contacts" "r"
    LEFT JOIN "contact_verifications" "v" ON "v"."accountId" = "r"."accountId" AND "v"."role" = "r"."role" AND "v"."email" = "r"."email"
    WHERE "r"."accountId" = "a"."id" AND "r"."userId" IS NULL
      AND ("v"."state" IS NULL OR "v"."state" <> 'VERIFIED' OR "v"."verifiedAt" < ?)
  )
  OR EXISTS (SELECT 1 FROM "users" "u" WHERE "u"."id" = "a"."primaryContactId" AND "u"."signedInAt" IS NULL)
  OR EXISTS (
    SELECT 1 FROM "billing_contacts" "b" INNER JOIN "users" "u" ON "u"."id" = "b"."userId"
    WHERE "b"."accountId" = "a"."id" AND "u"."signedInAt" IS NULL
  )
  OR EXISTS (
    SELECT 1 FROM "role_contacts" "r" INNER JOIN "users" "u" ON "u"."id" = "r"."userId"
    WHERE "r"."accountId" = "a"."id" AND "u"."signedInAt" IS NULL
  )
  OR EXISTS (
    SELECT 1 FROM "delivery_status" "d"
    WHERE "d"."accountId" = "a"."id" AND "d"."state" = 'FAILED' AND (
      "d"."email" IN (SELECT "u"."email" FROM "users" "u" WHERE "u"."id" = "a"."primaryContactId")
      OR "d"."email" IN (SELECT "u"."email" FROM "billing_contacts" "b" INNER JOIN "users" "u" ON "u"."id" = "b"."userId" WHERE "b"."accountId" = "a"."id")
      OR "d"."email" IN (SELECT "r"."email" FROM "role_contacts" "r" WHERE "r"."accountId" = "a"."id")
    )
  )
)`;

/** The user's accounts with a missing role or any contact issue, oldest first: two statements per page. */
export function listAccountsNeedingAttention(db: Database, user: User, args: ConnectionArgs, now = new Date()): Promise<Page<Account>> {
  const accounts = entityColumns(db.dataSource, Account, "a");
  const from = `"accounts" "a" INNER JOIN "account_members" "m" ON "m"."accountId" = "a"."id"`;
  const where = [`"m"."userId" = ?`, NEEDS_ATTENTION];
  const parameters = [user.id, CONTACT_ROLE_ORDER.length, db.dateParameter(new Date(now.getTime() - VERIFICATION_STALE_AFTER_MS))];
  return readPage(
    db,
    {
      alias: "a",
      select: accounts.select,
      from,
      where,
      parameters,
      count: { sql: `SELECT COUNT(*) AS "total" FROM ${from} WHERE ${where.join(" AND ")}`, parameters },
      hydrate: (row) => accounts.from(row)!,
    },
    ACCOUNT_ORDER,
    args,
    ACCOUNTS_PAGE,
  );
}
