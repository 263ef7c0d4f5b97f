import { WebhookWorker } from "../../src/webhooks/webhook.worker";
import { httpWebhookSender } from "../../src/webhooks/webhook-transport";
import type { Database } from "../../src/database";

/** Port 9 (discard) on loopback: nothing answers there, so a delivery fails at once. */
export const UNREACHABLE_WEBHOOK_URL = "http://127.0.0.1:9/hook";

/** The settings a test server needs to accept UNREACHABLE_WEBHOOK_URL. */
export const LOCAL_WEBHOOKS_ENV = { WEBHOOK_ALLOW_HTTP: "true", WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" };

export const ADD_WEBHOOK_ENDPOINT = `mutation($input: AddWebhookEndpointInput!) { addWebhookEndpoint(input: $input) { webhookEndpoint { id } } }`;

/** Tries every due webhook delivery once (each to UNREACHABLE_WEBHOOK_URL fails), so endpoints have delivery records; retries wait an hour. */
export async function attemptWebhookDeliveries(db: Database): Promise<void> {
  const worker = new WebhookWorker(db, httpWebhookSender({ allowHttp: true, allowPrivateAddresses: true }, 2_000), {
    pollMs: 1000,
    concurrency: 4,
    retryScheduleMs: [3_600_000],
    maxFailures: 10,
    leaseMs: 60_000,
  });
  while ((await worker.runOnce()) > 0);
}
