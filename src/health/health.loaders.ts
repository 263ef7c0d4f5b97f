import DataLoader from "dataloader";
import type { Database } from "../database";
import { groupBy } from "../common/group-by";
import type { ContactVerification } from "../verification/contact-verification.entity";
import { verificationsOf } from "../verification/verification.queries";
import type { DeliveryStatus } from "../notifications/notification-delivery.entity";
import { failedDeliveriesOf } from "../notifications/delivery.queries";

function grouped<TRow extends { accountId: string }>(accountIds: readonly string[], rows: TRow[]): TRow[][] {
  const byAccount = groupBy(rows, (row) => row.accountId);
  return accountIds.map((id) => byAccount.get(id) ?? []);
}

/** What contact health reads beyond the contacts themselves, one statement per kind for any number of accounts. */
export function createHealthLoaders(db: Database) {
  const verifications = new DataLoader<string, ContactVerification[]>(async (accountIds) =>
    grouped(accountIds, await verificationsOf(db, accountIds)),
  );
  const failedDeliveries = new DataLoader<string, DeliveryStatus[]>(async (accountIds) =>
    grouped(accountIds, await failedDeliveriesOf(db, accountIds)),
  );
  return { verifications, failedDeliveries };
}

export type HealthLoaders = ReturnType<typeof createHealthLoaders>;
