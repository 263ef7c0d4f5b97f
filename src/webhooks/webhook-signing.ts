import { createHmac, randomBytes } from "node:crypto";

/** Standard Webhooks' prefix of a secret: the rest is the key, base64. */
const SECRET_PREFIX = "whsec_";

/** A new signing secret: 32 random bytes, as `whsec_<base64>`. */
export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

/** The key bytes of a `whsec_` secret. */
function keyOf(secret: string): Buffer {
  return Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
}

/**
 * The `webhook-signature` header: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` for each secret,
 * separated by spaces (during a rotation's overlap, the new secret's first and the old one's after it).
 */
export function webhookSignature(secrets: readonly string[], webhookId: string, timestampSeconds: number, body: string): string {
  const signed = `${webhookId}.${timestampSeconds}.${body}`;
  return secrets.map((secret) => `v1,${createHmac("sha256", keyOf(secret)).update(signed, "utf8").digest("base64")}`).join(" ");
}

/** The `webhook-id` of an endpoint's delivery of one event: the same for every attempt, so receivers drop repeats by it. */
export function webhookIdOf(endpointId: number, eventSequence: number): string {
  return `msg_${endpointId}_${eventSequence}`;
}
