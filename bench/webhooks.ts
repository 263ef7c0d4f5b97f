import "reflect-metadata";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../src/config";
import { Database } from "../src/database";
import { createApp, type App } from "../src/app";
import { signToken } from "../src/auth/tokens";
import { WebhookWorker } from "../src/webhooks/webhook.worker";
import { httpWebhookSender } from "../src/webhooks/webhook-transport";
import { log, post, setting } from "./harness";

/*
 * `npm run bench:webhooks`: webhook deliveries from the change log to a receiver on loopback.
 *   1. Throughput: ACCOUNTS accounts, one endpoint each, EVENTS changes each made first; then the
 *      worker (WEBHOOK_CONCURRENCY lanes) delivers them all. Deliveries per second, per concurrency.
 *   2. Outage: the receiver's port is closed for BENCH_OUTAGE_SECONDS (default 60) while changes keep
 *      coming, then it listens again. Every event must arrive, in order per account, each under one
 *      webhook-id. The retry schedule is shortened (BENCH_RETRY_SCHEDULE, default 1s,2s,5s,10s) so the
 *      catch-up is seen in seconds rather than the production schedule's minutes.
 * SQLite file in a temporary folder, or PostgreSQL when BENCH_DATABASE_URL names one.
 */

const SECRET = "bench-secret-that-is-long-enough-for-hs256-0000";
const ACCOUNTS = setting("BENCH_ACCOUNTS", 20, 1);
const EVENTS = setting("BENCH_EVENTS", 50, 1);
const OUTAGE_SECONDS = setting("BENCH_OUTAGE_SECONDS", 60, 1);
const RETRY_SCHEDULE = process.env.BENCH_RETRY_SCHEDULE || "1s,2s,5s,10s";

/** What the receiver saw: every request, and the 2xx ones per account path in arrival order. */
class Receiver {
  requests = 0;
  readonly delivered = new Map<string, { sequence: number; webhookId: string }[]>();
  private server: http.Server | null = null;
  port = 0;

  async listen(port = 0): Promise<void> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        this.requests++;
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { data: { sequence: number } };
        const list = this.delivered.get(request.url!) ?? [];
        list.push({ sequence: body.data.sequence, webhookId: String(request.headers["webhook-id"]) });
        this.delivered.set(request.url!, list);
        response.end("ok");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
    this.server = null;
  }

  get count(): number {
    return [...this.delivered.values()].reduce((sum, list) => sum + list.length, 0);
  }
}

interface Tenant {
  token: string;
  accountId: string;
  path: string;
  locale: "EN" | "PL";
}

async function tenants(url: string, receiverPort: number, count: number, prefix: string): Promise<Tenant[]> {
  const made: Tenant[] = [];
  for (let index = 0; index < count; index++) {
    const token = await signToken(SECRET, { email: `${prefix}-${index}@bench.example` }, "2h");
    const created = (await post(url, token, {
      query: `mutation { createAccount(input: { name: "Bench ${index}" }) { account { id } } }`,
    })) as { createAccount: { account: { id: string } } };
    const accountId = created.createAccount.account.id;
    const hookPath = `/${prefix}/${index}`;
    await post(url, token, {
      query: `mutation($input: AddWebhookEndpointInput!) { addWebhookEndpoint(input: $input) { secret } }`,
      variables: { input: { accountId, url: `http://127.0.0.1:${receiverPort}${hookPath}`, eventTypes: ["SETTINGS"] } },
    });
    made.push({ token, accountId, path: hookPath, locale: "EN" });
  }
  return made;
}

/** One change (the account's language flipped): one event. */
async function change(url: string, tenant: Tenant): Promise<void> {
  tenant.locale = tenant.locale === "EN" ? "PL" : "EN";
  await post(url, tenant.token, {
    query: `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`,
    variables: { input: { accountId: tenant.accountId, locale: tenant.locale } },
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("Timed out waiting for deliveries.");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** In order, once each, one id per event: what the receiver got for one account. */
function check(list: { sequence: number; webhookId: string }[]) {
  const sequences = list.map((entry) => entry.sequence);
  const outOfOrder = sequences.filter((sequence, index) => index > 0 && sequence < sequences[index - 1]!).length;
  const ids = new Map<number, Set<string>>();
  for (const entry of list) ids.set(entry.sequence, (ids.get(entry.sequence) ?? new Set()).add(entry.webhookId));
  return {
    unique: ids.size,
    duplicates: list.length - ids.size,
    outOfOrder,
    severalIds: [...ids.values()].filter((set) => set.size > 1).length,
  };
}

async function main(): Promise<void> {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "webhook-bench-"));
  const databaseUrl = process.env.BENCH_DATABASE_URL || `sqlite:${path.join(folder, "bench.sqlite")}`;
  const env = {
    AUTH_JWT_SECRET: SECRET,
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    MUTATION_RATE_LIMIT: "0",
    MAIL_TRANSPORT: "file",
    MAIL_LOG_FILE: path.join(folder, "mail.log"),
    WEBHOOK_ALLOW_HTTP: "true",
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true",
    WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE,
  };
  const config = loadConfig(env);
  const db = await Database.open({ databaseUrl, postgres: config.database });
  await db.migrate();
  const app: App = await createApp(config, db);
  await new Promise<void>((resolve) => app.httpServer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(app.httpServer.address() as AddressInfo).port}/graphql`;
  const sender = httpWebhookSender({ allowHttp: true, allowPrivateAddresses: true }, 10_000);
  const workerWith = (concurrency: number) =>
    new WebhookWorker(db, sender, {
      pollMs: 20,
      concurrency,
      retryScheduleMs: config.webhooks.retryScheduleMs,
      maxFailures: 1000,
      leaseMs: 60_000,
      log: () => undefined,
    });
  const rows: string[][] = [];

  for (const concurrency of [1, 4, 16]) {
    const receiver = new Receiver();
    await receiver.listen();
    const group = await tenants(url, receiver.port, ACCOUNTS, `c${concurrency}`);
    log(`concurrency ${concurrency}: making ${ACCOUNTS * EVENTS} changes…`);
    for (let round = 0; round < EVENTS; round++) await Promise.all(group.map((tenant) => change(url, tenant)));
    const worker = workerWith(concurrency);
    const started = performance.now();
    worker.start();
    await until(() => receiver.count >= ACCOUNTS * EVENTS, 600_000);
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    const checks = [...receiver.delivered.values()].map(check);
    rows.push([
      `throughput, ${concurrency} lane(s)`,
      String(ACCOUNTS * EVENTS),
      String(receiver.count),
      String(checks.reduce((sum, entry) => sum + entry.duplicates, 0)),
      String(checks.reduce((sum, entry) => sum + entry.outOfOrder, 0)),
      String(checks.reduce((sum, entry) => sum + entry.severalIds, 0)),
      seconds.toFixed(1),
      (receiver.count / seconds).toFixed(0),
    ]);
    await receiver.close();
  }

  {
    const receiver = new Receiver();
    await receiver.listen();
    const port = receiver.port;
    const group = await tenants(url, port, ACCOUNTS, "outage");
    const worker = workerWith(config.webhooks.concurrency);
    worker.start();
    log(`outage: the receiver is down for ${OUTAGE_SECONDS} s while changes keep coming…`);
    await receiver.close();
    const started = performance.now();
    let made = 0;
    while (performance.now() - started < OUTAGE_SECONDS * 1000) {
      await Promise.all(group.map((tenant) => change(url, tenant)));
      made += group.length;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await receiver.listen(port);
    const back = performance.now();
    log(`outage: the receiver is back; ${made} events to deliver…`);
    await until(() => receiver.count >= made, 600_000);
    const caughtUp = (performance.now() - back) / 1000;
    await worker.stop();
    const checks = [...receiver.delivered.values()].map(check);
    rows.push([
      `receiver down ${OUTAGE_SECONDS} s, then back`,
      String(made),
      String(checks.reduce((sum, entry) => sum + entry.unique, 0)),
      String(checks.reduce((sum, entry) => sum + entry.duplicates, 0)),
      String(checks.reduce((sum, entry) => sum + entry.outOfOrder, 0)),
      String(checks.reduce((sum, entry) => sum + entry.severalIds, 0)),
      caughtUp.toFixed(1),
      "",
    ]);
    await receiver.close();
  }

  await app.apollo.stop();
  await db.close();
  fs.rmSync(folder, { recursive: true, force: true });

  const header = ["run", "events", "delivered", "twice", "out of order", "several ids", "seconds", "deliveries/s"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(" | ")} |`;
  console.log(line(header));
  console.log(`| ${widths.map((width, column) => (column === 0 ? "-".repeat(width) : `${"-".repeat(width - 1)}:`)).join(" | ")} |`);
  for (const row of rows) console.log(line(row));
  console.log(
    `\n${db.driver === "postgres" ? "PostgreSQL" : "SQLite file"}; ${ACCOUNTS} accounts, one endpoint each; throughput: ${EVENTS} events per account made first. ` +
      `Outage: retry schedule ${RETRY_SCHEDULE}; "seconds" is the time from the receiver's return to the last delivery. Node ${process.version}.`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
