import { defineModule } from "../feature-module";
import { pageLoaders, rowsByKey, loaderFactory, type LoadersOf } from "../loaders";
import { accountRowFinder } from "../nodes/node.resolver";
import type { NotificationDelivery } from "./notification-delivery.entity";
import { deliveriesByIds, loadDeliveryPages } from "./delivery.queries";
import { AccountDeliveriesResolver, DeliveryResolver } from "./notification-delivery.resolver";

/** The loaders the module adds to `context.loaders`. */
const notificationLoaders = loaderFactory((db) => ({
  deliveryPage: pageLoaders<NotificationDelivery>((accountIds, args) => loadDeliveryPages(db, accountIds, args)),
  deliveryById: rowsByKey<number, NotificationDelivery>(
    (ids) => deliveriesByIds(db, ids),
    (delivery) => delivery.sequence,
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
    NotificationDelivery: accountRowFinder((context, sequence) => context.loaders.deliveryById.load(sequence)),
  },
});
