import type { EntityManager } from "typeorm";
import { BillingContact } from "./billing-contact.entity";
import { changeRows, selectEntities, sql, storedValue } from "../common/sql";

/*
 * The statements of the contact changes that run most often, in plain SQL: TypeORM's `update`,
 * `insert`, `delete` and `find` build and parse each statement anew, and on SQLite cannot use the
 * writer's prepared statements.
 */

export async function setPrimaryContactRow(manager: EntityManager, accountId: string, userId: string): Promise<void> {
  await changeRows(manager, sql`UPDATE "accounts" SET "primaryContactId" = ${userId} WHERE "id" = ${accountId}`);
}

/** The account's billing contacts, in order, as this transaction sees them. */
export function billingContactRows(manager: EntityManager, accountId: string): Promise<BillingContact[]> {
  return selectEntities(manager, BillingContact, "b", sql`"b"."accountId" = ${accountId} ORDER BY "b"."position" ASC`);
}

export async function insertBillingContactRow(manager: EntityManager, row: BillingContact): Promise<void> {
  const addedAt = storedValue(manager, BillingContact, "addedAt", row.addedAt);
  await changeRows(
    manager,
    sql`INSERT INTO "billing_contacts" ("accountId", "userId", "position", "addedAt") VALUES (${row.accountId}, ${row.userId}, ${row.position}, ${addedAt})`,
  );
}

export async function deleteBillingContactRow(manager: EntityManager, accountId: string, userId: string): Promise<void> {
  await changeRows(manager, sql`DELETE FROM "billing_contacts" WHERE "accountId" = ${accountId} AND "userId" = ${userId}`);
}

export async function moveBillingContactRow(manager: EntityManager, accountId: string, userId: string, position: number): Promise<void> {
  await changeRows(manager, sql`UPDATE "billing_contacts" SET "position" = ${position} WHERE "accountId" = ${accountId} AND "userId" = ${userId}`);
}
