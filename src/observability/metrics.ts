import fs from "node:fs";
import path from "node:path";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { Database, OutcomeListener } from "../database";
import type { DatabaseHealth } from "./database-health";
import { mailOutcomes, type MailOutcome } from "../common/mail-outcomes";
import { DeliveryState } from "../notifications/notification-delivery.entity";
import { deliveryCountsByState } from "../notifications/delivery.queries";
import { webhookOutcomes, type WebhookOutcome } from "../common/webhook-outcomes";
import { webhookBacklog } from "../webhooks/webhook.queries";
import { WebhookEndpointStatus } from "../webhooks/webhook-endpoint.entity";
import type { Logger, RequestScope } from "./logger";

/** Distinct operation names given series of their own; later names share OTHER. */
export const MAX_OPERATION_LABELS = 100;
/** Distinct outcome codes given series of their own. */
const MAX_OUTCOME_LABELS = 50;
/** Operations without a name, and requests refused before one was known. */
export const UNNAMED_OPERATION = "(unnamed)";
export const OTHER_LABEL = "(other)";

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * A label whose values callers choose: the first `max` values admitted keep their own value, every
 * later one is reported as OTHER, so no caller can make the number of series grow without bound.
 */
class BoundedLabel {
  private readonly admitted = new Set<string>();

  constructor(private readonly max: number) {}

  value(candidate: string, mayAdmit: boolean): string {
    if (this.admitted.has(candidate)) return candidate;
    if (!mayAdmit || this.admitted.size >= this.max) return OTHER_LABEL;
    this.admitted.add(candidate);
    return candidate;
  }
}

interface OutboxRow {
  state: string;
  count: number | string;
  oldest: Date | string | null;
}

/** SQLite returns timestamps as UTC text, PostgreSQL (see database.ts) as a Date. */
function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(`${value.replace(" ", "T")}Z`);
}

/** The version in the service's package.json, found by walking up from this file (src/ or dist/src/). */
function serviceVersion(): string {
  for (let directory = __dirname; ; directory = path.dirname(directory)) {
    const file = path.join(directory, "package.json");
    if (fs.existsSync(file)) {
      const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (manifest.name === "contact-points") return manifest.version ?? "unknown";
    }
    if (path.dirname(directory) === directory) return "unknown";
  }
}

/** Figures of the whole process (the delivery worker has no Metrics of its own); every Metrics renders them after its own. */
const processRegistry = new Registry();
let mailCounted: Record<MailOutcome, number> = { sent: 0, retry: 0, failed: 0 };
new Counter({
  name: "contact_points_mail_messages_total",
  help: "Delivery attempts by result: sent, retry (failed, to be tried again) or failed (given up on).",
  labelNames: ["result"],
  registers: [processRegistry],
  collect() {
    for (const result of Object.keys(mailOutcomes) as MailOutcome[]) this.inc({ result }, mailOutcomes[result] - mailCounted[result]);
    mailCounted = { ...mailOutcomes };
  },
});
let webhooksCounted: Record<WebhookOutcome, number> = { delivered: 0, retry: 0, disabled: 0 };
new Counter({
  name: "contact_points_webhook_attempts_total",
  help: "Webhook delivery attempts by result: delivered, retry (failed, to be tried again) or disabled (failed, and the endpoint was disabled).",
  labelNames: ["result"],
  registers: [processRegistry],
  collect() {
    for (const result of Object.keys(webhookOutcomes) as WebhookOutcome[])
      this.inc({ result }, webhookOutcomes[result] - webhooksCounted[result]);
    webhooksCounted = { ...webhookOutcomes };
  },
});
new Gauge({
  name: "contact_points_build_info",
  help: "Always 1; the labels name the running version and Node.js.",
  labelNames: ["version", "node_version"],
  registers: [processRegistry],
}).set({ version: serviceVersion(), node_version: process.versions.node }, 1);

/**
 * The service's Prometheus metrics, on a registry of its own (each server built in one process,
 * as the tests do, has its own). Outbox figures are read with one statement when scraped.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly operations = new BoundedLabel(MAX_OPERATION_LABELS);
  private readonly outcomes = new BoundedLabel(MAX_OUTCOME_LABELS);
  private readonly requestDuration: Histogram<"operation" | "outcome">;
  private readonly inFlight: Gauge;
  private readonly writerWait: Histogram;
  private readonly outboxPending: Gauge;
  private readonly outboxOldestPending: Gauge;
  private readonly outboxMessages: Gauge<"state">;
  private readonly webhookEndpoints: Gauge<"status">;
  private readonly webhookPendingEvents: Gauge<"status">;
  private readonly rateLimited: Counter;
  private readonly rateLimitStoreFailures: Counter;
  private readonly pageDuration: Histogram<"page" | "method" | "status">;
  private readonly databaseListener: OutcomeListener;
  private outboxReading: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    health?: DatabaseHealth,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.requestDuration = new Histogram({
      name: "contact_points_graphql_request_duration_seconds",
      help: "Time from receiving a GraphQL request to finishing its response, by operation name and outcome (the first error's code, or OK).",
      labelNames: ["operation", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.inFlight = new Gauge({ name: "contact_points_graphql_requests_in_flight", help: "GraphQL requests being served now.", registers });
    this.writerWait = new Histogram({
      name: "contact_points_database_writer_wait_seconds",
      help: "Time a write waited before its transaction began: in the SQLite writer's queue, or for a PostgreSQL pool connection.",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.outboxPending = new Gauge({
      name: "contact_points_outbox_pending_messages",
      help: "Messages waiting to be sent or retried.",
      registers,
    });
    this.outboxOldestPending = new Gauge({
      name: "contact_points_outbox_oldest_pending_age_seconds",
      help: "Age of the oldest message still waiting to be sent; 0 when none waits.",
      registers,
    });
    this.outboxMessages = new Gauge({
      name: "contact_points_outbox_messages",
      help: "Messages in the outbox by delivery state.",
      labelNames: ["state"],
      registers,
    });
    this.webhookEndpoints = new Gauge({
      name: "contact_points_webhook_endpoints",
      help: "Webhook endpoints by status.",
      labelNames: ["status"],
      registers,
    });
    this.webhookPendingEvents = new Gauge({
      name: "contact_points_webhook_pending_events",
      help: "Account events after the endpoints' cursors (not yet delivered or passed over), by endpoint status.",
      labelNames: ["status"],
      registers,
    });
    this.rateLimited = new Counter({
      name: "contact_points_mutations_rate_limited_total",
      help: "Requests refused with RATE_LIMITED.",
      registers,
    });
    this.rateLimitStoreFailures = new Counter({
      name: "contact_points_rate_limit_store_failures_total",
      help: "Times the shared rate-limit store could not be reached and this process counted mutations on its own.",
      registers,
    });
    const pool = db.pool;
    if (pool) {
      new Gauge({
        name: "contact_points_database_pool_connections",
        help: "Connections the database pool holds open.",
        registers,
        collect() {
          this.set(pool.totalCount);
        },
      });
      new Gauge({
        name: "contact_points_database_pool_idle_connections",
        help: "Open pool connections not in use.",
        registers,
        collect() {
          this.set(pool.idleCount);
        },
      });
      new Gauge({
        name: "contact_points_database_pool_waiting_requests",
        help: "Queries waiting for a pool connection.",
        registers,
        collect() {
          this.set(pool.waitingCount);
        },
      });
    }
    let counted = 0;
    new Counter({
      name: "contact_points_database_statements_total",
      help: "SQL statements sent to the database, by driver.",
      labelNames: ["driver"],
      registers,
      collect() {
        this.inc({ driver: db.driver }, db.statementCount - counted);
        counted = db.statementCount;
      },
    });
    db.onWriterWait = (seconds) => this.writerWait.observe(seconds);
    const groupWrites = new Histogram({
      name: "contact_points_database_group_commit_writes",
      help: "SQLite only: how many writes each committed transaction held (group commit).",
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    });
    db.onGroupCommit = (writes) => groupWrites.observe(writes);
    if (health) {
      new Gauge({
        name: "contact_points_database_up",
        help: "1 while the database serves reads (access=read) or writes (access=write), 0 while they fail.",
        labelNames: ["access"],
        registers,
        collect() {
          this.set({ access: "read" }, health.up("read"));
          this.set({ access: "write" }, health.up("write"));
        },
      });
    }
    const operationDuration = new Histogram({
      name: "contact_points_database_operation_duration_seconds",
      help: "Time of each database read (one statement or a few) and write (a whole transaction, commit included), by outcome: ok, or unavailable (answered SERVICE_UNAVAILABLE).",
      labelNames: ["operation", "outcome"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.databaseListener = (operation, seconds, fault) =>
      operationDuration.observe({ operation, outcome: fault ? "unavailable" : "ok" }, seconds);
    db.outcomeListeners.push(this.databaseListener);
    this.pageDuration = new Histogram({
      name: "contact_points_page_request_duration_seconds",
      help: "Time to answer a page request (the confirmation page), by page, method and status.",
      labelNames: ["page", "method", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }

  /** Live updates: open sockets and subscriptions read when scraped, events counted as they are sent. */
  observeLiveUpdates(figures: () => { sockets: number; subscriptions: number }): { eventDelivered(): void } {
    const registers = [this.registry];
    new Gauge({
      name: "contact_points_websocket_connections",
      help: "WebSocket connections (graphql-ws) open now, authenticated or not yet.",
      registers,
      collect() {
        this.set(figures().sockets);
      },
    });
    new Gauge({
      name: "contact_points_subscriptions_active",
      help: "GraphQL subscriptions running now.",
      registers,
      collect() {
        this.set(figures().subscriptions);
      },
    });
    const delivered = new Counter({
      name: "contact_points_subscription_events_delivered_total",
      help: "Account events sent to subscribers (each subscriber counted).",
      registers,
    });
    return { eventDelivered: () => delivered.inc() };
  }

  /** Stops listening to the database (the server stopped). */
  detach(): void {
    const index = this.db.outcomeListeners.indexOf(this.databaseListener);
    if (index >= 0) this.db.outcomeListeners.splice(index, 1);
  }

  pageRequestFinished(page: string, method: string, status: number, seconds: number): void {
    this.pageDuration.observe(
      { page, method: method === "GET" || method === "POST" || method === "HEAD" ? method : "OTHER", status: String(status) },
      seconds,
    );
  }

  requestStarted(): void {
    this.inFlight.inc();
  }

  requestFinished(scope: RequestScope, outcome: string, seconds: number): void {
    this.inFlight.dec();
    const name = scope.operationName;
    const operation =
      name && GRAPHQL_NAME.test(name) ? this.operations.value(name, scope.signedIn === true) : name ? OTHER_LABEL : UNNAMED_OPERATION;
    this.requestDuration.observe(
      { operation, outcome: ERROR_CODE.test(outcome) ? this.outcomes.value(outcome, true) : OTHER_LABEL },
      seconds,
    );
  }

  mutationsRefused(): void {
    this.rateLimited.inc();
  }

  rateLimitStoreFailed(): void {
    this.rateLimitStoreFailures.inc();
  }

  /** The text a scrape answers with; concurrent scrapes share one read of the outbox. */
  async render(): Promise<string> {
    this.outboxReading ??= this.readOutbox().finally(() => (this.outboxReading = null));
    await this.outboxReading;
    return (await this.registry.metrics()) + (await processRegistry.metrics());
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async readOutbox(): Promise<void> {
    let rows: OutboxRow[];
    try {
      rows = await deliveryCountsByState(this.db);
    } catch (error) {
      // A scrape still answers with what this process knows; missing outbox series say the read failed.
      this.logger.warn({ err: error }, "Could not read the outbox for metrics.");
      this.outboxMessages.reset();
      this.outboxPending.reset();
      this.outboxOldestPending.reset();
      return;
    }
    const counts = new Map<string, number>(Object.values(DeliveryState).map((state) => [state, 0]));
    for (const row of rows) counts.set(row.state, Number(row.count));
    this.outboxMessages.reset();
    for (const [state, count] of counts) this.outboxMessages.set({ state }, count);
    this.outboxPending.set(counts.get(DeliveryState.PENDING) ?? 0);
    const oldest = rows[0]?.oldest;
    this.outboxOldestPending.set(oldest ? Math.max(0, (Date.now() - asDate(oldest).getTime()) / 1000) : 0);
    await this.readWebhooks();
  }

  private async readWebhooks(): Promise<void> {
    this.webhookEndpoints.reset();
    this.webhookPendingEvents.reset();
    try {
      const rows = await webhookBacklog(this.db);
      for (const status of Object.values(WebhookEndpointStatus)) {
        const row = rows.find((candidate) => candidate.status === status);
        this.webhookEndpoints.set({ status }, row?.endpoints ?? 0);
        this.webhookPendingEvents.set({ status }, row?.pendingEvents ?? 0);
      }
    } catch (error) {
      this.logger.warn({ err: error }, "Could not read the webhook endpoints for metrics.");
    }
  }
}
