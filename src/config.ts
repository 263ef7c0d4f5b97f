/** Every environment variable the service reads, parsed and validated in one place. */

import fs from "node:fs";
import path from "node:path";
import ms from "ms";
import { isLocale, LOCALES, type Locale } from "./i18n";

/** Published in this repository: anyone can sign tokens with it, so it is used only where nobody else can reach the server. */
export const DEVELOPMENT_JWT_SECRET = "contact-points-development-secret-change-me";

/** The only NODE_ENV values; unset (or empty) means development. */
export const NODE_ENVS = ["development", "production", "test"] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** A JWT secret shorter than this (in bytes, as HS256 reads it) can be brute-forced offline from one token. */
export const MIN_JWT_SECRET_BYTES = 32;
/** Fewer distinct characters than this means a typed pattern (`aaaa…`, `abcabc…`), not a random secret. */
const MIN_JWT_SECRET_DISTINCT_CHARACTERS = 8;

export interface Config {
  nodeEnv: NodeEnv;
  production: boolean;
  databaseUrl: string;
  /** PostgreSQL connection settings; SQLite ignores them. */
  database: PostgresSettings;
  host: string;
  port: number;
  /**
   * Where people outside the API reach this server (scheme, host, port and any path prefix, no trailing
   * slash): the confirmation links in mail start with it. Null means http://HOST:PORT as listened on.
   */
  publicUrl: string | null;
  /** A frontend's own confirmation page; when set, verification mail links there with `?token=`. */
  verificationLinkUrl: string | null;
  jwtSecret: string;
  /** True when no AUTH_JWT_SECRET was given and the development secret is in use. */
  jwtSecretIsDevelopmentDefault: boolean;
  /** Longest a bearer token may be valid, in seconds, counted from its `iat` (or from now without one). */
  jwtMaxLifetimeSeconds: number;
  /** When set, a token's `iss` claim must be exactly this. */
  jwtIssuer: string | null;
  /** When set, a token's `aud` claim must name this. */
  jwtAudience: string | null;
  introspection: boolean;
  graphiql: boolean;
  corsOrigins: string[];
  seedDemoData: boolean;
  /**
   * Print the demo admin's token at start-up and fill it into GraphiQL (DEMO_TOKEN, which `npm start`
   * sets). Refused with NODE_ENV other than development and with any sign that others can reach the server.
   */
  demoToken: boolean;
  /** Where a query for one account (the settings screen) is answered from one planned statement (SINGLE_STATEMENT_READS). */
  singleStatementReads: SingleStatementReads;
  /** Operations sent by id from build-time manifests (TRUSTED_DOCUMENTS, TRUSTED_DOCUMENTS_MANIFEST). */
  trustedDocuments: TrustedDocumentSettings;
  bodyLimitBytes: number;
  /** What one GraphQL request may cost; each limit is refused with its own error code. */
  limits: RequestLimits;
  /** Outgoing mail: where it goes and how the outbox worker retries. */
  delivery: DeliverySettings;
  /** Webhook deliveries: where they may go, how long they may take, how they are retried. */
  webhooks: WebhookSettings;
  /**
   * Mutations one caller may send per window (0 turns the limit off): counted in PostgreSQL, so every
   * process shares one allowance, or in this process's memory on SQLite.
   */
  mutationRateLimit: number;
  mutationRateWindowSeconds: number;
  /** How long an `Idempotency-Key` is remembered, in hours (at least 24): a retry within it gets the first answer. */
  idempotencyKeyHours: number;
  /**
   * Which proxies in front of the service to believe about the client's address (`X-Forwarded-For`),
   * as Express's "trust proxy" takes it: a number of hops, or addresses and CIDR ranges; false for none.
   * Anonymous callers are rate-limited by that address.
   */
  trustProxy: false | number | string[];
  /** The least severe log lines written (JSON on stdout); `silent` writes none. */
  logLevel: LogLevel;
  /** Who may read `GET /metrics`, and where. */
  metrics: MetricsSettings;
  /** Below this much free space where the SQLite file lives, `/healthz` reports the writer failing. */
  minFreeDiskBytes: number;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownGraceMs: number;
  /** How long a client may take to send a request, and how many connections it may hold. */
  connections: ConnectionSettings;
  /** After SIGTERM, how long requests are still served (readiness failing, `Connection: close`) before the listener closes. */
  shutdownDrainMs: number;
  /** `/readyz`: how long its read and write probe may take, and how long an answer is reused. */
  readiness: ReadinessSettings;
  /** The language of a new account that names none, of GraphiQL's help and of the demo data. */
  defaultLocale: Locale;
  /** Subscriptions over WebSocket: how many sockets and subscriptions, how large a message, how much is sent again on resume. */
  live: LiveUpdateSettings;
}

export interface LiveUpdateSettings {
  /** WebSockets one signed-in person may hold open at once in this process; a further one is closed (1008). */
  maxSocketsPerCaller: number;
  /** Subscriptions one socket may run at once; a further one is refused (RATE_LIMITED). */
  maxSubscriptionsPerSocket: number;
  /** The largest WebSocket message accepted; a larger one closes the socket (1009). */
  maxMessageBytes: number;
  /** Missed events sent again to a subscription resuming with `afterSequence`; with more missed, it is told to reload. */
  resumeMaxEvents: number;
  /** Messages a socket may send per second on average (ten seconds' worth at once); more closes it (1008). */
  maxMessagesPerSecond: number;
  /** Bytes a socket may leave unread before the server sends it more; a client that falls further behind is closed (1008). */
  maxUnsentBytes: number;
}

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface MetricsSettings {
  /** With it, the API's own port serves `/metrics` to `Authorization: Bearer <token>` only. */
  token: string | null;
  /** With it, a second listener on HOST serves `/metrics` without a token (for a scraper on a private network). */
  port: number | null;
}

/** Shorter tokens could be guessed by a scraper's worth of attempts. */
const METRICS_TOKEN_MIN_LENGTH = 16;

export interface RequestLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxCost: number;
  maxTokens: number;
}

export type DatabaseSsl = "off" | "verify" | "no-verify";

export interface ReadinessSettings {
  /** A probe slower than this counts as failed. */
  timeoutMs: number;
  /** Probes within this long of the last one share its answer. */
  cacheMs: number;
}

export interface PostgresSettings {
  /** Connections each process keeps open at most. */
  poolSize: number;
  /** A statement running (or waiting for a lock) longer than this is cancelled; 0 means no limit. */
  statementTimeoutMs: number;
  /** Opening a connection (TCP, TLS, authentication) longer than this fails; 0 means no limit. */
  connectTimeoutMs?: number;
  /** Waiting longer than this for a free pooled connection fails; 0 means no limit. */
  acquireTimeoutMs?: number;
  /** A query whose answer has not arrived after this long fails on this side (a frozen server); 0 means no limit. */
  queryTimeoutMs?: number;
  /** TLS to the server: off, on with the certificate checked, or on without checking it. */
  ssl: DatabaseSsl;
  /** PEM file of the certificate authority that signed the server's certificate (with `verify`). */
  sslCaFile: string | null;
}

export interface ConnectionSettings {
  /** The request line and headers must arrive within this (HTTP 408 otherwise). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this, however steadily it trickles in. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing is sent or received for this long is closed; 0 for never. */
  idleTimeoutMs: number;
  /** Connections open at once; a further one is closed as it arrives. */
  maxConnections: number;
}

export class ConfigError extends Error {}

function connectionSettings(env: NodeJS.ProcessEnv): ConnectionSettings {
  const requestTimeoutMs = integer("HTTP_REQUEST_TIMEOUT_MS", env.HTTP_REQUEST_TIMEOUT_MS, 30_000, 100, 3_600_000);
  const headersTimeoutMs = integer(
    "HTTP_HEADERS_TIMEOUT_MS",
    env.HTTP_HEADERS_TIMEOUT_MS,
    Math.min(10_000, requestTimeoutMs),
    100,
    3_600_000,
  );
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `HTTP_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the headers are part of the request.`,
    );
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer("HTTP_KEEP_ALIVE_TIMEOUT_MS", env.HTTP_KEEP_ALIVE_TIMEOUT_MS, 5_000, 100, 3_600_000),
    idleTimeoutMs: integer("HTTP_IDLE_TIMEOUT_MS", env.HTTP_IDLE_TIMEOUT_MS, 60_000, 0, 3_600_000),
    maxConnections: integer("HTTP_MAX_CONNECTIONS", env.HTTP_MAX_CONNECTIONS, 512, 1, 1_000_000),
  };
}

/** Host names and addresses that only this machine can reach. */
const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

function databaseSsl(value: string | undefined): DatabaseSsl {
  if (value === undefined || value === "" || /^(0|false|no|off|disable)$/i.test(value)) return "off";
  if (/^(1|true|yes|on|verify|verify-full)$/i.test(value)) return "verify";
  if (/^no-verify$/i.test(value)) return "no-verify";
  throw new ConfigError(`DATABASE_SSL must be off, verify or no-verify, got "${value}".`);
}

function postgresSettings(env: NodeJS.ProcessEnv): PostgresSettings {
  const ssl = databaseSsl(env.DATABASE_SSL);
  const sslCaFile = env.DATABASE_SSL_CA || null;
  if (sslCaFile !== null) {
    if (ssl !== "verify")
      throw new ConfigError("DATABASE_SSL_CA needs DATABASE_SSL=verify: the certificate authority is only used to check the server.");
    if (!fs.existsSync(sslCaFile)) throw new ConfigError(`DATABASE_SSL_CA names a file that does not exist: "${sslCaFile}".`);
  }
  const statementTimeoutMs = integer("DATABASE_STATEMENT_TIMEOUT_MS", env.DATABASE_STATEMENT_TIMEOUT_MS, 15_000, 0, 3_600_000);
  // PostgreSQL's own cancellation leaves the connection usable, so it should come first; this side's timeout is for a server that does not answer at all.
  const queryTimeoutMs = integer(
    "DATABASE_QUERY_TIMEOUT_MS",
    env.DATABASE_QUERY_TIMEOUT_MS,
    statementTimeoutMs === 0 ? 0 : statementTimeoutMs + 2000,
    0,
    3_600_000,
  );
  if (queryTimeoutMs !== 0 && (statementTimeoutMs === 0 || queryTimeoutMs <= statementTimeoutMs)) {
    throw new ConfigError(
      `DATABASE_QUERY_TIMEOUT_MS (${queryTimeoutMs}) must be 0 or longer than DATABASE_STATEMENT_TIMEOUT_MS (${statementTimeoutMs}), so that PostgreSQL cancels a slow statement before this side gives up on the connection.`,
    );
  }
  return {
    // Start-up holds one connection for its lock while migrations use another.
    poolSize: integer("DATABASE_POOL_SIZE", env.DATABASE_POOL_SIZE, 10, 2, 1000),
    statementTimeoutMs,
    connectTimeoutMs: integer("DATABASE_CONNECT_TIMEOUT_MS", env.DATABASE_CONNECT_TIMEOUT_MS, 5000, 0, 600_000),
    acquireTimeoutMs: integer("DATABASE_POOL_ACQUIRE_TIMEOUT_MS", env.DATABASE_POOL_ACQUIRE_TIMEOUT_MS, 10_000, 0, 600_000),
    queryTimeoutMs,
    ssl,
    sslCaFile,
  };
}

function trustProxy(value: string | undefined): false | number | string[] {
  if (value === undefined || value === "" || /^(0|false|no|off)$/i.test(value)) return false;
  if (/^\d+$/.test(value)) return integer("TRUST_PROXY", value, 0, 1, 10);
  const entries = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  // An address or CIDR range (IPv4 or IPv6), or Express's names for groups: loopback, linklocal, uniquelocal.
  const valid = /^([0-9a-f:.]+(\/\d{1,3})?|loopback|linklocal|uniquelocal)$/i;
  const bad = entries.find((entry) => !valid.test(entry));
  if (bad !== undefined)
    throw new ConfigError(
      `TRUST_PROXY must be a number of proxies, or addresses and CIDR ranges such as 10.0.0.0/8 or loopback, got "${bad}".`,
    );
  return entries;
}

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === "") return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be true or false (or 1/0, yes/no, on/off), got "${value}".`);
}

/** A value as an error message may show it: the password of anything URL-shaped replaced, so it never reaches a log. */
function shown(value: string): string {
  return value.replace(/(\/\/[^/?#@\s]*?:)[^@\s]*@/g, "$1***@");
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${value}".`);
  }
  return parsed;
}

/** Access tokens from sign-in services live minutes to hours; a day leaves room for any of them. */
export const DEFAULT_JWT_MAX_LIFETIME = "24h";

/** A duration with a unit (`90s`, `15m`, `12h`, `7d`, as the `ms` package reads them), in whole seconds. */
export function durationSeconds(name: string, value: string, minSeconds: number, maxSeconds: number): number {
  const trimmed = value.trim();
  // ms reads a bare number as milliseconds, which nobody means for a token's lifetime: a unit is required.
  const milliseconds = /[a-z]$/i.test(trimmed) ? ms(trimmed as ms.StringValue) : Number.NaN;
  const seconds = Math.floor(milliseconds / 1000);
  if (!Number.isFinite(milliseconds) || seconds < minSeconds || seconds > maxSeconds) {
    throw new ConfigError(
      `${name} must be a duration with a unit from ${ms(minSeconds * 1000, { long: true })} to ${ms(maxSeconds * 1000, { long: true })}, such as 90s, 15m or 12h; got "${value}".`,
    );
  }
  return seconds;
}

/**
 * An absolute http(s) URL that links are built on: no query, fragment or credentials, which a link
 * built on it would carry to every recipient. A trailing slash is dropped.
 */
function linkBase(name: string, value: string | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  if (trimmed === "") return null;
  const url = URL.canParse(trimmed) ? new URL(trimmed) : null;
  if (url && (url.username !== "" || url.password !== "")) throw new ConfigError(`${name} must not hold a user name or password.`);
  if (
    !url ||
    !/^https?:$/.test(url.protocol) ||
    url.hostname === "" ||
    url.search !== "" ||
    url.hash !== "" ||
    trimmed.includes("?") ||
    trimmed.includes("#")
  ) {
    throw new ConfigError(
      `${name} must be an http:// or https:// address without a query or fragment, such as https://contacts.example.com, got "${shown(trimmed)}".`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

/** Browser origins allowed to call the API; "*" means any (never with credentials). */
function corsOrigins(value: string | undefined): string[] {
  const origins = (value ?? "")
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  for (const origin of origins) {
    // A browser sends "scheme://host[:port]" exactly; a path or trailing slash would never match.
    const isOrigin = origin === "*" || (URL.canParse(origin) && new URL(origin).origin === origin);
    if (!isOrigin) {
      throw new ConfigError(
        `CORS_ORIGINS must list origins such as https://app.example.com (no path, no trailing slash) or *, got "${shown(origin)}".`,
      );
    }
  }
  return origins.includes("*") ? ["*"] : origins;
}

/** Where outgoing mail goes: an SMTP server, or a file for development. */
export type MailTransportKind = "smtp" | "file";
function defaultLocale(value: string | undefined): Locale {
  if (value === undefined || value === "") return "en";
  if (!isLocale(value)) throw new ConfigError(`DEFAULT_LOCALE must be one of ${LOCALES.join(", ")}, got "${value}".`);
  return value;
}

function logLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === "") return "info";
  const level = value.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level))
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got "${value}".`);
  return level as LogLevel;
}

/** `postgres` (the default): on PostgreSQL only, where it saves round trips; `always`: on SQLite too (measured no faster there); `off`: never. */
export const SINGLE_STATEMENT_READS = ["postgres", "always", "off"] as const;
export type SingleStatementReads = (typeof SINGLE_STATEMENT_READS)[number];

function singleStatementReads(value: string | undefined): SingleStatementReads {
  if (value === undefined || value === "") return "postgres";
  const chosen = value.toLowerCase();
  if (!(SINGLE_STATEMENT_READS as readonly string[]).includes(chosen)) {
    throw new ConfigError(`SINGLE_STATEMENT_READS must be one of ${SINGLE_STATEMENT_READS.join(", ")}, got "${value}".`);
  }
  return chosen as SingleStatementReads;
}

export interface TrustedDocumentSettings {
  /** `off`: ids are not accepted; `allow`: ids and text; `only`: ids, and text only if a manifest holds it. */
  mode: "off" | "allow" | "only";
  /** The manifests' files. */
  manifests: string[];
}

const TRUSTED_DOCUMENT_MODES = ["off", "allow", "only"] as const;

function trustedDocumentSettings(env: NodeJS.ProcessEnv): TrustedDocumentSettings {
  const manifests = (env.TRUSTED_DOCUMENTS_MANIFEST ?? "")
    .split(",")
    .map((file) => file.trim())
    .filter((file) => file !== "");
  const value = (env.TRUSTED_DOCUMENTS ?? "").trim().toLowerCase();
  const mode = value === "" ? (manifests.length > 0 ? "allow" : "off") : value;
  if (!(TRUSTED_DOCUMENT_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(`TRUSTED_DOCUMENTS must be one of ${TRUSTED_DOCUMENT_MODES.join(", ")}, got "${env.TRUSTED_DOCUMENTS}".`);
  }
  if (mode !== "off" && manifests.length === 0)
    throw new ConfigError(`TRUSTED_DOCUMENTS=${mode} needs TRUSTED_DOCUMENTS_MANIFEST: the manifest files the clients were built with.`);
  return { mode: mode as TrustedDocumentSettings["mode"], manifests };
}

function metricsSettings(env: NodeJS.ProcessEnv, port: number): MetricsSettings {
  const token = env.METRICS_TOKEN || null;
  if (token !== null && (token.length < METRICS_TOKEN_MIN_LENGTH || /\s/.test(token))) {
    throw new ConfigError(`METRICS_TOKEN must be at least ${METRICS_TOKEN_MIN_LENGTH} characters long, without spaces.`);
  }
  const metricsPort = env.METRICS_PORT ? integer("METRICS_PORT", env.METRICS_PORT, 0, 1, 65535) : null;
  if (metricsPort !== null && metricsPort === port) {
    throw new ConfigError("METRICS_PORT must differ from PORT: metrics get a listener of their own, without a token.");
  }
  return { token, port: metricsPort };
}

export interface DeliverySettings {
  transport: MailTransportKind;
  /** `smtp://` or `smtps://` URL of the mail server; set exactly when `transport` is smtp. */
  smtpUrl: string | null;
  mailFrom: string;
  /** Where the file transport appends messages (an mbox file). */
  mailLogFile: string;
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** Messages of any kind one account may cause in an hour; 0 for no limit. */
  perAccountPerHour: number;
  /** Verification messages one address may receive in a day, across all accounts; 0 for no limit. */
  verificationsPerAddressPerDay: number;
  /** Messages each process sends at once. */
  concurrency: number;
  /** How long the mail server may take to accept a connection, greet, or answer one command. */
  smtpTimeoutMs: number;
}

function mailTransport(env: NodeJS.ProcessEnv, smtpUrl: string | null, production: boolean): MailTransportKind {
  const chosen = env.MAIL_TRANSPORT ?? "";
  if (chosen === "") {
    if (smtpUrl !== null) return "smtp";
    if (production) {
      throw new ConfigError(
        "SMTP_URL must be set when NODE_ENV=production, or MAIL_TRANSPORT=file to write mail to MAIL_LOG_FILE instead of sending it.",
      );
    }
    return "file";
  }
  if (chosen === "smtp") {
    if (smtpUrl === null) throw new ConfigError("MAIL_TRANSPORT=smtp needs SMTP_URL.");
    return "smtp";
  }
  if (chosen === "file") {
    if (smtpUrl !== null)
      throw new ConfigError("MAIL_TRANSPORT=file writes mail to MAIL_LOG_FILE and would ignore SMTP_URL: set only one of them.");
    return "file";
  }
  throw new ConfigError(`MAIL_TRANSPORT must be smtp or file, got "${chosen}".`);
}

function deliverySettings(env: NodeJS.ProcessEnv, production: boolean): DeliverySettings {
  const smtpUrl = env.SMTP_URL || null;
  if (smtpUrl !== null && !(URL.canParse(smtpUrl) && /^smtps?:$/.test(new URL(smtpUrl).protocol) && new URL(smtpUrl).hostname !== "")) {
    throw new ConfigError("SMTP_URL must look like smtp://user:password@mail.example.com:587 or smtps://…:465.");
  }
  return {
    transport: mailTransport(env, smtpUrl, production),
    smtpUrl,
    mailFrom: env.MAIL_FROM || "contact-points <no-reply@localhost>",
    mailLogFile: env.MAIL_LOG_FILE || "data/mail.log",
    pollMs: integer("OUTBOX_POLL_MS", env.OUTBOX_POLL_MS, 1000, 10, 600_000),
    maxAttempts: integer("OUTBOX_MAX_ATTEMPTS", env.OUTBOX_MAX_ATTEMPTS, 6, 1, 100),
    retryBaseMs: integer("OUTBOX_RETRY_BASE_MS", env.OUTBOX_RETRY_BASE_MS, 30_000, 1, 86_400_000),
    perAccountPerHour: integer("MAIL_PER_ACCOUNT_PER_HOUR", env.MAIL_PER_ACCOUNT_PER_HOUR, 30, 0, 100_000),
    verificationsPerAddressPerDay: integer(
      "MAIL_VERIFICATIONS_PER_ADDRESS_PER_DAY",
      env.MAIL_VERIFICATIONS_PER_ADDRESS_PER_DAY,
      5,
      0,
      10_000,
    ),
    concurrency: integer("MAIL_CONCURRENCY", env.MAIL_CONCURRENCY, 4, 1, 64),
    smtpTimeoutMs: integer("SMTP_TIMEOUT_MS", env.SMTP_TIMEOUT_MS, 10_000, 100, 600_000),
  };
}

export interface WebhookSettings {
  /** `http:` endpoint URLs are accepted (development and tests); otherwise only `https:`. */
  allowHttp: boolean;
  /** Endpoints may resolve to loopback, private, link-local and other internal addresses (tests with a local receiver). */
  allowPrivateAddresses: boolean;
  /** Connecting and the whole response of one delivery must fit in this. */
  timeoutMs: number;
  /** How long each retry waits after a failure: the first after the first failure, and so on; the last repeats. */
  retryScheduleMs: number[];
  /** An endpoint is DISABLED at this many consecutive failed attempts. */
  maxFailures: number;
  /** After a rotation, the previous secret also signs for this long. */
  secretOverlapMs: number;
  /** How often to look for endpoints with events due when idle. */
  pollMs: number;
  /** Endpoints each process sends to at once. */
  concurrency: number;
}

/** 5 s, 30 s, 2 min, 10 min, 1 h, then every 6 h: with 10 failures to disable, about a day of trying. */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE = "5s,30s,2m,10m,1h,6h";

function retrySchedule(name: string, value: string | undefined): number[] {
  const steps = (value || DEFAULT_WEBHOOK_RETRY_SCHEDULE).split(",").map((step) => step.trim());
  return steps.map((step) => {
    const parsed = /^\d+$/.test(step) ? Number(step) : (ms(step as ms.StringValue) as number | undefined);
    if (typeof parsed !== "number" || !Number.isFinite(parsed) || parsed < 0 || parsed > 7 * 86_400_000) {
      throw new ConfigError(
        `${name} must be durations separated by commas (such as ${DEFAULT_WEBHOOK_RETRY_SCHEDULE}; a bare number is milliseconds), each at most 7d, got "${value}".`,
      );
    }
    return parsed;
  });
}

export function webhookSettings(env: NodeJS.ProcessEnv): WebhookSettings {
  return {
    allowHttp: flag("WEBHOOK_ALLOW_HTTP", env.WEBHOOK_ALLOW_HTTP, false),
    allowPrivateAddresses: flag("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", env.WEBHOOK_ALLOW_PRIVATE_ADDRESSES, false),
    timeoutMs: integer("WEBHOOK_TIMEOUT_MS", env.WEBHOOK_TIMEOUT_MS, 10_000, 100, 120_000),
    retryScheduleMs: retrySchedule("WEBHOOK_RETRY_SCHEDULE", env.WEBHOOK_RETRY_SCHEDULE),
    maxFailures: integer("WEBHOOK_MAX_FAILURES", env.WEBHOOK_MAX_FAILURES, 10, 1, 1000),
    secretOverlapMs: durationSeconds("WEBHOOK_SECRET_OVERLAP", env.WEBHOOK_SECRET_OVERLAP || "24h", 0, 30 * 86_400) * 1000,
    pollMs: integer("WEBHOOK_POLL_MS", env.WEBHOOK_POLL_MS, 1000, 10, 600_000),
    concurrency: integer("WEBHOOK_CONCURRENCY", env.WEBHOOK_CONCURRENCY, 4, 1, 64),
  };
}

function nodeEnvironment(value: string | undefined): NodeEnv {
  if (value === undefined || value === "") return "development";
  if (!(NODE_ENVS as readonly string[]).includes(value)) {
    throw new ConfigError(`NODE_ENV must be development, production or test (unset means development), got "${value}".`);
  }
  return value as NodeEnv;
}

/** Whether a URL's host is this machine. */
function isLoopbackUrl(url: string): boolean {
  return LOOPBACK_HOST.test(new URL(url).hostname);
}

/**
 * The settings that say other machines reach this server (directly, through a proxy, or by links and
 * browser apps elsewhere), each named as the operator wrote it. Empty means this machine only.
 */
function reachableFromElsewhere(settings: {
  production: boolean;
  host: string;
  trustProxy: Config["trustProxy"];
  publicUrl: string | null;
  verificationLinkUrl: string | null;
  corsOrigins: string[];
}): string[] {
  const signs: string[] = [];
  if (settings.production) signs.push("NODE_ENV=production");
  if (!LOOPBACK_HOST.test(settings.host)) signs.push(`HOST=${settings.host}`);
  if (settings.trustProxy !== false) signs.push("TRUST_PROXY (a proxy forwards to this server)");
  if (settings.publicUrl !== null && !isLoopbackUrl(settings.publicUrl)) signs.push(`PUBLIC_URL=${settings.publicUrl}`);
  if (settings.verificationLinkUrl !== null && !isLoopbackUrl(settings.verificationLinkUrl))
    signs.push(`VERIFICATION_LINK_URL=${settings.verificationLinkUrl}`);
  const outside = settings.corsOrigins.filter((origin) => origin !== "*" && !isLoopbackUrl(origin));
  if (outside.length > 0) signs.push(`CORS_ORIGINS=${outside.join(",")}`);
  return signs;
}

/** Why a JWT secret would not keep tokens unforgeable, or null when it would. */
export function weakJwtSecret(secret: string): string | null {
  if (secret === DEVELOPMENT_JWT_SECRET) return "is the development secret published with the source code";
  if (secret.trim() === "") return "is only whitespace";
  if (Buffer.byteLength(secret, "utf8") < MIN_JWT_SECRET_BYTES) return `is shorter than ${MIN_JWT_SECRET_BYTES} bytes`;
  if (new Set(secret).size < MIN_JWT_SECRET_DISTINCT_CHARACTERS)
    return `uses fewer than ${MIN_JWT_SECRET_DISTINCT_CHARACTERS} different characters`;
  return null;
}

/** The scheme of a DATABASE_URL as an error may show it: never the rest, which may hold a password. */
function schemeOf(value: string): string {
  const scheme = /^([a-z][a-z0-9+.-]{0,20}):/i.exec(value)?.[1];
  return scheme === undefined ? "a value without a scheme" : `"${scheme}:…"`;
}

function databaseUrl(value: string | undefined, production: boolean): string {
  if (value === undefined || value === "") {
    // A fleet process that quietly opened a file of its own would acknowledge writes nobody else sees.
    if (production)
      throw new ConfigError(
        "DATABASE_URL must be set when NODE_ENV=production, such as postgres://user:password@db.example.com:5432/contacts or sqlite:/var/lib/contact-points/contacts.sqlite.",
      );
    return "sqlite:data/contacts.sqlite";
  }
  if (value.startsWith("sqlite:")) {
    const file = value.slice("sqlite:".length);
    if (file.trim() === "") throw new ConfigError("DATABASE_URL=sqlite: needs a file path, such as sqlite:data/contacts.sqlite.");
    if (file === ":memory:" && production)
      throw new ConfigError(
        "DATABASE_URL=sqlite::memory: is refused when NODE_ENV=production: everything it holds is lost when the process stops.",
      );
    return value;
  }
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new ConfigError(`DATABASE_URL must start with sqlite: or postgres:// (or postgresql://), got ${schemeOf(value)}.`);
  }
  if (!URL.canParse(value) || (new URL(value).hostname === "" && !new URL(value).searchParams.has("host"))) {
    throw new ConfigError(
      "DATABASE_URL is not a valid postgres:// URL: check its host, and that special characters in the user name or password are percent-encoded.",
    );
  }
  return value;
}

/** The database a DATABASE_URL names, for the start-up line: the driver, and host, port, database and user or the file; never a password. */
export function describeDatabase(url: string): { driver: "sqlite" | "postgres"; database: string } {
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length);
    return { driver: "sqlite", database: file === ":memory:" ? ":memory:" : path.resolve(file) };
  }
  const parsed = new URL(url);
  const host = parsed.hostname || parsed.searchParams.get("host") || "localhost";
  const user = parsed.username ? `${decodeURIComponent(parsed.username)}@` : "";
  return { driver: "postgres", database: `${user}${host}:${parsed.port || "5432"}/${decodeURIComponent(parsed.pathname.slice(1))}` };
}

/** Only the database settings: what the migration commands need, without the server's other settings. */
export function loadDatabaseSettings(env: NodeJS.ProcessEnv = process.env): { databaseUrl: string; postgres: PostgresSettings } {
  return { databaseUrl: databaseUrl(env.DATABASE_URL, nodeEnvironment(env.NODE_ENV) === "production"), postgres: postgresSettings(env) };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = nodeEnvironment(env.NODE_ENV);
  const production = nodeEnv === "production";
  const host = env.HOST || "127.0.0.1";
  if (nodeEnv === "development" && !LOOPBACK_HOST.test(host)) {
    throw new ConfigError(
      `HOST=${host} is not a loopback address, and development mode (NODE_ENV unset or development) listens on this machine only. Set NODE_ENV=production to serve other machines.`,
    );
  }
  const trustProxySetting = trustProxy(env.TRUST_PROXY);
  const publicUrl = linkBase("PUBLIC_URL", env.PUBLIC_URL);
  const verificationLinkUrl = linkBase("VERIFICATION_LINK_URL", env.VERIFICATION_LINK_URL);
  const origins = corsOrigins(env.CORS_ORIGINS);
  const reachable = reachableFromElsewhere({
    production,
    host,
    trustProxy: trustProxySetting,
    publicUrl,
    verificationLinkUrl,
    corsOrigins: origins,
  });

  const secret = env.AUTH_JWT_SECRET ?? "";
  if (production && secret === "") {
    throw new ConfigError("AUTH_JWT_SECRET must be set when NODE_ENV=production: it signs and checks every bearer token.");
  }
  // The development secret is public: anyone could sign tokens with it wherever the server is reachable.
  if (secret === "" && reachable.length > 0) {
    throw new ConfigError(
      `AUTH_JWT_SECRET must be set: the published development secret is used only where nothing says other machines reach the server, and ${reachable.join(", ")} does.`,
    );
  }
  const weakness = secret === "" ? null : weakJwtSecret(secret);
  if (weakness !== null && reachable.length > 0) {
    throw new ConfigError(
      `AUTH_JWT_SECRET ${weakness}: use at least ${MIN_JWT_SECRET_BYTES} random bytes (openssl rand -base64 48) where others reach the server (${reachable.join(", ")}).`,
    );
  }
  if (production && publicUrl === null) {
    throw new ConfigError(
      "PUBLIC_URL must be set when NODE_ENV=production: mail links people to it, such as https://contacts.example.com.",
    );
  }

  const demoToken = flag("DEMO_TOKEN", env.DEMO_TOKEN, false);
  if (demoToken) {
    const conflicts = [
      ...(nodeEnv === "development" ? [] : [`NODE_ENV=${nodeEnv}`]),
      ...reachable.filter((sign) => !sign.startsWith("NODE_ENV=")),
    ];
    if (conflicts.length > 0) {
      throw new ConfigError(
        `DEMO_TOKEN=true (npm start sets it) hands an admin token to whoever opens GraphiQL, so it is for development on this machine only, not with ${conflicts.join(", ")}. Start with node dist/src/main.js, or set DEMO_TOKEN=false.`,
      );
    }
  }
  const port = integer("PORT", env.PORT, 4000, 0, 65535);
  return {
    nodeEnv,
    production,
    databaseUrl: databaseUrl(env.DATABASE_URL, production),
    database: postgresSettings(env),
    delivery: deliverySettings(env, production),
    webhooks: webhookSettings(env),
    host,
    port,
    publicUrl,
    verificationLinkUrl,
    jwtSecret: secret || DEVELOPMENT_JWT_SECRET,
    jwtSecretIsDevelopmentDefault: secret === "",
    jwtMaxLifetimeSeconds: durationSeconds(
      "AUTH_JWT_MAX_LIFETIME",
      env.AUTH_JWT_MAX_LIFETIME || DEFAULT_JWT_MAX_LIFETIME,
      60,
      365 * 86_400,
    ),
    jwtIssuer: env.AUTH_JWT_ISSUER?.trim() || null,
    jwtAudience: env.AUTH_JWT_AUDIENCE?.trim() || null,
    introspection: flag("GRAPHQL_INTROSPECTION", env.GRAPHQL_INTROSPECTION, !production),
    graphiql: flag("GRAPHIQL", env.GRAPHIQL, !production),
    corsOrigins: origins,
    seedDemoData: flag("SEED_DEMO_DATA", env.SEED_DEMO_DATA, !production),
    demoToken,
    singleStatementReads: singleStatementReads(env.SINGLE_STATEMENT_READS),
    trustedDocuments: trustedDocumentSettings(env),
    bodyLimitBytes: integer("BODY_LIMIT_BYTES", env.BODY_LIMIT_BYTES, 100 * 1024, 1024, 10 * 1024 * 1024),
    limits: {
      maxDepth: integer("MAX_QUERY_DEPTH", env.MAX_QUERY_DEPTH, 10, 2, 100),
      maxAliases: integer("MAX_QUERY_ALIASES", env.MAX_QUERY_ALIASES, 30, 0, 1000),
      maxDirectives: integer("MAX_QUERY_DIRECTIVES", env.MAX_QUERY_DIRECTIVES, 20, 0, 1000),
      maxCost: integer("MAX_QUERY_COST", env.MAX_QUERY_COST, 10_000, 10, 1_000_000),
      maxTokens: integer("MAX_QUERY_TOKENS", env.MAX_QUERY_TOKENS, 3000, 100, 100_000),
    },
    mutationRateLimit: integer("MUTATION_RATE_LIMIT", env.MUTATION_RATE_LIMIT, 60, 0, 1_000_000),
    mutationRateWindowSeconds: integer("MUTATION_RATE_WINDOW_SECONDS", env.MUTATION_RATE_WINDOW_SECONDS, 60, 1, 86_400),
    idempotencyKeyHours: integer("IDEMPOTENCY_KEY_HOURS", env.IDEMPOTENCY_KEY_HOURS, 24, 24, 24 * 30),
    trustProxy: trustProxySetting,
    minFreeDiskBytes: integer("HEALTH_MIN_FREE_DISK_MB", env.HEALTH_MIN_FREE_DISK_MB, 8, 0, 1_048_576) * 1024 * 1024,
    shutdownGraceMs: integer("SHUTDOWN_GRACE_MS", env.SHUTDOWN_GRACE_MS, 10_000, 0, 600_000),
    connections: connectionSettings(env),
    // Long enough for a load balancer probing every 2 s to see /readyz fail twice; nothing to wait for in development.
    shutdownDrainMs: integer("SHUTDOWN_DRAIN_SECONDS", env.SHUTDOWN_DRAIN_SECONDS, production ? 5 : 0, 0, 600) * 1000,
    readiness: {
      timeoutMs: integer("READINESS_TIMEOUT_MS", env.READINESS_TIMEOUT_MS, 2000, 10, 60_000),
      cacheMs: integer("READINESS_CACHE_MS", env.READINESS_CACHE_MS, 1000, 0, 60_000),
    },
    logLevel: logLevel(env.LOG_LEVEL),
    metrics: metricsSettings(env, port),
    defaultLocale: defaultLocale(env.DEFAULT_LOCALE),
    live: {
      maxSocketsPerCaller: integer("WS_MAX_SOCKETS_PER_CALLER", env.WS_MAX_SOCKETS_PER_CALLER, 10, 1, 10_000),
      maxSubscriptionsPerSocket: integer("WS_MAX_SUBSCRIPTIONS_PER_SOCKET", env.WS_MAX_SUBSCRIPTIONS_PER_SOCKET, 20, 1, 1000),
      maxMessageBytes: integer("WS_MAX_MESSAGE_BYTES", env.WS_MAX_MESSAGE_BYTES, 64 * 1024, 1024, 10 * 1024 * 1024),
      resumeMaxEvents: integer("LIVE_RESUME_MAX_EVENTS", env.LIVE_RESUME_MAX_EVENTS, 100, 1, 10_000),
      maxMessagesPerSecond: integer("WS_MAX_MESSAGES_PER_SECOND", env.WS_MAX_MESSAGES_PER_SECOND, 5, 1, 10_000),
      maxUnsentBytes: integer("WS_MAX_UNSENT_BYTES", env.WS_MAX_UNSENT_BYTES, 4 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024),
    },
  };
}
