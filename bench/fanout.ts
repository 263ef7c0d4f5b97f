import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import { spawn, type ChildProcess } from "node:child_process";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { Client as PgClient } from "pg";
import { signToken } from "../src/auth/tokens";
import { log, post, setting } from "./harness";

/*
 * `npm run bench:fanout`: live updates to many subscribers. SUBSCRIBERS (default 1000) sockets, each
 * with one `accountChanged` subscription to the same account; then CHANGES (default 20) changes, one
 * after another, each sent when the previous has reached every subscriber. For each change: the time
 * from sending the mutation until the last subscriber has the event (the mutation's own round trip
 * included), as p50/p99/max. And the server's RSS growth per idle socket: once connected, and once
 * each has a subscription.
 *
 * Always on one process on a SQLite file. With TEST_DATABASE_URL set to PostgreSQL
 * (`scripts/ci-postgres.sh with-cluster npm run bench:fanout`), also on one process and across three
 * processes on one database, the subscribers spread over them and every change made through the first.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const SECRET = "bench-secret-that-is-long-enough-for-hs256-0000";
const SUBSCRIBERS = setting("SUBSCRIBERS", 1000, 1);
const CHANGES = setting("CHANGES", 20, 2);
const SUBSCRIBE = `subscription($id: ID!, $after: Int) { accountChanged(accountId: $id, afterSequence: $after) { sequence contactsVersion kinds changes { slot action } settingChanges { newValue } account { id contactsVersion } } }`;

interface Process {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startProcess(env: Record<string, string>): Promise<Process> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, "dist", "src", "main.js")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      PORT: String(port),
      NODE_ENV: "development",
      AUTH_JWT_SECRET: SECRET,
      LOG_LEVEL: "warn",
      SEED_DEMO_DATA: "false",
      MUTATION_RATE_LIMIT: "0",
      MAIL_TRANSPORT: "file",
      WS_MAX_SOCKETS_PER_CALLER: String(SUBSCRIBERS + 10),
      HTTP_MAX_CONNECTIONS: String(SUBSCRIBERS + 100),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`The server did not start:\n${output}`);
    try {
      if ((await fetch(url.replace("/graphql", "/livez"))).ok) return { child, url, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProcess(server: Process): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

function rssBytes(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

interface Figures {
  setup: string;
  p50: number;
  p99: number;
  max: number;
  mutationP50: number;
  perSocketKb: number;
  perSubscriptionKb: number;
}

/** One scenario: `servers` share the subscribers round-robin; changes go through the first. */
async function measure(setup: string, servers: Process[]): Promise<Figures> {
  const token = await signToken(SECRET, { email: "fanout.admin@bench.example", name: "Fan-out" }, "2h");
  const first = servers[0]!;
  await post(first.url, token, { query: "{ viewer { id } }" });
  const created = await post(first.url, token, {
    query: `mutation { createAccount(input: { name: "Fan-out" }) { account { id eventSequence } } }`,
  });
  const { id: accountId, eventSequence: after } = (created.createAccount as { account: { id: string; eventSequence: number } }).account;

  await settle();
  const rssBefore = servers.map((server) => rssBytes(server.child.pid!));
  log(`${setup}: opening ${SUBSCRIBERS} sockets…`);
  const clients: Client[] = [];
  const connected: Promise<void>[] = [];
  for (let index = 0; index < SUBSCRIBERS; index++) {
    const server = servers[index % servers.length]!;
    let done!: () => void;
    connected.push(new Promise<void>((resolve) => (done = resolve)));
    clients.push(
      createClient({
        url: server.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${token}` },
        on: { connected: () => done() },
        onNonLazyError: (error) => log(`socket error: ${JSON.stringify(error)}`),
      }),
    );
    if (index % 100 === 99) await Promise.all(connected.slice(index - 99));
  }
  await Promise.all(connected);
  await settle();
  const rssConnected = servers.map((server) => rssBytes(server.child.pid!));

  // The highest sequence each subscriber has; a change is delivered when all have it.
  const latest = new Int32Array(SUBSCRIBERS);
  let waiting: { sequence: number; resolve: () => void } | null = null;
  let behind = 0;
  const arrived = (index: number, sequence: number) => {
    if (latest[index]! >= sequence) return;
    latest[index] = sequence;
    if (waiting && sequence >= waiting.sequence && --behind === 0) waiting.resolve();
  };
  clients.forEach((client, index) => {
    client.subscribe<{ accountChanged: { sequence: number } }>(
      // From the account's creation on: a subscribe that lands after the first change still gets it.
      { query: SUBSCRIBE, variables: { id: accountId, after } },
      {
        next: (result) =>
          result.data ? arrived(index, result.data.accountChanged.sequence) : log(`subscription refused: ${JSON.stringify(result.errors)}`),
        error: (error) => log(`subscription error: ${JSON.stringify(error)}`),
        complete: () => undefined,
      },
    );
  });
  // Every subscription is open once a first change has reached them all (not counted).
  const change = async (locale: string) => {
    const started = performance.now();
    const answered = await post(first.url, token, {
      query: `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { eventSequence } } }`,
      variables: { input: { accountId, locale } },
    });
    return {
      started,
      mutationMs: performance.now() - started,
      sequence: (answered.updateAccount as { account: { eventSequence: number } }).account.eventSequence,
    };
  };
  const deliver = async (locale: string) => {
    let resolve!: () => void;
    const all = new Promise<void>((done) => (resolve = done));
    // The sequence is known only once the mutation answers; events that arrive earlier are counted then.
    const pending = change(locale);
    const { started, mutationMs, sequence } = await pending;
    behind = latest.filter((value) => value < sequence).length;
    waiting = { sequence, resolve };
    if (behind === 0) resolve();
    const timer = setTimeout(() => {
      log(`${setup}: after 60 s, ${behind} of ${SUBSCRIBERS} subscribers still lack sequence ${sequence}`);
      for (const server of servers) log(server.output().slice(-3000));
    }, 60_000);
    await all;
    clearTimeout(timer);
    waiting = null;
    return { ms: performance.now() - started, mutationMs };
  };
  await new Promise((resolve) => setTimeout(resolve, 2000));
  await deliver("PL");
  await settle();
  const rssSubscribed = servers.map((server) => rssBytes(server.child.pid!));

  const times: number[] = [];
  const mutationTimes: number[] = [];
  for (let index = 0; index < CHANGES; index++) {
    const { ms, mutationMs } = await deliver(index % 2 === 0 ? "EN" : "PL");
    times.push(ms);
    mutationTimes.push(mutationMs);
  }
  await Promise.all(clients.map((client) => client.dispose()));
  times.sort((a, b) => a - b);
  mutationTimes.sort((a, b) => a - b);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    setup,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    max: times.at(-1)!,
    mutationP50: percentile(mutationTimes, 50),
    perSocketKb: (sum(rssConnected) - sum(rssBefore)) / SUBSCRIBERS / 1024,
    perSubscriptionKb: (sum(rssSubscribed) - sum(rssConnected)) / SUBSCRIBERS / 1024,
  };
}

async function main(): Promise<void> {
  const results: Figures[] = [];
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), "cp-bench-fanout-"));
  const mail = { MAIL_LOG_FILE: path.join(temp, "mail.log") };
  try {
    const sqlite = await startProcess({ DATABASE_URL: `sqlite:${path.join(temp, "fanout.sqlite")}`, ...mail });
    try {
      results.push(await measure("1 process, SQLite", [sqlite]));
    } finally {
      await stopProcess(sqlite);
    }
    const base = process.env.TEST_DATABASE_URL;
    if (base?.startsWith("postgres")) {
      for (const count of [1, 3]) {
        const name = `cp_bench_fanout_${count}_${process.pid}`;
        const admin = new PgClient({ connectionString: base });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const url = new URL(base);
        url.pathname = `/${name}`;
        const servers: Process[] = [];
        try {
          // One after the other: the first migrates.
          for (let index = 0; index < count; index++)
            servers.push(await startProcess({ DATABASE_URL: url.toString(), DATABASE_POOL_SIZE: "5", ...mail }));
          results.push(await measure(`${count} process${count > 1 ? "es" : ""}, PostgreSQL`, servers));
        } finally {
          for (const server of servers) await stopProcess(server);
          const cleanup = new PgClient({ connectionString: base });
          await cleanup.connect();
          await cleanup.query(`DROP DATABASE IF EXISTS ${name}`);
          await cleanup.end();
        }
      }
    } else {
      log(
        "TEST_DATABASE_URL is not PostgreSQL: the PostgreSQL rows are left out (scripts/ci-postgres.sh with-cluster npm run bench:fanout runs them).",
      );
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
  const round = (value: number) => value.toFixed(1);
  console.log(
    `\n${SUBSCRIBERS} subscriptions on one account, ${CHANGES} changes (${os.cpus().length} cores, node ${process.versions.node})\n`,
  );
  console.log(
    "| setup | last subscriber p50 ms | p99 ms | max ms | mutation alone p50 ms | RSS per idle socket KiB | RSS per subscription KiB |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of results) {
    console.log(
      `| ${row.setup} | ${round(row.p50)} | ${round(row.p99)} | ${round(row.max)} | ${round(row.mutationP50)} | ${round(row.perSocketKb)} | ${round(row.perSubscriptionKb)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
