import path from "node:path";
import fs from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import {
  DataSource,
  MigrationExecutor,
  type DataSourceOptions,
  type EntityManager,
  type MigrationInterface,
  type QueryRunner,
} from "typeorm";
import pg from "pg";
import sqlite3 from "sqlite3";
import {
  dateParameter,
  keepWriterStatements,
  PreparedStatements,
  sqliteConnection,
  statementText,
  type Row,
  type Sql,
  type StatementReader,
} from "./common/sql";
import type { PostgresSettings } from "./config";
import { DatabaseUnavailableError } from "./errors";
import { createPrivateFile } from "./common/private-files";
import { User } from "./users/user.entity";
import { Account } from "./accounts/account.entity";
import { AccountMember } from "./members/account-member.entity";
import { AccountContact } from "./contacts/account-contact.entity";
import { ContactChange } from "./history/contact-change.entity";
import { AccountSettingChange } from "./accounts/account-setting-change.entity";
import { InitialSchema1764201600000 } from "./migrations/1764201600000-InitialSchema";
import { ContactVerification } from "./verification/contact-verification.entity";
import { DeliveryStatus, NotificationDelivery } from "./notifications/notification-delivery.entity";
import { VerificationAndOutbox1795737600000 } from "./migrations/1795737600000-VerificationAndOutbox";
import { SignedInUsers1796000000000 } from "./migrations/1796000000000-SignedInUsers";
import { MailSafeguards1796100000000 } from "./migrations/1796100000000-MailSafeguards";
import { MemberNames1796200000000 } from "./migrations/1796200000000-MemberNames";
import { DemoDataMarker1796300000000 } from "./migrations/1796300000000-DemoDataMarker";
import { WriterProbe1796400000000 } from "./migrations/1796400000000-WriterProbe";
import { MutationRateLimits1796500000000 } from "./migrations/1796500000000-MutationRateLimits";
import { AccountLocale1796600000000 } from "./migrations/1796600000000-AccountLocale";
import { DeclinedVerifications1796700000000 } from "./migrations/1796700000000-DeclinedVerifications";
import { VerificationMailboxes1796800000000 } from "./migrations/1796800000000-VerificationMailboxes";
import { MemberHistory1796950000000 } from "./migrations/1796950000000-MemberHistory";
import { MemberChange } from "./members/member-change.entity";
import { AccountInvitation } from "./members/account-invitation.entity";
import { Invitations1796960000000 } from "./migrations/1796960000000-Invitations";
import type { MigrationStep } from "./migrations/support/progress";
import { IdempotencyKeys1796970000000 } from "./migrations/1796970000000-IdempotencyKeys";
import { HistoryVersionsAndActors1796980000000 } from "./migrations/1796980000000-HistoryVersionsAndActors";
import { ChangeLog1797000000000 } from "./migrations/1797000000000-ChangeLog";
import { Webhooks1797200000000 } from "./migrations/1797200000000-Webhooks";
import { ContactSlots1797400000000 } from "./migrations/1797400000000-ContactSlots";
import { ContactDetails1797400000001 } from "./migrations/1797400000001-ContactDetails";
import { ContactLanguages1797400000002 } from "./migrations/1797400000002-ContactLanguages";
import { AllowedContactDomains1797500000000 } from "./migrations/1797500000000-AllowedContactDomains";
import { WebhookDelivery, WebhookEndpoint } from "./webhooks/webhook-endpoint.entity";
import { AccountEvent } from "./events/account-event.entity";

export type { MigrationStep };

export const ENTITIES = [
  User,
  Account,
  AccountMember,
  AccountContact,
  ContactChange,
  ContactVerification,
  NotificationDelivery,
  DeliveryStatus,
  AccountSettingChange,
  MemberChange,
  AccountInvitation,
  AccountEvent,
  WebhookEndpoint,
  WebhookDelivery,
];
export const MIGRATIONS = [
  InitialSchema1764201600000,
  VerificationAndOutbox1795737600000,
  SignedInUsers1796000000000,
  MailSafeguards1796100000000,
  MemberNames1796200000000,
  DemoDataMarker1796300000000,
  WriterProbe1796400000000,
  MutationRateLimits1796500000000,
  AccountLocale1796600000000,
  DeclinedVerifications1796700000000,
  VerificationMailboxes1796800000000,
  MemberHistory1796950000000,
  Invitations1796960000000,
  IdempotencyKeys1796970000000,
  HistoryVersionsAndActors1796980000000,
  ChangeLog1797000000000,
  Webhooks1797200000000,
  ContactSlots1797400000000,
  ContactDetails1797400000001,
  ContactLanguages1797400000002,
  AllowedContactDomains1797500000000,
];

/** A committed account event, as the bus of live updates hears of it: ids only, the rows are read again by whoever listens. */
export interface CommittedEvent {
  accountId: string;
  sequence: number;
}

/** The account events each open transaction has written, told to the Database's listeners once it commits. */
const committing = new WeakMap<EntityManager, CommittedEvent[]>();

/** Records that the transaction of `manager` wrote this event: its Database tells `committedEvents` listeners after the commit, never before. */
export function announceAfterCommit(manager: EntityManager, event: CommittedEvent): void {
  let events = committing.get(manager);
  if (!events) committing.set(manager, (events = []));
  events.push(event);
}

/** Told of the manager of each write whose work was rolled back: what was kept for that write goes with it. */
const rollbackListeners: ((manager: EntityManager) => void)[] = [];

/**
 * Calls `listener` with the manager of every write whose work is rolled back. The SQLite writer's
 * writes share one manager, so state kept by manager for a write must not outlive a failed one.
 */
export function onWriteRolledBack(listener: (manager: EntityManager) => void): void {
  rollbackListeners.push(listener);
}

function rolledBack(manager: EntityManager): void {
  for (const listener of rollbackListeners) listener(manager);
}

/** Takes the events announced on `manager` so far (from index `from` on), leaving the earlier ones. */
function takeAnnounced(manager: EntityManager, from = 0): CommittedEvent[] {
  const events = committing.get(manager);
  if (!events) return [];
  return events.splice(from);
}

/** What a mutation's service needs to write: a transaction (the request's, which may record its Idempotency-Key). */
export type Writer = Pick<Database, "write">;

export interface DataSourceSettings {
  databaseUrl: string;
  /** Print every SQL statement (TypeORM's logger). */
  logging?: boolean;
  /** A TypeORM logger, e.g. one that counts statements. */
  logger?: DataSourceOptions["logger"];
  /** Pool size, statement timeout and TLS for PostgreSQL (defaults: 10, 15 s, off). */
  postgres?: PostgresSettings;
}

const TIMESTAMP_WITHOUT_TIME_ZONE_OID = 1114;

/**
 * Columns are `timestamp without time zone`. By default node-postgres writes and reads them in the
 * process's local time zone, so two processes in different zones (or one across a DST change) would
 * disagree about every instant; they are written and read as UTC instead, whatever TZ says.
 */
function useUtcTimestamps(): void {
  pg.defaults.parseInputDatesAsUTC = true;
  pg.types.setTypeParser(TIMESTAMP_WITHOUT_TIME_ZONE_OID, (value) => new Date(`${value.replace(" ", "T")}Z`));
}

/** The pool's clients, each with its own limit on opening a connection (the pool's own limit is the wait for one). */
function clientWithConnectTimeout(connectTimeoutMs: number): typeof pg.Client {
  return class extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  };
}

function postgresOptions(url: string, settings: PostgresSettings | undefined) {
  const ssl = settings?.ssl ?? "off";
  return {
    type: "postgres" as const,
    url,
    poolSize: settings?.poolSize ?? 10,
    ssl:
      ssl === "off"
        ? false
        : ssl === "no-verify"
          ? { rejectUnauthorized: false }
          : { rejectUnauthorized: true, ...(settings?.sslCaFile ? { ca: fs.readFileSync(settings.sslCaFile, "utf8") } : {}) },
    extra: {
      application_name: "contact-points",
      // Also bounds how long a request waits for another request's row lock.
      statement_timeout: settings?.statementTimeoutMs ?? 15_000,
      // node-postgres: the wait for a pooled connection (and for a new one to open) ...
      connectionTimeoutMillis: settings?.acquireTimeoutMs ?? 10_000,
      // ... opening one: TCP, TLS and authentication, against a server that accepts and never answers ...
      Client: clientWithConnectTimeout(settings?.connectTimeoutMs ?? 5000),
      connectTimeoutMs: settings?.connectTimeoutMs ?? 5000,
      // ... and an answer that never comes (a frozen server): PostgreSQL's statement_timeout cannot help then.
      query_timeout:
        settings?.queryTimeoutMs ?? ((settings?.statementTimeoutMs ?? 15_000) === 0 ? 0 : (settings?.statementTimeoutMs ?? 15_000) + 2000),
    },
  };
}

/** Which limit towards the database ran out; the setting that sets it is named in the message. */
export type DatabaseTimeout = "connect" | "acquire" | "query";

const TIMEOUT_SETTINGS: Record<DatabaseTimeout, { setting: string; what: string }> = {
  connect: { setting: "DATABASE_CONNECT_TIMEOUT_MS", what: "did not complete a new connection (TCP, TLS and authentication)" },
  acquire: { setting: "DATABASE_POOL_ACQUIRE_TIMEOUT_MS", what: "had no free pooled connection" },
  query: { setting: "DATABASE_QUERY_TIMEOUT_MS", what: "did not answer a query" },
};

/** A limit towards PostgreSQL ran out: the message says which, after how long, and which setting sets it. */
export class DatabaseTimeoutError extends Error {
  constructor(
    readonly timeout: DatabaseTimeout,
    readonly ms: number | null,
    cause: unknown,
    where?: string,
  ) {
    const { setting, what } = TIMEOUT_SETTINGS[timeout];
    super(`PostgreSQL${where ? ` at ${where}` : ""} ${what} within ${ms === null ? "the limit" : `${ms} ms`} (${setting}).`, { cause });
  }
}

/** The limit `timeout` as this data source was built with it; null for SQLite. */
function timeoutSettingMs(dataSource: DataSource, timeout: DatabaseTimeout): number | null {
  const extra = (dataSource.options as { extra?: { connectionTimeoutMillis?: number; query_timeout?: number; connectTimeoutMs?: number } })
    .extra;
  if (!extra) return null;
  if (timeout === "query") return extra.query_timeout ?? null;
  if (timeout === "acquire") return extra.connectionTimeoutMillis ?? null;
  return extra.connectTimeoutMs ?? null;
}

/** node-postgres's words for each of its timeouts. */
const TIMEOUT_MESSAGES: [RegExp, DatabaseTimeout][] = [
  [/^Query read timeout$/, "query"],
  [/^timeout exceeded when trying to connect$/, "acquire"],
  [/^(timeout expired|Connection terminated due to connection timeout)$/, "connect"],
];

/** The timeout `error` (or its driver error) reports, if it is one of node-postgres's. */
function timeoutOf(error: unknown): DatabaseTimeout | null {
  if (error instanceof DatabaseTimeoutError) return error.timeout;
  for (const candidate of [error, (error as { driverError?: unknown } | null)?.driverError]) {
    const text = candidate instanceof Error ? candidate.message : null;
    const found = text === null ? undefined : TIMEOUT_MESSAGES.find(([pattern]) => pattern.test(text));
    if (found) return found[1];
  }
  return null;
}

/**
 * sqlite3 as TypeORM's driver, minus the long stack traces TypeORM turns on with `verbose()`: for
 * every statement they capture a stack and `util.inspect` the SQL and each of its parameters.
 */
const untracedSqlite = Object.assign(Object.create(sqlite3) as typeof sqlite3, { verbose: () => sqlite3 });

/** Builds (but does not open) the TypeORM data source that `DATABASE_URL` names. */
export function createDataSource(settings: DataSourceSettings): DataSource {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: settings.logging ?? false,
    ...(settings.logger ? { logger: settings.logger } : {}),
  } as const;
  const url = settings.databaseUrl;
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length);
    // SQLite gives the -wal and -shm files the database file's mode, so the file is made 0600 before it opens it.
    if (file !== ":memory:" && file !== "") createPrivateFile(file, [`${file}-wal`, `${file}-shm`, `${file}-journal`]);
    return new DataSource({ ...common, type: "sqlite", database: file, driver: untracedSqlite });
  }
  useUtcTimestamps();
  return new DataSource({ ...common, ...postgresOptions(url, settings.postgres) });
}

/**
 * SQLite settings that let a file keep every acknowledged commit through a crash of the process or of
 * the machine (`synchronous = FULL` syncs the WAL at each commit), and wait for, rather than fail on, a lock.
 */
async function tuneSqlite(dataSource: DataSource): Promise<void> {
  await dataSource.query("PRAGMA busy_timeout = 5000");
  await dataSource.query("PRAGMA foreign_keys = ON");
  const database = (dataSource.options as { database: string }).database;
  if (database !== ":memory:") {
    await dataSource.query("PRAGMA journal_mode = WAL");
    await dataSource.query("PRAGMA synchronous = FULL");
  }
}

/** Any fixed 64-bit number; it names the start-up lock among the database's advisory locks. */
export const STARTUP_LOCK_KEY = "7133700651254339585";

const WRITE_ATTEMPTS = 5;
const READ_ATTEMPTS = 3;
const RETRYABLE_CODES = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected

function errorCode(error: unknown): unknown {
  return (error as { driverError?: { code?: unknown }; code?: unknown }).driverError?.code ?? (error as { code?: unknown }).code;
}

function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  return typeof code === "string" && RETRYABLE_CODES.has(code);
}

/** SQLite's answers when it could not read or store pages: a full disk or file, an I/O error, a read-only file. */
const SQLITE_STORAGE_FAULT = /^SQLITE_(FULL|IOERR|READONLY|CORRUPT|NOTADB|CANTOPEN|NOMEM|PROTOCOL)/;
/**
 * PostgreSQL's: the connection is gone (class 08, an administrator's or crash shutdown), a statement
 * cancelled by `statement_timeout` (a lock held too long elsewhere), a full disk, an I/O error.
 */
const POSTGRES_STORAGE_FAULT = /^(08|57P0[123]|57014|53100|53200|58030)/;
/** PostgreSQL's query_canceled: `statement_timeout` ran out. */
const QUERY_CANCELED = "57014";
const CONNECTION_LOST =
  /connection terminated|connection (was )?closed|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|not queryable|already released/i;

/** True when `error` says the database could not take the write, as opposed to the write breaking a rule. */
export function isStorageFault(error: unknown): boolean {
  if (timeoutOf(error) !== null) return true;
  const code = errorCode(error);
  if (typeof code === "string" && (SQLITE_STORAGE_FAULT.test(code) || POSTGRES_STORAGE_FAULT.test(code) || CONNECTION_LOST.test(code)))
    return true;
  return isConnectionLoss(error);
}

/** True when the connection a statement ran on is gone: the same statement may succeed on another. */
function isConnectionLoss(error: unknown): boolean {
  // Another connection would wait just as long.
  if (timeoutOf(error) !== null) return false;
  const code = errorCode(error);
  if (typeof code === "string") return /^(08|57P0[123])/.test(code) || CONNECTION_LOST.test(code);
  return CONNECTION_LOST.test(error instanceof Error ? error.message : String(error));
}

/** How many statement texts `selectPrepared` names: each shape of the planned account screen is one. */
const PREPARED_POSTGRES_STATEMENTS = 64;

/** Loggers already counting statements for a Database: one logger may serve the writing and the reading connection. */
const COUNTED_LOGGERS = new WeakSet<object>();

/** Told of every read and write: how long it took, and the fault when the database could not serve it (null otherwise). */
export type OutcomeListener = (during: "read" | "write", seconds: number, fault: DatabaseUnavailableError | null) => void;

/** What `/healthz` tells about the writer. */
export interface WriterHealth {
  ok: boolean;
  /** When writes started failing, while they do. */
  failingSince: Date | null;
  /** Room left where a SQLite file lives; null for an in-memory database and on PostgreSQL. */
  freeDiskBytes: number | null;
}

/** The probe writes (and removes in the same transaction) this much, so it needs room on disk, as real writes do. */
const PROBE_BYTES = 16 * 1024;
/** How often `/healthz` may probe a failing writer. */
const PROBE_INTERVAL_MS = 1000;

/**
 * A pooled connection that the server drops (a restart, `pg_terminate_backend`) can emit a second
 * `error` after TypeORM has released it and removed its own listener; an `error` event nobody listens
 * to ends the process. Every connection handed out gets a listener of its own: the query that met the
 * failure has already been answered, and the pool discards the connection.
 */
function keepErrorsFromCrashing(pool: pg.Pool): void {
  const guarded = new WeakSet<pg.PoolClient>();
  pool.on("acquire", (client) => {
    if (guarded.has(client)) return;
    guarded.add(client);
    client.on("error", () => undefined);
  });
}

/**
 * TypeORM's bookkeeping on the SQLite driver's one query runner, whose transactions `write` opens and
 * ends itself: with it, `save` and friends join the open transaction instead of starting their own.
 */
function markTransaction(runner: QueryRunner, active: boolean): void {
  Object.assign(runner, { isTransactionActive: active, transactionDepth: active ? 1 : 0 });
}

/** Wraps each migration's `direction` so `onStep` hears when it starts and ends; returns what undoes the wrapping. */
function reportSteps(dataSource: DataSource, direction: "up" | "down", onStep: ((step: MigrationStep) => void) | undefined): () => void {
  if (!onStep) return () => undefined;
  const originals = dataSource.migrations.map((migration) => [migration, migration[direction]] as const);
  for (const [migration, original] of originals) {
    const name = migration.name ?? migration.constructor.name;
    migration[direction] = async (runner: QueryRunner) => {
      onStep({ migration: name, direction, ms: null });
      const started = performance.now();
      await original.call(migration, runner);
      onStep({ migration: name, direction, ms: Math.round(performance.now() - started) });
    };
  }
  return () => {
    for (const [migration, original] of originals) (migration as MigrationInterface)[direction] = original;
  };
}

/** A write waiting for the SQLite writer. */
interface QueuedWrite {
  work: (manager: EntityManager) => Promise<unknown>;
  /** When it asked for the writer (performance.now()). */
  queued: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** A group's transaction could not be committed; `cause` is the database's error. */
class GroupFault extends Error {
  /** The write that was running when the fault came, if any. */
  pending?: QueuedWrite;

  constructor(cause: unknown) {
    super("The write transaction could not be committed.", { cause });
  }
}

/** How many writes one SQLite transaction may take, and for how long after it opened it takes more. */
export interface GroupLimits {
  writes: number;
  ms: number;
}

/**
 * The one way the service reaches its database. `read` runs a query; `write` runs a transaction.
 *
 * TypeORM's SQLite driver has a single connection, so on SQLite writes go through one FIFO lock:
 * transactions never nest. Reads of a database file go to a second, read-only connection, which
 * WAL lets see every committed write while another is under way, so no read lands inside a
 * request's open transaction or waits in line behind other requests' statements. An in-memory
 * database has only the one connection: its reads take the lock too.
 * On PostgreSQL both pass straight through to the pool.
 */
export class Database implements StatementReader {
  private readonly serialised: boolean;
  /** The read-only SQLite connection's prepared statements; null without one. */
  private readonly prepared: PreparedStatements | null;
  /** The SQLite writer's prepared statements, for the statements transactions write with the `sql` tag; null on PostgreSQL. */
  private readonly writerPrepared: PreparedStatements | null;
  private tail: Promise<unknown> = Promise.resolve();
  private failingSince: Date | null = null;
  private lastProbe = 0;
  private probing: Promise<void> | null = null;
  /** Told how long each write waited before its transaction began (for metrics). */
  onWriterWait: ((seconds: number) => void) | null = null;
  /** Told how many writes each committed SQLite group held. */
  onGroupCommit: ((writes: number) => void) | null = null;
  /** Told of each read's and write's outcome (metrics, the outage log). */
  readonly outcomeListeners: OutcomeListener[] = [];
  /** Told of each account event once its transaction has committed (live updates). */
  readonly committedEvents: ((event: CommittedEvent) => void)[] = [];
  /** While true, PostgreSQL connections handed out have no query timeout: start-up may wait minutes for another process's migrations. */
  private startingUp = false;
  /** Bounds on a SQLite write group: a slow write cannot keep later ones from being acknowledged for long. */
  groupLimits: GroupLimits = { writes: 64, ms: 20 };
  private readonly queue: QueuedWrite[] = [];
  private groupOpen = false;

  /** Names of the statements PostgreSQL keeps prepared, by their text (see `selectPrepared`). */
  private readonly preparedNames = new Map<string, string>();
  /** SQL statements sent to the database so far, failed ones included (for metrics and the benchmark). */
  statementCount = 0;

  constructor(
    readonly dataSource: DataSource,
    private readonly reader: DataSource | null = null,
  ) {
    this.serialised = dataSource.options.type === "sqlite";
    this.prepared = reader ? new PreparedStatements(reader) : null;
    this.writerPrepared = this.serialised ? new PreparedStatements(dataSource) : null;
    if (this.writerPrepared) keepWriterStatements(dataSource, this.writerPrepared);
    for (const source of reader ? [dataSource, reader] : [dataSource]) this.countStatementsOf(source);
  }

  /** TypeORM's logger hears of every statement, those of the prepared reads included; each data source has its own. */
  private countStatementsOf(source: DataSource): void {
    const logger = source.logger;
    if (COUNTED_LOGGERS.has(logger)) return;
    COUNTED_LOGGERS.add(logger);
    const logQuery = logger.logQuery.bind(logger);
    logger.logQuery = (...args) => {
      this.statementCount++;
      return logQuery(...args);
    };
  }

  get driver(): "sqlite" | "postgres" {
    return this.serialised ? "sqlite" : "postgres";
  }

  /**
   * A PostgreSQL connection outside the pool that LISTENs on `channel`: the pool's server, TLS and
   * connect timeout, no query timeout (it waits for notifications), named `applicationName` in
   * pg_stat_activity. `client` is handed over before it connects, so its listeners see every event.
   * Null on SQLite.
   */
  async listen(channel: string, applicationName: string, prepare: (client: pg.Client) => void): Promise<pg.Client | null> {
    if (this.serialised) return null;
    if (!/^[a-z_]+$/.test(channel)) throw new Error(`Not a channel name: ${channel}`);
    const options = this.dataSource.options as { url?: string; ssl?: pg.ClientConfig["ssl"]; extra?: { connectTimeoutMs?: number } };
    const client = new pg.Client({
      connectionString: options.url,
      ssl: options.ssl,
      connectionTimeoutMillis: options.extra?.connectTimeoutMs ?? 5000,
      application_name: applicationName,
    });
    prepare(client);
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    return client;
  }

  /** PostgreSQL's connection pool (node-postgres), shared by every query of this process; null on SQLite. */
  get pool(): pg.Pool | null {
    return this.serialised ? null : ((this.dataSource.driver as unknown as { master: pg.Pool }).master ?? null);
  }

  static async open(settings: DataSourceSettings): Promise<Database> {
    const dataSource = createDataSource(settings);
    try {
      await dataSource.initialize();
    } catch (error) {
      const timeout = timeoutOf(error);
      if (timeout === null) throw error;
      throw new DatabaseTimeoutError(timeout, timeoutSettingMs(dataSource, timeout), error, new URL(settings.databaseUrl).host);
    }
    if (dataSource.options.type !== "sqlite") {
      const db = new Database(dataSource);
      keepErrorsFromCrashing(db.pool!);
      const queryTimeoutMs = timeoutSettingMs(dataSource, "query");
      db.pool!.on("acquire", (client) => {
        (client as unknown as { connectionParameters: { query_timeout?: number } }).connectionParameters.query_timeout = db.startingUp
          ? 0
          : (queryTimeoutMs ?? 0);
      });
      return db;
    }
    await tuneSqlite(dataSource);
    if ((dataSource.options as { database: string }).database === ":memory:") return new Database(dataSource);
    const reader = createDataSource(settings);
    await reader.initialize();
    await reader.query("PRAGMA busy_timeout = 5000");
    await reader.query("PRAGMA query_only = ON");
    return new Database(dataSource, reader);
  }

  /**
   * Applies pending migrations, each in its own transaction, telling `onStep` as each starts and ends;
   * returns the names of those applied.
   */
  async migrate(onStep?: (step: MigrationStep) => void): Promise<string[]> {
    return this.onMigrationConnection(async (executor) => {
      const restore = reportSteps(this.dataSource, "up", onStep);
      try {
        return (await executor.executePendingMigrations()).map((migration) => migration.name);
      } finally {
        restore();
      }
    });
  }

  /**
   * Reverts, newest first and each in its own transaction, every applied migration after `target`
   * (a migration's name): the schema goes back to the one `target` left. Returns the names reverted.
   */
  async revertTo(target: string, onStep?: (step: MigrationStep) => void): Promise<string[]> {
    if (!this.dataSource.migrations.some((migration) => migration.name === target)) throw new Error(`No migration is named ${target}.`);
    return this.onMigrationConnection(async (executor) => {
      const applied = (await executor.getExecutedMigrations()).sort((a, b) => a.timestamp - b.timestamp).map((migration) => migration.name);
      if (!applied.includes(target)) throw new Error(`${target} is not applied to this database: nothing to go back to.`);
      const reverted: string[] = [];
      const restore = reportSteps(this.dataSource, "down", onStep);
      try {
        for (const name of applied.slice(applied.indexOf(target) + 1).reverse()) {
          await executor.undoLastMigration();
          reverted.push(name);
        }
      } finally {
        restore();
      }
      return reverted;
    });
  }

  /**
   * Migrations run on a connection of their own, without the statement timeout that bounds requests:
   * rewriting a large table may rightly take longer than any request may.
   */
  private onMigrationConnection<T>(work: (executor: MigrationExecutor) => Promise<T>): Promise<T> {
    return this.withoutQueryTimeout(() =>
      this.exclusive(async () => {
        const runner = this.dataSource.createQueryRunner();
        let failure: Error | undefined;
        try {
          if (!this.serialised) await runner.query("SET statement_timeout = 0");
          const executor = new MigrationExecutor(this.dataSource, runner);
          executor.transaction = "each";
          const result = await work(executor);
          if (!this.serialised) await runner.query("RESET statement_timeout");
          return result;
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
          throw error;
        } finally {
          // A PostgreSQL connection that failed mid-migration still has no statement timeout: the pool discards it.
          if (this.serialised) await runner.release();
          else await (runner as unknown as { releasePostgresConnection(error?: Error): Promise<void> }).releasePostgresConnection(failure);
        }
      }),
    );
  }

  /** Runs `work` with no DATABASE_QUERY_TIMEOUT_MS on the connections it takes: a migration step may run for minutes. */
  async withoutQueryTimeout<T>(work: () => Promise<T>): Promise<T> {
    const before = this.startingUp;
    this.startingUp = true;
    try {
      return await work();
    } finally {
      this.startingUp = before;
    }
  }

  /**
   * Runs start-up work (migrations, demo data) in one process at a time. Several processes started
   * together on one PostgreSQL database would otherwise all migrate it, or all load the demo data.
   * A session advisory lock, held on a connection of its own, is freed even if the process dies.
   */
  async duringStartUp<T>(work: () => Promise<T>): Promise<T> {
    if (this.serialised) return work();
    this.startingUp = true;
    const runner = this.dataSource.createQueryRunner();
    try {
      // Another process's migrations may take longer than the statement timeout allows a wait.
      await runner.query("SET statement_timeout = 0");
      await runner.query("SELECT pg_advisory_lock($1)", [STARTUP_LOCK_KEY]);
      try {
        return await work();
      } finally {
        await runner.query("SELECT pg_advisory_unlock($1)", [STARTUP_LOCK_KEY]);
        await runner.query("RESET statement_timeout");
      }
    } finally {
      this.startingUp = false;
      await runner.release();
    }
  }

  /** Runs a read outside any transaction. A database that cannot answer rejects with DatabaseUnavailableError. */
  async read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const result = this.reader
          ? await work(this.reader.manager)
          : this.serialised
            ? await this.exclusive(() => work(this.dataSource.manager))
            : await work(this.dataSource.manager);
        this.report("read", started, null);
        return result;
      } catch (error) {
        if (!isStorageFault(error)) {
          this.report("read", started, null);
          throw error;
        }
        // A pooled PostgreSQL connection the server dropped fails its next query; a read may go again on another.
        if (this.serialised || attempt >= READ_ATTEMPTS || !isConnectionLoss(error)) {
          throw this.report("read", started, new DatabaseUnavailableError("read", this.explained(error)))!;
        }
      }
    }
  }

  /** Tells the outcome listeners; returns the fault. */
  private report(during: "read" | "write", started: number, fault: DatabaseUnavailableError | null): DatabaseUnavailableError | null {
    const seconds = (performance.now() - started) / 1000;
    for (const listener of this.outcomeListeners) listener(during, seconds, fault);
    return fault;
  }

  /** A timeout of node-postgres's, as an error that names the limit and its setting; any other error as it is. */
  private explained(error: unknown): unknown {
    const timeout = timeoutOf(error);
    return timeout === null || error instanceof DatabaseTimeoutError
      ? error
      : new DatabaseTimeoutError(timeout, timeoutSettingMs(this.dataSource, timeout), error);
  }

  /** How many statements the read-only SQLite connection keeps prepared; 0 without one. */
  get preparedStatements(): number {
    return this.prepared?.size ?? 0;
  }

  /** How many statements the SQLite writer keeps prepared; 0 on PostgreSQL. */
  get preparedWriterStatements(): number {
    return this.writerPrepared?.size ?? 0;
  }

  /** Runs one statement as a read (see `read`); on a SQLite file, through a statement kept prepared. */
  select(statement: Sql): Promise<Row[]> {
    return this.read((manager) =>
      this.prepared ? this.prepared.all(statement) : manager.query(statementText(manager.connection, statement), statement.values),
    );
  }

  /**
   * Runs one read statement that PostgreSQL keeps prepared on each pooled connection, under a name made
   * from its text: for the few large statements (the planned account screen) whose parsing and planning
   * cost more than running them. Only a bounded number of texts get a name; on SQLite it is `select`.
   */
  selectPrepared(statement: Sql): Promise<Row[]> {
    const pool = this.pool;
    if (!pool) return this.select(statement);
    const text = statement.text;
    let name = this.preparedNames.get(text);
    if (name === undefined && this.preparedNames.size < PREPARED_POSTGRES_STATEMENTS) {
      name = `cp_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
      this.preparedNames.set(text, name);
    }
    const logger = this.dataSource.logger;
    return this.read(async () => {
      logger.logQuery(text, statement.values);
      try {
        return (await pool.query<Row>({ ...(name ? { name } : {}), text, values: statement.values })).rows;
      } catch (error) {
        logger.logQueryError(error instanceof Error ? error.message : String(error), text, statement.values);
        throw error;
      }
    });
  }

  /**
   * Runs `work` in one transaction (on SQLite, possibly shared with other writes, each in its own
   * savepoint) and resolves only once it is committed. A failure of the database
   * itself (a full disk, an I/O error, a lost connection) rejects with DatabaseUnavailableError, and then nothing
   * of the work was kept; the next write starts afresh, so the writer recovers as soon as the fault is gone.
   */
  async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const queued = performance.now();
        const result = await (this.serialised ? this.sqliteWrite(work, queued) : this.postgresTransaction(work, queued));
        this.failingSince = null;
        this.report("write", started, null);
        return result;
      } catch (error) {
        if (error instanceof GroupFault) {
          if (isStorageFault(error.cause)) this.failingSince ??= new Date();
          throw this.report("write", started, new DatabaseUnavailableError("write", this.explained(error.cause)))!;
        }
        if (isStorageFault(error)) {
          // A statement cancelled by its timeout waited on someone else's lock: the writer itself is fine.
          if (errorCode(error) !== QUERY_CANCELED) this.failingSince ??= new Date();
          throw this.report("write", started, new DatabaseUnavailableError("write", this.explained(error)))!;
        }
        // PostgreSQL may abort one of two colliding transactions; the work is safe to run again.
        if (attempt >= WRITE_ATTEMPTS || !isRetryable(error)) {
          this.report("write", started, null);
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /**
   * SQLite's transactions are opened and ended here rather than by TypeORM: when SQLite rolls a
   * transaction back by itself (a full disk or an I/O error at COMMIT), TypeORM's own ROLLBACK fails and
   * leaves its runner believing a transaction is open, and every later "transaction" would become a
   * savepoint inside one that never commits. `BEGIN IMMEDIATE` takes the write lock at once, so a
   * transaction that reads before it writes waits for the lock (busy_timeout) instead of failing
   * to upgrade its read lock.
   *
   * Writes that queue up behind the one writer share a transaction (group commit): each runs in a
   * SAVEPOINT of its own, so a write that fails rolls back only its own work, and none is acknowledged
   * before the shared COMMIT has returned, so one fsync makes them all durable. A COMMIT that fails
   * refuses every write of its group.
   */
  private sqliteWrite<T>(work: (manager: EntityManager) => Promise<T>, queued: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, queued, resolve: resolve as (value: unknown) => void, reject });
      if (this.queue.length === 1 && !this.groupOpen) void this.exclusive(() => this.runGroup()).catch(() => undefined);
    });
  }

  /** Writes waiting for the SQLite writer, not yet in a group. */
  get queuedWrites(): number {
    return this.queue.length;
  }

  private async runGroup(): Promise<void> {
    if (this.queue.length === 0) return;
    this.groupOpen = true;
    const runner = this.dataSource.createQueryRunner();
    const done: { write: QueuedWrite; result: unknown }[] = [];
    let size = 0;
    try {
      if (runner.isTransactionActive) throw new Error("A write transaction is already open on the SQLite connection.");
      try {
        // One trip for the transaction and the first write's savepoint.
        await this.control(`BEGIN IMMEDIATE; SAVEPOINT "write"`);
      } catch (error) {
        // BEGIN may have succeeded before SAVEPOINT failed.
        await this.control("ROLLBACK").catch(() => undefined);
        this.refuse(this.queue.splice(0), error);
        return;
      }
      markTransaction(runner, true);
      const opened = performance.now();
      // The savepoint: open (fresh, or rolled back to and so as good as fresh), or holding a finished write.
      let savepoint: "open" | "holding" = "open";
      // A write that joins after the time limit would hold the ones before it back from their acknowledgement.
      while (this.queue.length > 0 && size < this.groupLimits.writes && (size === 0 || performance.now() - opened < this.groupLimits.ms)) {
        const write = this.queue.shift()!;
        size++;
        this.onWriterWait?.((performance.now() - write.queued) / 1000);
        try {
          // One trip for the previous write's release and this write's savepoint.
          if (savepoint === "holding") await this.control(`RELEASE "write"; SAVEPOINT "write"`);
        } catch (error) {
          throw Object.assign(new GroupFault(error), { pending: write });
        }
        savepoint = "open";
        let result: unknown;
        const announced = committing.get(runner.manager)?.length ?? 0;
        try {
          result = await write.work(runner.manager);
        } catch (error) {
          // A storage fault may have rolled the whole transaction back: the group cannot go on.
          if (isStorageFault(error)) throw Object.assign(new GroupFault(error), { pending: write });
          try {
            await this.control(`ROLLBACK TO "write"`);
          } catch (undo) {
            throw Object.assign(new GroupFault(undo), { pending: write });
          }
          // Its events were rolled back with it.
          takeAnnounced(runner.manager, announced);
          rolledBack(runner.manager);
          write.reject(error);
          continue;
        }
        done.push({ write, result });
        savepoint = "holding";
      }
      // COMMIT releases the savepoint too.
      try {
        await this.control("COMMIT");
      } catch (error) {
        throw new GroupFault(error);
      }
      this.onGroupCommit?.(size);
      this.announce(takeAnnounced(runner.manager));
      for (const { write, result } of done) write.resolve(result);
    } catch (error) {
      takeAnnounced(runner.manager);
      rolledBack(runner.manager);
      // SQLite may already have rolled back (a failed COMMIT can); then ROLLBACK fails, and that is fine.
      await this.control("ROLLBACK").catch(() => undefined);
      const fault = error instanceof GroupFault ? error : new GroupFault(error);
      this.refuse([...done.map((entry) => entry.write), ...(fault.pending ? [fault.pending] : [])], fault.cause);
    } finally {
      markTransaction(runner, false);
      this.groupOpen = false;
      if (this.queue.length > 0) void this.exclusive(() => this.runGroup()).catch(() => undefined);
    }
  }

  /**
   * Runs transaction control on the SQLite writer in one trip to sqlite3's thread pool (`exec`); a
   * statement through TypeORM is prepared, run and finalised: three.
   */
  private control(statements: string): Promise<void> {
    const connection = sqliteConnection(this.dataSource);
    this.dataSource.logger.logQuery(statements);
    return new Promise((resolve, reject) => connection.exec(statements, (error) => (error ? reject(error) : resolve())));
  }

  /** Refuses writes whose transaction could not be committed: nothing of them was kept. */
  private refuse(writes: QueuedWrite[], cause: unknown): void {
    for (const write of writes) write.reject(new GroupFault(cause));
  }

  /**
   * A PostgreSQL transaction on a connection of the pool. If the connection is lost while COMMIT is under
   * way, the outcome is unknown to this side; the transaction's id, read first, lets a new connection ask
   * the server (`txid_status`) whether it committed, so the client is told exactly what happened.
   */
  private async postgresTransaction<T>(work: (manager: EntityManager) => Promise<T>, queued: number): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect(); // takes a connection from the pool: the wait metrics report
      this.onWriterWait?.((performance.now() - queued) / 1000);
      const xid = await this.beginPostgres(runner);
      let result: T;
      try {
        result = await work(runner.manager);
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
      try {
        await runner.commitTransaction();
      } catch (error) {
        if (isStorageFault(error) && (await this.committed(xid!))) {
          this.announce(takeAnnounced(runner.manager));
          return result;
        }
        throw error;
      }
      this.announce(takeAnnounced(runner.manager));
      return result;
    } finally {
      takeAnnounced(runner.manager);
      await runner.release();
    }
  }

  /**
   * Opens the transaction and reads its id in one trip to the server (TypeORM's `startTransaction`
   * would take two), telling TypeORM's runner that its transaction is open, as `startTransaction` does.
   */
  private async beginPostgres(runner: QueryRunner): Promise<string> {
    const client = (await runner.connect()) as pg.PoolClient;
    const text = "START TRANSACTION; SELECT txid_current()::text AS xid";
    const logger = this.dataSource.logger;
    logger.logQuery(text);
    Object.assign(runner, { isTransactionActive: true, transactionDepth: 1 });
    try {
      const results = (await client.query(text)) as unknown as pg.QueryResult<{ xid: string }>[];
      return results[1]!.rows[0]!.xid;
    } catch (error) {
      logger.logQueryError(error instanceof Error ? error.message : String(error), text);
      // The connection goes back to the pool: with no transaction left open on it.
      await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  }

  /** Tells the committed-event listeners; one that throws does not keep the others from hearing. */
  private announce(events: CommittedEvent[]): void {
    for (const event of events) {
      for (const listener of this.committedEvents) {
        try {
          listener(event);
        } catch {
          // A listener's failure is its own; the write has committed all the same.
        }
      }
    }
  }

  /** Whether the PostgreSQL transaction `xid` committed, asked on another connection. */
  async committed(xid: string): Promise<boolean> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const [row] = (await this.dataSource.query("SELECT txid_status($1::bigint) AS status", [xid])) as { status: string | null }[];
      if (row?.status !== "in progress") return row?.status === "committed";
      // The old backend may still be finishing; it cannot stay "in progress" once it has gone.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  }

  /**
   * Whether the writer can write. After a write failed for lack of storage or connection, a probe writes
   * (and removes again, in one committed transaction) a row big enough to need new pages, at most once a
   * second; the first write that succeeds, probe or real, clears the fault.
   */
  async writerHealth(minFreeDiskBytes = 0): Promise<WriterHealth> {
    if (this.failingSince && Date.now() - this.lastProbe >= PROBE_INTERVAL_MS) {
      this.probing ??= this.probe().finally(() => (this.probing = null));
      await this.probing;
    }
    const freeDiskBytes = await this.freeDiskBytes();
    const lowDisk = freeDiskBytes !== null && freeDiskBytes < minFreeDiskBytes;
    return { ok: this.failingSince === null && !lowDisk, failingSince: this.failingSince, freeDiskBytes };
  }

  /**
   * Room left on the file system of a SQLite file. A probe that fits in what is left of the WAL proves
   * little when the disk is nearly full; the free space says it before the next real write fails.
   */
  private async freeDiskBytes(): Promise<number | null> {
    const file = (this.dataSource.options as { database?: unknown }).database;
    if (!this.serialised || typeof file !== "string" || file === ":memory:") return null;
    const stats = await fs.promises.statfs(path.dirname(path.resolve(file)));
    return stats.bavail * stats.bsize;
  }

  private async probe(): Promise<void> {
    this.lastProbe = Date.now();
    await this.writeProbe().catch(() => undefined);
  }

  /** One committed transaction that inserts a row big enough to need new pages, then deletes it; rejects as a real write would. */
  async writeProbe(): Promise<void> {
    await this.write(async (manager) => {
      const id = this.serialised ? "?" : "$1";
      await manager.query(`INSERT INTO "writer_probe" ("payload") VALUES (${id})`, [randomBytes(PROBE_BYTES)]);
      await manager.query(`DELETE FROM "writer_probe"`);
    });
  }

  /** A date as a query parameter, in the form the driver stores it (SQLite keeps UTC text). */
  dateParameter(date: Date): Date | string {
    return dateParameter(this, date);
  }

  async ping(): Promise<void> {
    await this.read((manager) => manager.query("SELECT 1"));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.reader?.isInitialized) {
        await this.prepared?.finalize();
        await this.reader.destroy();
      }
      await this.writerPrepared?.finalize();
      if (this.dataSource.isInitialized) await this.dataSource.destroy();
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (!this.serialised) return work();
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
