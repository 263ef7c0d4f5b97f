import DataLoader from "dataloader";
import { defineModule, type LoadersOf } from "../feature-module";
import { BATCH, inKeyOrder, pageLoaders } from "../loaders";
import type { NotificationDelivery } from "./notification-delivery.entity";
import { deliveriesByIds, loadDeliveryPages } from "./delivery.queries";
import { AccountDeliveriesResolver, DeliveryResolver } from "./notification-delivery.resolver";

export const notificationModule = defineModule({
  name: "notifications",
  resolvers: [DeliveryResolver, AccountDeliveriesResolver],
  loaders: (db) => ({
    deliveryPage: pageLoaders<NotificationDelivery>((accountIds, args) => loadDeliveryPages(db, accountIds, args)),
    deliveryById: new DataLoader<number, NotificationDelivery | null>(
      async (ids) => inKeyOrder(ids, await deliveriesByIds(db, ids), (delivery) => delivery.sequence),
      BATCH,
    ),
  }),
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof notificationModule> {}
}
