import type { EntityManager } from "typeorm";
import { AccountContact } from "./account-contact.entity";
import { AccountContacts, bySlotOrder, heldSlot } from "./account-contacts";
import { ContactSlot } from "./contact.enums";
import { User } from "../users/user.entity";
import { entityColumns, join, jsonSql, selectRows, sql, type JsonPart, type Row, type Sql, type SqlSource } from "../common/sql";

/** A slot row with the member holding it (null for an outside address) and who last gave it a contact. */
export interface SlotWithUsers {
  contact: AccountContact;
  holder: User | null;
  editor: User | null;
}

/** Each account's slot rows, in slot order (primary, billing in order, roles in ContactRoleKind order): the one place they are sorted. */
function inSlotOrder(rows: SlotWithUsers[]): SlotWithUsers[] {
  return rows.sort((a, b) => a.contact.accountId.localeCompare(b.contact.accountId) || bySlotOrder(a.contact, b.contact));
}

/** Every filled slot of each account, with holders and editors, in slot order. */
export async function contactSlotsOf(source: SqlSource, accountIds: readonly string[]): Promise<SlotWithUsers[]> {
  const slots = entityColumns(source, AccountContact, "s");
  const holders = entityColumns(source, User, "holder");
  const editors = entityColumns(source, User, "editor");
  const rows = await selectRows(
    source,
    sql`SELECT ${slots.select}, ${holders.select}, ${editors.select} FROM "contact_slots" "s"
        LEFT JOIN "users" "holder" ON "holder"."id" = "s"."userId" LEFT JOIN "users" "editor" ON "editor"."id" = "s"."updatedById"
        WHERE "s"."accountId" IN (${join(accountIds)})`,
  );
  return inSlotOrder(rows.map((row) => ({ contact: slots.of(row), holder: holders.from(row), editor: editors.from(row) })));
}

/** Who holds which slot of the account, from its slot rows as read. */
export function accountContactsOf(rows: readonly SlotWithUsers[]): AccountContacts {
  return new AccountContacts(rows.map(({ contact, holder }) => heldSlot(contact, holder)));
}

/** The account's contacts as they stand in this transaction. */
export async function accountContactsIn(manager: EntityManager, accountId: string): Promise<AccountContacts> {
  return accountContactsOf(await contactSlotsOf(manager, [accountId]));
}

/** The user id of the account's primary contact, as this transaction sees it. */
export async function primaryContactOf(manager: EntityManager, accountId: string): Promise<string> {
  const [row] = await selectRows(
    manager,
    sql`SELECT "userId" FROM "contact_slots" WHERE "accountId" = ${accountId} AND "slot" = ${ContactSlot.PRIMARY} AND "position" = 0`,
  );
  if (!row?.userId) throw new Error(`Account ${accountId} has no primary contact.`);
  return row.userId as string;
}

/** Every filled slot of the account `accountId` refers to, with holders and editors, as one JSON list in slot order. */
export function contactSlotsJson(source: SqlSource, accountId: Sql): JsonPart<SlotWithUsers[]> {
  const slots = entityColumns(source, AccountContact, "cs");
  const holders = entityColumns(source, User, "csh");
  const editors = entityColumns(source, User, "cse");
  const json = jsonSql(source);
  const item = json.object(sql`'slot', ${json.object(slots.jsonFields)},
      'holder', CASE WHEN "csh"."id" IS NULL THEN NULL ELSE ${json.object(holders.jsonFields)} END,
      'editor', CASE WHEN "cse"."id" IS NULL THEN NULL ELSE ${json.object(editors.jsonFields)} END`);
  return {
    select: json.subquery(sql`SELECT ${json.list(item)}
        FROM "contact_slots" "cs" LEFT JOIN "users" "csh" ON "csh"."id" = "cs"."userId" LEFT JOIN "users" "cse" ON "cse"."id" = "cs"."updatedById"
        WHERE "cs"."accountId" = ${accountId}`),
    read: (value) =>
      inSlotOrder(
        (value as { slot: Row; holder: Row | null; editor: Row | null }[]).map((row) => ({
          contact: slots.fromJson(row.slot)!,
          holder: holders.fromJson(row.holder),
          editor: editors.fromJson(row.editor),
        })),
      ),
  };
}
