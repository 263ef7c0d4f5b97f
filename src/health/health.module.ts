import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { loaderFactory, type LoadersOf } from "../loaders";
import { groupBy } from "../common/group-by";
import type { DeliveryStatus } from "../notifications/notification-delivery.entity";
import { failedDeliveriesOf } from "../notifications/delivery.queries";
import { HealthResolver } from "./health.resolver";

/** The loaders the module adds to `context.loaders`. */
const healthLoaders = loaderFactory((db) => ({
  // The addresses whose last delivery failed, per account.
  failedDeliveries: new DataLoader<string, DeliveryStatus[]>(async (accountIds) => {
    const byAccount = groupBy(await failedDeliveriesOf(db, accountIds), (row) => row.accountId);
    return accountIds.map((id) => byAccount.get(id) ?? []);
  }),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof healthLoaders> {}
}

export const healthModule = defineModule({
  name: "contact-health",
  loaders: healthLoaders,
  resolvers: [HealthResolver],
  accountScreen: { contactSlotFields: ["contactHealth"] },
});
