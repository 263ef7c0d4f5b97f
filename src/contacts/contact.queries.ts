import type { EntityManager } from "typeorm";
import type { Account } from "../accounts/account.entity";
import { BillingContact } from "./billing-contact.entity";
import { ContactRole } from "./contact-role.entity";
import { byContactRoleOrder } from "./contact.enums";
import { AccountContacts } from "./account-contacts";
import { User } from "../users/user.entity";
import { usersByIds } from "../users/user.queries";
import { entityColumns, join, selectRows, sql, type SqlSource } from "../common/sql";

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
