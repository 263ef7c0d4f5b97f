import { defineModule } from "../feature-module";
import { pageLoaders, rowsByKey, rowsOfAccounts, loaderFactory, type LoadersOf } from "../loaders";
import type { ConnectionArgs } from "../common/pagination";
import type { NodeLookup } from "../nodes/node.resolver";
import { mayAdminister } from "../members/account-member.entity";
import type { WebhookDelivery, WebhookEndpoint } from "./webhook-endpoint.entity";
import { endpointsByIds, endpointsOfAccounts, loadWebhookDeliveryPages, webhookDeliveriesByIds } from "./webhook.queries";
import { AccountWebhooksResolver, WebhookDeliveryResolver, WebhookEndpointResolver } from "./webhook.resolver";

/** An endpoint, to its account's admins only; to anyone else it does not exist. */
async function administeredEndpoint(endpointId: number | undefined, { context, viewerId, readable }: NodeLookup) {
  const endpoint = endpointId === undefined ? null : await context.loaders.webhookEndpointById.load(endpointId);
  if (!endpoint) return null;
  await readable(endpoint.accountId);
  const membership = await context.loaders.membership.load({ accountId: endpoint.accountId, userId: viewerId });
  return membership && mayAdminister(membership.role) ? endpoint : null;
}

/** The loaders the module adds to `context.loaders`. */
const webhookLoaders = loaderFactory((db) => ({
  webhookEndpoints: rowsOfAccounts(
    (accountIds) => endpointsOfAccounts(db, accountIds),
    (endpoint) => endpoint.accountId,
  ),
  webhookEndpointById: rowsByKey<number, WebhookEndpoint>(
    (ids) => endpointsByIds(db, ids),
    (endpoint) => endpoint.sequence,
  ),
  webhookDeliveryById: rowsByKey<number, WebhookDelivery>(
    (ids) => webhookDeliveriesByIds(db, ids),
    (delivery) => delivery.sequence,
  ),
  webhookDeliveryPage: pageLoaders<WebhookDelivery, ConnectionArgs, number>((endpointIds, args) =>
    loadWebhookDeliveryPages(db, endpointIds, args),
  ),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof webhookLoaders> {}
}

export const webhookModule = defineModule({
  name: "webhooks",
  loaders: webhookLoaders,
  resolvers: [WebhookEndpointResolver, WebhookDeliveryResolver, AccountWebhooksResolver],
  nodes: {
    WebhookEndpoint: ([sequence], lookup) => administeredEndpoint(Number(sequence), lookup),
    WebhookDelivery: async ([sequence], lookup) => {
      const delivery = await lookup.context.loaders.webhookDeliveryById.load(Number(sequence));
      return (await administeredEndpoint(delivery?.endpointId, lookup)) ? delivery : null;
    },
  },
});
