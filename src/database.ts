import path from "node:path";
import fs from "node:fs";
import { DataSource, type DataSourceOptions, type EntityManager } from "typeorm";
import { DateUtils } from "typeorm/util/DateUtils";
import pg from "pg";
import sqlite3 from "sqlite3";
import { keepPreparedStatements, releasePreparedStatements } from "./common/sql-rows";
import type { PostgresSettings } from "./config";
import { User } from "./users/user.entity";
import { Account } from "./accounts/account.entity";
import { AccountMember } from "./members/account-member.entity";
import { BillingContact } from "./contacts/billing-contact.entity";
import { RoleContact } from "./contacts/role-contact.entity";
import { ContactChange } from "./history/contact-change.entity";
import { InitialSchema1764201600000 } from "./migrations/1764201600000-InitialSchema";
import { ContactVerification } from "./verification/contact-verification.entity";
import { DeliveryStatus, OutboxMessage } from "./outbox/outbox-message.entity";
import { VerificationAndOutbox1795737600000 } from "./migrations/1795737600000-VerificationAndOutbox";
import { SignedInUsers1796000000000 } from "./migrations/1796000000000-SignedInUsers";
import { MailSafeguards1796100000000 } from "./migrations/1796100000000-MailSafeguards";

export const ENTITIES = [User, Account, AccountMember, BillingContact, RoleContact, ContactChange, ContactVerification, OutboxMessage, DeliveryStatus];
export const MIGRATIONS = [InitialSchema1764201600000, VerificationAndOutbox1795737600000, SignedInUsers1796000000000, MailSafeguards1796100000000];

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
    },
  };
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
    if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    return new DataSource({ ...common, type: "sqlite", database: file, driver: untracedSqlite });
  }
  useUtcTimestamps();
  return new DataSource({ ...common, ...postgresOptions(url, settings.postgres) });
}

/** SQLite settings that let a file survive a crash and wait for, rather than fail on, a lock. */
async function tuneSqlite(dataSource: DataSource): Promise<void> {
  await dataSource.query("PRAGMA busy_timeout = 5000");
  await dataSource.query("PRAGMA foreign_keys = ON");
  const database = (dataSource.options as { database: string }).database;
  if (database !== ":memory:") {
    await dataSource.query("PRAGMA journal_mode = WAL");
    await dataSource.query("PRAGMA synchronous = NORMAL");
  }
}

/** Any fixed 64-bit number; it names the start-up lock among the database's advisory locks. */
export const STARTUP_LOCK_KEY = "7133700651254339585";

const WRITE_ATTEMPTS = 5;
const RETRYABLE_CODES = new Set(["40001", "40P01"]); // serialization_failure, deadlock_detected

function isRetryable(error: unknown): boolean {
  const code = (error as { driverError?: { code?: unknown }; code?: unknown }).driverError?.code ?? (error as { code?: unknown }).code;
  return typeof code === "string" && RETRYABLE_CODES.has(code);
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
export class Database {
  private readonly serialised: boolean;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly dataSource: DataSource,
    private readonly reader: DataSource | null = null,
  ) {
    this.serialised = dataSource.options.type === "sqlite";
  }

  get driver(): "sqlite" | "postgres" {
    return this.serialised ? "sqlite" : "postgres";
  }

  static async open(settings: DataSourceSettings): Promise<Database> {
    const dataSource = createDataSource(settings);
    await dataSource.initialize();
    if (dataSource.options.type !== "sqlite") return new Database(dataSource);
    await tuneSqlite(dataSource);
    if ((dataSource.options as { database: string }).database === ":memory:") return new Database(dataSource);
    const reader = createDataSource(settings);
    await reader.initialize();
    await reader.query("PRAGMA busy_timeout = 5000");
    await reader.query("PRAGMA query_only = ON");
    keepPreparedStatements(reader);
    return new Database(dataSource, reader);
  }

  /** Applies pending migrations; returns the names of those applied. */
  async migrate(): Promise<string[]> {
    const applied = await this.exclusive(() => this.dataSource.runMigrations({ transaction: "each" }));
    return applied.map((migration) => migration.name);
  }

  /**
   * Runs start-up work (migrations, demo data) in one process at a time. Several processes started
   * together on one PostgreSQL database would otherwise all migrate it, or all load the demo data.
   * A session advisory lock, held on a connection of its own, is freed even if the process dies.
   */
  async duringStartUp<T>(work: () => Promise<T>): Promise<T> {
    if (this.serialised) return work();
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
      await runner.release();
    }
  }

  read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.reader) return work(this.reader.manager);
    return this.exclusive(() => work(this.dataSource.manager));
  }

  async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.exclusive(() => this.dataSource.transaction(work));
      } catch (error) {
        // PostgreSQL may abort one of two colliding transactions; the work is safe to run again.
        if (attempt >= WRITE_ATTEMPTS || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
      }
    }
  }

  /** A date as a query parameter, in the form the driver stores it (SQLite keeps UTC text). */
  dateParameter(date: Date): Date | string {
    return this.serialised ? DateUtils.mixedDateToUtcDatetimeString(date) : date;
  }

  async ping(): Promise<void> {
    await this.read((manager) => manager.query("SELECT 1"));
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      if (this.reader?.isInitialized) {
        await releasePreparedStatements(this.reader);
        await this.reader.destroy();
      }
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
