import type { EntityManager } from "typeorm";
import { AccountContact } from "./account-contact.entity";
import type { ContactSlot } from "./contact.enums";
import { deleteEntities, insertEntity, selectEntities, sql, updateEntities } from "../common/sql";

/*
 * The writes of `contact_slots`, built from the entity's metadata: a column added to AccountContact is
 * written by every one of them without an edit here. Plain SQL rather than TypeORM's `insert` and
 * `update`, which build and parse each statement anew and on SQLite cannot use the writer's prepared statements.
 */

/** Where one slot row is: its account, slot and place. */
export type SlotKey = Pick<AccountContact, "accountId" | "slot" | "position">;

/** The rows of one slot of the account (its billing contacts in order; at most one row for any other slot), as this transaction sees them. */
export function slotRows(manager: EntityManager, accountId: string, slot: ContactSlot): Promise<AccountContact[]> {
  return selectEntities(
    manager,
    AccountContact,
    "s",
    sql`"s"."accountId" = ${accountId} AND "s"."slot" = ${slot} ORDER BY "s"."position" ASC`,
  );
}

/** The slots of the account held by `email` as an outside address (no member behind it), as this transaction sees them. */
export function outsideSlotsOf(manager: EntityManager, accountId: string, email: string): Promise<AccountContact[]> {
  return selectEntities(
    manager,
    AccountContact,
    "s",
    sql`"s"."accountId" = ${accountId} AND "s"."userId" IS NULL AND "s"."email" = ${email} ORDER BY "s"."slot", "s"."position"`,
  );
}

export function insertSlotRow(manager: EntityManager, row: AccountContact): Promise<void> {
  return insertEntity(manager, AccountContact, row);
}

export function updateSlotRow(manager: EntityManager, key: SlotKey, changes: Partial<AccountContact>): Promise<void> {
  return updateEntities(manager, AccountContact, { accountId: key.accountId, slot: key.slot, position: key.position }, changes);
}

export function deleteSlotRow(manager: EntityManager, key: SlotKey): Promise<void> {
  return deleteEntities(manager, AccountContact, { accountId: key.accountId, slot: key.slot, position: key.position });
}
