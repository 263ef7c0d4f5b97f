import DataLoader from "dataloader";
import { defineModule, type LoadersOf } from "../feature-module";
import { BATCH, inKeyOrder, pageLoaders } from "../loaders";
import type { ConnectionArgs } from "../common/pagination";
import { groupBy } from "../common/group-by";
import type { WebhookDelivery, WebhookEndpoint } from "./webhook-endpoint.entity";
import { endpointsByIds, endpointsOfAccounts, loadWebhookDeliveryPages, webhookDeliveriesByIds } from "./webhook.queries";
import { AccountWebhooksResolver, WebhookDeliveryResolver, WebhookEndpointResolver } from "./webhook.resolver";

export const webhookModule = defineModule({
  name: "webhooks",
  resolvers: [WebhookEndpointResolver, WebhookDeliveryResolver, AccountWebhooksResolver],
  loaders: (db) => ({
    webhookEndpoints: new DataLoader<string, WebhookEndpoint[]>(async (accountIds) => {
      const grouped = groupBy(await endpointsOfAccounts(db, accountIds), (endpoint) => endpoint.accountId);
      return accountIds.map((id) => grouped.get(id) ?? []);
    }, BATCH),
    webhookEndpointById: new DataLoader<number, WebhookEndpoint | null>(
      async (ids) => inKeyOrder(ids, await endpointsByIds(db, ids), (endpoint) => endpoint.sequence),
      BATCH,
    ),
    webhookDeliveryById: new DataLoader<number, WebhookDelivery | null>(
      async (ids) => inKeyOrder(ids, await webhookDeliveriesByIds(db, ids), (delivery) => delivery.sequence),
      BATCH,
    ),
    webhookDeliveryPage: pageLoaders<WebhookDelivery, ConnectionArgs, number>((endpointIds, args) =>
      loadWebhookDeliveryPages(db, endpointIds, args),
    ),
  }),
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof webhookModule> {}
}
