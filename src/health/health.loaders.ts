import DataLoader from "dataloader";
import { In } from "typeorm";
import type { Database } from "../database";
import { groupBy } from "../common/group-by";
import { ContactVerification } from "../verification/contact-verification.entity";
import { DeliveryState, DeliveryStatus } from "../outbox/outbox-message.entity";

function grouped<TRow extends { accountId: string }>(accountIds: readonly string[], rows: TRow[]): TRow[][] {
  const byAccount = groupBy(rows, (row) => row.accountId);
  return accountIds.map((id) => byAccount.get(id) ?? []);
}

/** What contact health reads beyond the contacts themselves, one statement per kind for any number of accounts. */
export function createHealthLoaders(db: Database) {
  const verifications = new DataLoader<string, ContactVerification[]>(async (accountIds) =>
    grouped(accountIds, await db.read((m) => m.find(ContactVerification, { where: { accountId: In([...accountIds]) } }))),
  );
  const failedDeliveries = new DataLoader<string, DeliveryStatus[]>(async (accountIds) =>
    grouped(
      accountIds,
      await db.read((m) => m.find(DeliveryStatus, { where: { accountId: In([...accountIds]), state: DeliveryState.FAILED } })),
    ),
  );
  return { verifications, failedDeliveries };
}

export type HealthLoaders = ReturnType<typeof createHealthLoaders>;
