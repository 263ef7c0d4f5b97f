/** Webhook delivery attempts by result since the process started; `/metrics` reports them (src/observability/metrics.ts). */
export type WebhookOutcome = "delivered" | "retry" | "disabled";

export const webhookOutcomes: Record<WebhookOutcome, number> = { delivered: 0, retry: 0, disabled: 0 };

/** Counts one attempt: delivered, failed and tried again later (retry), or failed and disabled its endpoint. */
export function countWebhookOutcome(outcome: WebhookOutcome): void {
  webhookOutcomes[outcome]++;
}
