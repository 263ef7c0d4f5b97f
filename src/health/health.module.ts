import DataLoader from "dataloader";
import { defineModule, type LoadersOf } from "../feature-module";
import { groupBy } from "../common/group-by";
import type { DeliveryStatus } from "../notifications/notification-delivery.entity";
import { failedDeliveriesOf } from "../notifications/delivery.queries";
import { HealthResolver } from "./health.resolver";

export const healthModule = defineModule({
  name: "contact-health",
  resolvers: [HealthResolver],
  accountScreen: { contactSlotFields: ["contactHealth"] },
  loaders: (db) => ({
    // The addresses whose last delivery failed, per account.
    failedDeliveries: new DataLoader<string, DeliveryStatus[]>(async (accountIds) => {
      const byAccount = groupBy(await failedDeliveriesOf(db, accountIds), (row) => row.accountId);
      return accountIds.map((id) => byAccount.get(id) ?? []);
    }),
  }),
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof healthModule> {}
}
