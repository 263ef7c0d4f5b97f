import type { EntityManager } from "typeorm";
import type { ContactRoleKind } from "../contacts/contact.enums";
import { ContactVerification } from "./contact-verification.entity";
import { join, selectEntities, sql, type SqlSource } from "../common/sql";

/** Deletes the confirmation of the account's `role` (a token mailed for it then finds nothing). */
export async function deleteVerification(manager: EntityManager, accountId: string, role: ContactRoleKind): Promise<void> {
  await manager.delete(ContactVerification, { accountId, role });
}

/** The verifications of the outside addresses of each account. */
export function verificationsOf(source: SqlSource, accountIds: readonly string[]): Promise<ContactVerification[]> {
  return selectEntities(source, ContactVerification, "v", sql`"v"."accountId" IN (${join(accountIds)})`);
}
