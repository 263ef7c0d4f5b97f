/** Delivery attempts by result since the process started; `/metrics` reports them (src/observability/metrics.ts). */
export type MailOutcome = "sent" | "retry" | "failed";

export const mailOutcomes: Record<MailOutcome, number> = { sent: 0, retry: 0, failed: 0 };

/** Counts one delivery attempt: sent, failed and tried again later (retry), or failed for good. */
export function countMailOutcome(outcome: MailOutcome): void {
  mailOutcomes[outcome]++;
}
