import DataLoader from "dataloader";
import type { Database } from "../database";
import { groupBy } from "../common/group-by";
import type { ContactVerification } from "../verification/contact-verification.entity";
import { verificationsOf } from "../verification/verification.queries";
import { contactIssuesOf, type SlotIssues } from "./needs-attention.queries";

function grouped<TRow extends { accountId: string }>(accountIds: readonly string[], rows: TRow[]): TRow[][] {
  const byAccount = groupBy(rows, (row) => row.accountId);
  return accountIds.map((id) => byAccount.get(id) ?? []);
}

/** What contact health reads beyond the contacts themselves, one statement per kind for any number of accounts. */
export function createHealthLoaders(db: Database) {
  const verifications = new DataLoader<string, ContactVerification[]>(async (accountIds) =>
    grouped(accountIds, await verificationsOf(db, accountIds)),
  );
  const contactIssues = new DataLoader<string, SlotIssues[]>(async (accountIds) =>
    grouped(accountIds, await contactIssuesOf(db, accountIds)),
  );
  return { verifications, contactIssues };
}

export type HealthLoaders = ReturnType<typeof createHealthLoaders>;
