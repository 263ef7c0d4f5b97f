import { ContactVerification } from "./contact-verification.entity";
import { join, selectEntities, sql, type SqlSource } from "../common/sql";

/** The verifications of the outside addresses of each account. */
export function verificationsOf(source: SqlSource, accountIds: readonly string[]): Promise<ContactVerification[]> {
  return selectEntities(source, ContactVerification, "v", sql`"v"."accountId" IN (${join(accountIds)})`);
}
