import type { EntityManager } from "typeorm";
import type { Account } from "../accounts/account.entity";
import { BillingContact } from "./billing-contact.entity";
import { ContactRole } from "./contact-role.entity";
import { byContactRoleOrder } from "./contact.enums";
import { AccountContacts } from "./account-contacts";
import { User } from "../users/user.entity";
import { usersByIds } from "../users/user.queries";
import { entityColumns, join, jsonSql, selectRows, sql, type JsonPart, type Row, type Sql, type SqlSource } from "../common/sql";

/** A billing contact with the member behind it, read in the same statement. */
export interface BillingContactWithUser {
  contact: BillingContact;
  user: User;
}

/** The billing contacts of each account, in each account's order, with their users. */
export async function billingContactsOf(source: SqlSource, accountIds: readonly string[]): Promise<BillingContactWithUser[]> {
  const billing = entityColumns(source, BillingContact, "b");
  const users = entityColumns(source, User, "u");
  const rows = await selectRows(
    source,
    sql`SELECT ${billing.select}, ${users.select} FROM "billing_contacts" "b" INNER JOIN "users" "u" ON "u"."id" = "b"."userId"
        WHERE "b"."accountId" IN (${join(accountIds)}) ORDER BY "b"."accountId", "b"."position"`,
  );
  return rows.map((row) => ({ contact: billing.of(row), user: users.of(row) }));
}

/** A role's contact with the member holding it (null for an outside address) and who last set it. */
export interface ContactRoleWithUsers {
  contact: ContactRole;
  holder: User | null;
  editor: User | null;
}

/** The role contacts of each account, each account's in ContactRoleKind order (the one place they are sorted). */
export async function contactRolesOf(source: SqlSource, accountIds: readonly string[]): Promise<ContactRoleWithUsers[]> {
  const roles = entityColumns(source, ContactRole, "r");
  const holders = entityColumns(source, User, "holder");
  const editors = entityColumns(source, User, "editor");
  const rows = await selectRows(
    source,
    sql`SELECT ${roles.select}, ${holders.select}, ${editors.select} FROM "role_contacts" "r"
        LEFT JOIN "users" "holder" ON "holder"."id" = "r"."userId" LEFT JOIN "users" "editor" ON "editor"."id" = "r"."updatedById"
        WHERE "r"."accountId" IN (${join(accountIds)})`,
  );
  return rows
    .map((row) => ({ contact: roles.of(row), holder: holders.from(row), editor: editors.from(row) }))
    .sort((a, b) => a.contact.accountId.localeCompare(b.contact.accountId) || byContactRoleOrder(a.contact.role, b.contact.role));
}

/** The account's contacts as they stand in this transaction, read one statement after another. */
export async function accountContactsIn(manager: EntityManager, account: Account): Promise<AccountContacts> {
  const [primary] = await usersByIds(manager, [account.primaryContactId]);
  const billing = await billingContactsOf(manager, [account.id]);
  const roles = await contactRolesOf(manager, [account.id]);
  if (!primary) throw new Error(`The primary contact of account ${account.id} has no user row.`);
  return new AccountContacts(
    primary,
    billing.map(({ user }) => user),
    roles.map(({ contact }) => contact),
    roles.flatMap(({ holder }) => (holder ? [holder] : [])),
  );
}

/** The billing contacts of the account `accountId` refers to, with their users, as one JSON list. */
export function billingContactsJson(source: SqlSource, accountId: Sql): JsonPart<BillingContactWithUser[]> {
  const billing = entityColumns(source, BillingContact, "b");
  const users = entityColumns(source, User, "bu");
  const json = jsonSql(source);
  return {
    select: json.subquery(sql`SELECT ${json.list(json.object(sql`${billing.jsonFields}, ${users.jsonFields}`), sql`"b"."position"`)}
        FROM "billing_contacts" "b" INNER JOIN "users" "bu" ON "bu"."id" = "b"."userId" WHERE "b"."accountId" = ${accountId}`),
    read: (value) => (value as Row[]).map((row) => ({ contact: billing.fromJson(row)!, user: users.fromJson(row)! })),
  };
}

/** The role contacts of the account `accountId` refers to, with holders and editors, as one JSON list in ContactRoleKind order. */
export function contactRolesJson(source: SqlSource, accountId: Sql): JsonPart<ContactRoleWithUsers[]> {
  const roles = entityColumns(source, ContactRole, "r");
  const holders = entityColumns(source, User, "rh");
  const editors = entityColumns(source, User, "re");
  const json = jsonSql(source);
  const item = json.object(sql`'role', ${json.object(roles.jsonFields)},
      'holder', CASE WHEN "rh"."id" IS NULL THEN NULL ELSE ${json.object(holders.jsonFields)} END,
      'editor', CASE WHEN "re"."id" IS NULL THEN NULL ELSE ${json.object(editors.jsonFields)} END`);
  return {
    select: json.subquery(sql`SELECT ${json.list(item)}
        FROM "role_contacts" "r" LEFT JOIN "users" "rh" ON "rh"."id" = "r"."userId" LEFT JOIN "users" "re" ON "re"."id" = "r"."updatedById"
        WHERE "r"."accountId" = ${accountId}`),
    read: (value) =>
      (value as { role: Row; holder: Row | null; editor: Row | null }[])
        .map((row) => ({ contact: roles.fromJson(row.role)!, holder: holders.fromJson(row.holder), editor: editors.fromJson(row.editor) }))
        .sort((a, b) => byContactRoleOrder(a.contact.role, b.contact.role)),
  };
}
