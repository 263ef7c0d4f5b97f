import { ContactVerification } from "./contact-verification.entity";
import { entityColumns, join, selectRows, sql, type SqlSource } from "../common/sql";

/** The verifications of the outside addresses of each account. */
export async function verificationsOf(source: SqlSource, accountIds: readonly string[]): Promise<ContactVerification[]> {
  const verifications = entityColumns(source, ContactVerification, "v");
  const rows = await selectRows(source, sql`SELECT ${verifications.select} FROM "contact_verifications" "v" WHERE "v"."accountId" IN (${join(accountIds)})`);
  return rows.map((row) => verifications.of(row));
}
