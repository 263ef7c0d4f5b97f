import "reflect-metadata";
import { noteErrorCodes } from "./codes-seen";
import type { AddressInfo } from "node:net";
import { loadConfig, type Config } from "../../src/config";
import { Database } from "../../src/database";
import { createApp, type App } from "../../src/app";
import { signToken } from "../../src/auth/tokens";
import { createPostgresDatabase, dropPostgresDatabase } from "./postgres";
import { scratchDefaults } from "./process";
import type { Logger } from "../../src/observability/logger";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-000";

export interface GraphQLResponse<TData = Record<string, any>> {
  status: number;
  data?: TData | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestServer {
  url: string;
  db: Database;
  app: App;
  config: Config;
  /** Errors the server logged as unexpected. */
  logged: unknown[];
  /** Sends a GraphQL operation; `token` null sends no Authorization header; `extraHeaders` such as Accept-Language. */
  graphql<TData = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string | null,
    extraHeaders?: Record<string, string>,
  ): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/** The database URL tests use: SQLite in memory unless TEST_DATABASE_URL names another (PostgreSQL). */
export function testDatabaseUrl(): string {
  return process.env.TEST_DATABASE_URL || "sqlite::memory:";
}

/**
 * Starts the real HTTP server on a free loopback port with a freshly migrated database of its own.
 * `env` overrides settings as environment variables would. Nothing is logged unless `logger` or LOG_LEVEL says so.
 */
export async function startTestServer(
  options: { env?: Record<string, string>; databaseUrl?: string; db?: Database; logger?: Logger } = {},
): Promise<TestServer> {
  // No delivery worker runs here, so production settings need no mail server.
  const mail = options.env?.SMTP_URL ? {} : { MAIL_TRANSPORT: "file", MAIL_LOG_FILE: scratchDefaults().MAIL_LOG_FILE };
  // Settings production requires that a test server does not use: it opens a database of its own.
  const production =
    options.env?.NODE_ENV === "production"
      ? { DATABASE_URL: "postgres://opened-by-the-test@127.0.0.1/unused", PUBLIC_URL: "https://contacts.test.example" }
      : {};
  const config = loadConfig({
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    NODE_ENV: "test",
    PORT: "0",
    LOG_LEVEL: "silent",
    ...mail,
    ...production,
    ...options.env,
  });
  const ownDatabaseUrl = options.db || options.databaseUrl ? null : await freshDatabaseUrl();
  const db = options.db ?? (await Database.open({ databaseUrl: options.databaseUrl ?? ownDatabaseUrl!, postgres: config.database }));
  await db.migrate();
  const logged: unknown[] = [];
  const app = await createApp(config, db, (error) => logged.push(error), options.logger);
  noteErrorCodes(app.httpServer);
  await new Promise<void>((resolve) => app.httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/graphql`;
  return {
    url,
    db,
    app,
    config,
    logged,
    async graphql(query, variables, token, extraHeaders) {
      const headers: Record<string, string> = { "content-type": "application/json", ...extraHeaders };
      if (token) headers.authorization = `Bearer ${token}`;
      const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as GraphQLResponse;
      return { ...body, status: response.status } as GraphQLResponse<any>;
    },
    async close() {
      await app.apollo.stop();
      if (!options.db) await db.close();
      if (ownDatabaseUrl) await dropTestDatabase(ownDatabaseUrl);
    },
  };
}

/** A signed token for a test user. */
export function tokenFor(email: string, name?: string, secret = TEST_JWT_SECRET): Promise<string> {
  return signToken(secret, { email, name: name ?? null });
}

let databaseCounter = 0;
/** PostgreSQL databases created by this run and not yet dropped. */
const createdDatabases = new Set<string>();

/**
 * A database no other test uses: a new in-memory SQLite database, or on PostgreSQL a new database
 * created beside the one TEST_DATABASE_URL names (dropped when its server stops, or after the run).
 */
export async function freshDatabaseUrl(): Promise<string> {
  const base = testDatabaseUrl();
  if (base.startsWith("sqlite:")) return base;
  const url = await createPostgresDatabase(base, `cp_test_${process.pid}_${++databaseCounter}`);
  createdDatabases.add(url);
  return url;
}

/** Drops a database freshDatabaseUrl created on PostgreSQL; an in-memory SQLite one is already gone. */
export async function dropTestDatabase(url: string): Promise<void> {
  if (url.startsWith("sqlite:")) return;
  await dropPostgresDatabase(testDatabaseUrl(), new URL(url).pathname.slice(1));
  createdDatabases.delete(url);
}

// A root-level hook (when mocha loads this file) drops whatever a test file left behind.
if (typeof after === "function") {
  after(async () => {
    for (const url of [...createdDatabases]) await dropTestDatabase(url);
  });
}
