import { randomUUID } from "node:crypto";
import type { Database } from "../database";
import type { WebhookSettings } from "../config";
import { ACCOUNT_EVENT_KINDS, kindsOf, type AccountEvent } from "../events/account-event.entity";
import {
  eventTypesOf,
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookEndpointStatus,
  type WebhookEndpoint,
} from "./webhook-endpoint.entity";
import {
  claimEndpoint,
  dueEndpoints,
  endpointsByIds,
  eventsAfter,
  recordAttempt,
  releaseEndpoint,
  type AttemptOutcome,
} from "./webhook.queries";
import { eventData } from "./webhook-payload";
import { webhookIdOf, webhookSignature } from "./webhook-signing";
import { httpWebhookSender, type WebhookResponse, type WebhookSender } from "./webhook-transport";
import { countWebhookOutcome } from "../common/webhook-outcomes";
import { PollingLoop } from "../common/polling-loop";

export interface WebhookWorkerOptions {
  /** How often to look for due endpoints when idle. */
  pollMs: number;
  /** Endpoints sent to at once (one event at a time per endpoint, always). */
  concurrency?: number;
  /** Endpoints claimed per round (at least `concurrency`). */
  batchSize?: number;
  /** Wait before each retry after a failure: the first after one failure, and so on; the last repeats. */
  retryScheduleMs: number[];
  /** The endpoint is DISABLED at this many consecutive failures. */
  maxFailures: number;
  /** How long a claimed endpoint is left alone by other workers: longer than one delivery can take. */
  leaseMs: number;
  /** Events sent to one endpoint per claim before others get a turn. */
  eventsPerClaim?: number;
  /** How long `stop` waits for deliveries in flight before leaving them to their lease. */
  stopWaitMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/** What caused a failed attempt, in a few words for the log: the system error's code, or the error's message. */
function causeText(cause: unknown): string {
  if (cause === undefined || cause === null) return "";
  const code = (cause as NodeJS.ErrnoException).code;
  if (typeof code === "string") return code;
  return cause instanceof Error ? cause.message : String(cause);
}

/** Events read per look at an endpoint's backlog. */
const EVENTS_PER_READ = 50;

/** The wait before the next attempt after `failures` consecutive failures. */
export function retryDelayMs(schedule: readonly number[], failures: number): number {
  return schedule[Math.min(Math.max(failures, 1), schedule.length) - 1] ?? 0;
}

/**
 * Sends each endpoint the account events after its cursor, oldest first, one at a time: the change
 * log is the outbox. An endpoint is claimed with a conditional update (a lease with an expiry), so
 * several processes share the work and never send to one endpoint at once; its next event waits
 * until this one is delivered, so a receiver sees an account's events in order, each at least once,
 * each attempt with the same `webhook-id`. A failure is retried on the schedule, and after
 * `maxFailures` in a row the endpoint is DISABLED until an admin enables it again.
 */
export class WebhookWorker {
  private readonly loop: PollingLoop;
  private stopRequested = false;
  /** Set when `stop` stopped waiting: an attempt still in flight is not recorded, and its lease lets it be made again. */
  private abandoned = false;
  private inFlight = 0;

  constructor(
    private readonly db: Database,
    private readonly send: WebhookSender,
    private readonly options: WebhookWorkerOptions,
  ) {
    this.loop = new PollingLoop(async () => (await this.runOnce()) > 0, {
      pollMs: options.pollMs,
      stopWaitMs: options.stopWaitMs ?? 2_000,
      onRoundError: (error) => options.log?.("The webhook worker's round failed; it will try again.", error),
    });
  }

  start(): void {
    this.stopRequested = false;
    this.abandoned = false;
    this.loop.start();
  }

  /** Stops claiming endpoints and waits for deliveries in flight, for at most `stopWaitMs`. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (!(await this.loop.stop())) {
      this.abandoned = true;
      this.options.log?.(
        `Stopped while ${this.inFlight} webhook delivery(ies) were in flight; they will be made again when their lease ends.`,
      );
    }
  }

  /** Serves every endpoint due at `now`, `concurrency` at a time; returns how many attempts were made. */
  async runOnce(now = new Date()): Promise<number> {
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    const due = await dueEndpoints(this.db, now, this.batchSize);
    // Endpoints whose receiver keeps failing (often one that never answers and holds a lane for the
    // whole deadline) get at most half the lanes, and go after the healthy ones: one account's broken
    // receivers cannot hold up every other account's deliveries.
    const healthy = due.filter((endpoint) => endpoint.consecutiveFailures === 0);
    const failing = due.filter((endpoint) => endpoint.consecutiveFailures > 0);
    const failingLanes = Math.max(1, Math.floor(concurrency / 2));
    let failingInFlight = 0;
    let attempts = 0;
    const take = (): { endpoint: WebhookEndpoint; failing: boolean } | null => {
      const next = healthy.shift();
      if (next) return { endpoint: next, failing: false };
      if (failingInFlight >= failingLanes || failing.length === 0) return null;
      failingInFlight++;
      return { endpoint: failing.shift()!, failing: true };
    };
    const lane = async () => {
      for (let taken = take(); !this.stopRequested && taken !== null; taken = take()) {
        const seen = taken.endpoint;
        try {
          attempts += await this.serveOne(seen);
        } finally {
          if (taken.failing) failingInFlight--;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, lane));
    return attempts;
  }

  /** Claims one endpoint seen due and serves it; 0 attempts when another worker holds it. */
  private async serveOne(seen: WebhookEndpoint): Promise<number> {
    const token = randomUUID();
    const endpoint = await this.db.write((manager) => claimEndpoint(manager, seen, this.leaseEnd(), token));
    if (!endpoint) return 0;
    try {
      return await this.serve(endpoint, token);
    } catch (error) {
      this.options.log?.(`Webhook endpoint ${endpoint.sequence}: the round failed; its lease lets it be tried again.`, error);
      return 0;
    }
  }

  private get batchSize(): number {
    return Math.max(this.options.batchSize ?? 20, this.options.concurrency ?? 1);
  }

  private leaseEnd(): Date {
    return new Date(Date.now() + this.options.leaseMs);
  }

  /** Sends a claimed endpoint its events in order until it fails, runs out, or has had its turn; returns the attempts made. */
  private async serve(claimed: WebhookEndpoint, token: string): Promise<number> {
    let endpoint = claimed;
    let attempts = 0;
    while (!this.stopRequested && attempts < (this.options.eventsPerClaim ?? 20)) {
      const events = await eventsAfter(this.db, endpoint.accountId, endpoint.cursor, EVENTS_PER_READ);
      if (events.length === 0) break;
      const wanted = eventTypesOf(endpoint);
      const event = events.find((candidate) => kindsOf(candidate).some((kind) => wanted.includes(kind)));
      if (!event) {
        // None of these is for this endpoint: done with them, without a delivery.
        const cursor = events.at(-1)!.sequence;
        if (
          !(await this.db.write((manager) =>
            recordAttempt(manager, endpoint.sequence, token, { ...this.unchanged(endpoint), cursor, pendingAttempts: 0 }),
          ))
        )
          return attempts;
        endpoint = { ...endpoint, cursor, pendingAttempts: 0 };
        continue;
      }
      attempts++;
      const outcome = await this.attempt(endpoint, event, token);
      if (outcome === null || outcome.leaseUntil === null) return attempts;
      // Read again before the next event: an admin may have paused, removed or changed it meanwhile.
      const [fresh] = await endpointsByIds(this.db, [endpoint.sequence]);
      if (!fresh || fresh.leaseToken !== token) return attempts;
      if (fresh.status !== WebhookEndpointStatus.ENABLED) break;
      endpoint = fresh;
    }
    await this.db.write((manager) => releaseEndpoint(manager, endpoint.sequence, token));
    return attempts;
  }

  /** What recording changes nothing but the lease looks like. */
  private unchanged(endpoint: WebhookEndpoint): AttemptOutcome {
    const { cursor, pendingAttempts, consecutiveFailures, failingSince, nextAttemptAt, lastError, lastResponseStatus, lastDeliveryAt } =
      endpoint;
    return {
      cursor,
      pendingAttempts,
      consecutiveFailures,
      failingSince,
      nextAttemptAt,
      lastError,
      lastResponseStatus,
      lastDeliveryAt,
      leaseUntil: this.leaseEnd(),
      disable: false,
      now: new Date(),
    };
  }

  /** One attempt at one event: sent, signed, and recorded with the endpoint's new state; null if the claim was lost meanwhile. */
  private async attempt(endpoint: WebhookEndpoint, event: AccountEvent, token: string): Promise<AttemptOutcome | null> {
    const wanted = eventTypesOf(endpoint);
    const type = ACCOUNT_EVENT_KINDS.find((kind) => kindsOf(event).includes(kind) && wanted.includes(kind))!;
    // Attempts count per event: an event other than the one that failed before starts at 1.
    const attempt = event.sequence === endpoint.cursor + 1 ? endpoint.pendingAttempts + 1 : 1;
    const webhookId = webhookIdOf(endpoint.sequence, event.sequence);
    const { timestamp, data } = await eventData(this.db, event);
    const body = JSON.stringify({ type, timestamp, data });
    const sentAt = new Date();
    const seconds = Math.floor(sentAt.getTime() / 1000);
    const secrets = [
      endpoint.secret,
      ...(endpoint.previousSecret !== null && endpoint.previousSecretUntil !== null && endpoint.previousSecretUntil > sentAt
        ? [endpoint.previousSecret]
        : []),
    ];
    let response: WebhookResponse;
    this.inFlight++;
    try {
      response = await this.send({
        url: endpoint.url,
        body,
        headers: {
          "webhook-id": webhookId,
          "webhook-timestamp": String(seconds),
          "webhook-signature": webhookSignature(secrets, webhookId, seconds, body),
        },
      });
    } finally {
      this.inFlight--;
    }
    if (this.abandoned) return null;
    const now = new Date();
    let outcome: AttemptOutcome;
    if (response.ok) {
      outcome = {
        cursor: event.sequence,
        pendingAttempts: 0,
        consecutiveFailures: 0,
        failingSince: null,
        nextAttemptAt: null,
        lastError: null,
        lastResponseStatus: response.status,
        lastDeliveryAt: now,
        leaseUntil: this.leaseEnd(),
        disable: false,
        now,
      };
    } else {
      const failures = endpoint.consecutiveFailures + 1;
      const disable = failures >= this.options.maxFailures;
      outcome = {
        cursor: event.sequence - 1,
        pendingAttempts: attempt,
        consecutiveFailures: failures,
        failingSince: endpoint.failingSince ?? now,
        nextAttemptAt: disable ? null : new Date(now.getTime() + retryDelayMs(this.options.retryScheduleMs, failures)),
        lastError: response.error,
        lastResponseStatus: response.status,
        lastDeliveryAt: now,
        leaseUntil: null,
        disable,
        now,
      };
    }
    const recorded = await this.db.write(async (manager) => {
      if (!(await recordAttempt(manager, endpoint.sequence, token, outcome))) return false;
      await manager.insert(WebhookDelivery, {
        endpointId: endpoint.sequence,
        webhookId,
        eventType: type,
        eventSequence: event.sequence,
        attempt,
        status: response.ok ? WebhookDeliveryStatus.DELIVERED : WebhookDeliveryStatus.FAILED,
        responseStatus: response.status,
        error: response.error,
        durationMs: response.durationMs,
        at: sentAt,
        nextAttemptAt: outcome.nextAttemptAt,
      });
      return true;
    });
    countWebhookOutcome(response.ok ? "delivered" : outcome.disable ? "disabled" : "retry");
    if (!response.ok) {
      // A receiver's failure is expected, not a fault of this service: one line with its kind and cause, no stack.
      const why = [response.error, response.status, causeText(response.cause)].filter((part) => part !== null && part !== "").join(" ");
      if (outcome.disable)
        this.options.log?.(
          `Webhook endpoint ${endpoint.sequence} disabled after ${outcome.consecutiveFailures} failed attempts in a row (${why}).`,
        );
      else
        this.options.log?.(
          `Webhook ${webhookId} attempt ${attempt} failed (${why}); trying again at ${outcome.nextAttemptAt!.toISOString()}.`,
        );
    }
    return recorded ? outcome : null;
  }
}

/** The worker main.ts runs, sending over HTTP(S) within the settings' destination rules and timeout. */
export function startWebhookWorker(
  db: Database,
  settings: WebhookSettings,
  log: (message: string, error?: unknown) => void,
): WebhookWorker {
  const worker = new WebhookWorker(db, httpWebhookSender(settings, settings.timeoutMs), {
    pollMs: settings.pollMs,
    concurrency: settings.concurrency,
    retryScheduleMs: settings.retryScheduleMs,
    maxFailures: settings.maxFailures,
    // A claim must outlast one delivery (its whole timeout) and the writes around it.
    leaseMs: Math.max(60_000, settings.timeoutMs * 3),
    log,
  });
  worker.start();
  return worker;
}
