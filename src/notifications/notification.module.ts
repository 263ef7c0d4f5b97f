import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { BATCH, inKeyOrder, pageLoaders, loaderFactory, type LoadersOf } from "../loaders";
import type { NotificationDelivery } from "./notification-delivery.entity";
import { deliveriesByIds, loadDeliveryPages } from "./delivery.queries";
import { AccountDeliveriesResolver, DeliveryResolver } from "./notification-delivery.resolver";

/** The loaders the module adds to `context.loaders`. */
const notificationLoaders = loaderFactory((db) => ({
  deliveryPage: pageLoaders<NotificationDelivery>((accountIds, args) => loadDeliveryPages(db, accountIds, args)),
  deliveryById: new DataLoader<number, NotificationDelivery | null>(
    async (ids) => inKeyOrder(ids, await deliveriesByIds(db, ids), (delivery) => delivery.sequence),
    BATCH,
  ),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof notificationLoaders> {}
}

export const notificationModule = defineModule({
  name: "notifications",
  loaders: notificationLoaders,
  resolvers: [DeliveryResolver, AccountDeliveriesResolver],
  nodes: {
    NotificationDelivery: async ([sequence], { context, readable }) => {
      const delivery = await context.loaders.deliveryById.load(Number(sequence));
      if (delivery) await readable(delivery.accountId);
      return delivery;
    },
  },
});
