import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { Node } from "../nodes/node.type";
import { ACCOUNT_EVENT_KINDS, AccountEventKind } from "../events/account-event.entity";

/** Whether an endpoint receives deliveries. */
export enum WebhookEndpointStatus {
  ENABLED = "ENABLED",
  PAUSED = "PAUSED",
  DISABLED = "DISABLED",
}

registerEnumType(WebhookEndpointStatus, {
  name: "WebhookEndpointStatus",
  description:
    "Whether an endpoint receives deliveries. Events keep being recorded in every status; an endpoint set ENABLED again catches up from where it stopped.",
  valuesConfig: {
    ENABLED: { description: "Deliveries are sent, oldest event first." },
    PAUSED: { description: "An admin paused it: nothing is sent until it is set ENABLED." },
    DISABLED: {
      description:
        "The service stopped it after its deliveries kept failing (see disabledReason and lastError); an admin sets it ENABLED to try again.",
    },
  },
});

/** Why an endpoint is PAUSED. */
export enum WebhookPauseReason {
  ADMIN = "ADMIN",
  CREATOR_NO_LONGER_ADMIN = "CREATOR_NO_LONGER_ADMIN",
}

registerEnumType(WebhookPauseReason, {
  name: "WebhookPauseReason",
  description: "Why an endpoint is PAUSED.",
  valuesConfig: {
    ADMIN: { description: "An admin paused it." },
    CREATOR_NO_LONGER_ADMIN: {
      description:
        "The admin who added it was removed, left or is no longer an admin: the URL they chose stops receiving the account's changes until an admin who is one now checks it and sets it ENABLED.",
    },
  },
});

/** How one attempt at a delivery failed. */
export enum WebhookDeliveryError {
  HTTP_STATUS = "HTTP_STATUS",
  REDIRECT = "REDIRECT",
  TIMEOUT = "TIMEOUT",
  CONNECTION_FAILED = "CONNECTION_FAILED",
  HOST_NOT_FOUND = "HOST_NOT_FOUND",
  ADDRESS_REFUSED = "ADDRESS_REFUSED",
  TLS_FAILED = "TLS_FAILED",
}

registerEnumType(WebhookDeliveryError, {
  name: "WebhookDeliveryError",
  description: "Why a delivery attempt failed.",
  valuesConfig: {
    HTTP_STATUS: { description: "The receiver answered with a status other than 2xx (responseStatus says which)." },
    REDIRECT: { description: "The receiver answered with a redirect (3xx). Redirects are not followed: register the final URL." },
    TIMEOUT: { description: "The receiver did not answer in time (connecting and the whole response count)." },
    CONNECTION_FAILED: { description: "No connection could be made, or it was closed before an answer came." },
    HOST_NOT_FOUND: { description: "The URL's host name did not resolve." },
    ADDRESS_REFUSED: {
      description: "The host name resolved to an address this service does not send to (loopback, private, link-local…).",
    },
    TLS_FAILED: { description: "The TLS handshake failed: an invalid or untrusted certificate, say." },
  },
});

/** What an attempt came to. */
export enum WebhookDeliveryStatus {
  DELIVERED = "DELIVERED",
  FAILED = "FAILED",
}

registerEnumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  description: "What one delivery attempt came to.",
  valuesConfig: {
    DELIVERED: { description: "The receiver answered 2xx: the event is done with." },
    FAILED: { description: "The attempt failed (see error); the event is tried again at nextAttemptAt unless the endpoint was disabled." },
  },
});

/**
 * An HTTP endpoint of an account's admin that receives the account's events, signed (Standard
 * Webhooks). `cursor` is the last event sequence of the account it has finished with: the change log
 * is its outbox, and nothing else is queued for it.
 */
@ObjectType("WebhookEndpoint", {
  implements: Node,
  description: "An HTTPS endpoint that receives the account's changes as signed webhook deliveries (docs/webhooks.md).",
})
@Entity({ name: "webhook_endpoints" })
@Index("IDX_webhook_endpoints_account", ["accountId"])
@Index("IDX_webhook_endpoints_due", ["status", "nextAttemptAt"])
export class WebhookEndpoint {
  @PrimaryGeneratedColumn({ type: "integer", name: "id" })
  sequence: number;

  @Column({ type: "varchar", length: 36 })
  accountId: string;

  @Field(() => String, { description: "Where deliveries are POSTed." })
  @Column({ type: "varchar", length: 2048 })
  url: string;

  @Field(() => String, { nullable: true, description: "What the admin wrote about the endpoint, if anything." })
  @Column({ type: "varchar", length: 500, nullable: true })
  description: string | null;

  /** The AccountEventKind values it receives, comma-separated in their declared order. */
  @Column({ type: "varchar", length: 200 })
  eventTypes: string;

  @Field(() => WebhookEndpointStatus, { description: "Whether deliveries are sent." })
  @Column({ type: "varchar", length: 16 })
  status: WebhookEndpointStatus;

  /** The signing secret, `whsec_<base64>`; never shown after the mutation that made it. */
  @Column({ type: "varchar", length: 100 })
  secret: string;

  /** The secret before the last rotation, still signing beside the new one until `previousSecretUntil`. */
  @Column({ type: "varchar", length: 100, nullable: true })
  previousSecret: string | null;

  @Column({ type: Date, nullable: true })
  previousSecretUntil: Date | null;

  @Field(() => Date, { nullable: true, description: "When the secret was last rotated; null if it never was." })
  @Column({ type: Date, nullable: true })
  secretRotatedAt: Date | null;

  /** The last sequence of the account's events this endpoint has finished with (delivered, or not of a kind it wants). */
  @Column({ type: "integer" })
  cursor: number;

  /** Attempts made at the event after `cursor`; the next attempt's number is one more. */
  @Column({ type: "integer" })
  pendingAttempts: number;

  @Field(() => Int, { description: "Failed attempts since the last delivered one (or since the endpoint was last enabled)." })
  @Column({ type: "integer" })
  consecutiveFailures: number;

  /** When the first of the consecutive failures happened. */
  @Column({ type: Date, nullable: true })
  failingSince: Date | null;

  /** When the next attempt is due; null means now. */
  @Column({ type: Date, nullable: true })
  nextAttemptAt: Date | null;

  /** A worker holding the endpoint until then is sending to it; another leaves it alone. */
  @Column({ type: Date, nullable: true })
  leaseUntil: Date | null;

  /** Which claim holds the lease: only it may record the outcome. */
  @Column({ type: "varchar", length: 36, nullable: true })
  leaseToken: string | null;

  @Field(() => WebhookDeliveryError, {
    nullable: true,
    description: "How the last attempt failed; null when it succeeded or none was made.",
  })
  @Column({ type: "varchar", length: 32, nullable: true })
  lastError: WebhookDeliveryError | null;

  /** The HTTP status of the last failed attempt, when the receiver answered. */
  @Column({ type: "integer", nullable: true })
  lastResponseStatus: number | null;

  @Field(() => Date, { nullable: true, description: "When the last attempt (delivered or failed) was made; null before the first." })
  @Column({ type: Date, nullable: true })
  lastDeliveryAt: Date | null;

  /** When the service disabled the endpoint; null unless DISABLED. */
  @Column({ type: Date, nullable: true })
  disabledAt: Date | null;

  /** The admin who added the endpoint; null for endpoints added before this was kept. */
  @Column({ type: "varchar", length: 36, nullable: true })
  createdById: string | null;

  @Field(() => WebhookPauseReason, { nullable: true, description: "Why the endpoint is PAUSED; null in any other status." })
  @Column({ type: "varchar", length: 32, nullable: true })
  pausedReason: WebhookPauseReason | null;

  @Field(() => Date, { description: "When the endpoint was added." })
  @Column({ type: Date })
  createdAt: Date;

  @Column({ type: Date })
  updatedAt: Date;
}

/** The kinds an endpoint wants, from its stored column. */
export function eventTypesOf(endpoint: Pick<WebhookEndpoint, "eventTypes">): AccountEventKind[] {
  const wanted = new Set(endpoint.eventTypes.split(","));
  return ACCOUNT_EVENT_KINDS.filter((kind) => wanted.has(kind));
}

/** The stored column for a set of kinds: declared order, no repeats. */
export function storedEventTypes(kinds: readonly AccountEventKind[]): string {
  return ACCOUNT_EVENT_KINDS.filter((kind) => kinds.includes(kind)).join(",");
}

/** One attempt to deliver one event to one endpoint: the record the endpoint's `deliveries` lists. */
@ObjectType("WebhookDelivery", { implements: Node, description: "One attempt to deliver one account event to a webhook endpoint." })
@Entity({ name: "webhook_deliveries" })
@Index("IDX_webhook_deliveries_endpoint", ["endpointId", "sequence"])
export class WebhookDelivery {
  @PrimaryGeneratedColumn({ type: "integer", name: "id" })
  sequence: number;

  @Column({ type: "integer" })
  endpointId: number;

  @Field(() => String, {
    description: "The `webhook-id` header: the same for every attempt at one event, so a receiver drops repeats by it.",
  })
  @Column({ type: "varchar", length: 64 })
  webhookId: string;

  @Field(() => AccountEventKind, { description: "The event type the delivery named (`type` in its body)." })
  @Column({ type: "varchar", length: 40 })
  eventType: AccountEventKind;

  /** The account event's sequence (account_events.sequence). */
  @Column({ type: "integer" })
  eventSequence: number;

  @Field(() => Int, { description: "1 for the first attempt at this event, 2 for the first retry, and so on." })
  @Column({ type: "integer" })
  attempt: number;

  @Field(() => WebhookDeliveryStatus, { description: "Whether the receiver took it." })
  @Column({ type: "varchar", length: 16 })
  status: WebhookDeliveryStatus;

  @Field(() => Int, { nullable: true, description: "The HTTP status the receiver answered with; null when no answer came." })
  @Column({ type: "integer", nullable: true })
  responseStatus: number | null;

  @Field(() => WebhookDeliveryError, { nullable: true, description: "How the attempt failed; null when it was DELIVERED." })
  @Column({ type: "varchar", length: 32, nullable: true })
  error: WebhookDeliveryError | null;

  @Field(() => Int, { description: "How long the attempt took, in milliseconds." })
  @Column({ type: "integer" })
  durationMs: number;

  @Field(() => Date, { description: "When the attempt was made." })
  @Column({ type: Date })
  at: Date;

  @Field(() => Date, {
    nullable: true,
    description: "When the event is tried again after this failure; null when DELIVERED or when the endpoint was disabled.",
  })
  @Column({ type: Date, nullable: true })
  nextAttemptAt: Date | null;
}
