import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { Client } from "pg";
import { Database } from "../src/database";
import { ContactChange } from "../src/history/contact-change.entity";
import { signToken } from "../src/auth/tokens";
import { createPostgresDatabase } from "../test/helpers/postgres";
import { seedDataset, type Dataset } from "../test/helpers/dataset";
import { drawChart } from "./chart";
import { cpuSeconds as processCpuSeconds, log, post, setting, startServer as startProcess, statementsPerRequest as harnessStatements, stopServer, VIEWER_EMAIL, type Body, type Server } from "./harness";

/** Starts a Node script of this project as a server (the service or the baseline). */
const startServer = (name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Server> =>
  startProcess(name, process.execPath, [...nodeArgs, script], env, 60_000);
const cpuSeconds = (server: Server): number => processCpuSeconds(server.process.pid!);

/*
 * `npm run bench`: seeds a database, starts the service as its own process in production mode and
 * the in-memory baseline beside it, and drives both with autocannon. Read cases alternate between
 * the two servers in short slices so that noise from the (shared) machine hits both alike.
 *
 * Environment: BENCH_DATABASE_URL (a postgres:// URL; a temporary SQLite file otherwise),
 * BENCH_SECONDS (per case and server, default 10), BENCH_CONNECTIONS (50), BENCH_ACCOUNTS (1000),
 * BENCH_MEMBERS (20 per account), BENCH_CPU_PROF (a folder: profile the service with --cpu-prof),
 * BENCH_DEBUG (print what each slice got), BENCH_CASES (a comma-separated subset of settings,
 * console, writes; default all), BENCH_CHART (where the SVG chart goes; default
 * docs/images/benchmark.svg), BENCH_SOAK_SECONDS (length of the soak, default 300).
 *
 * `npm run bench:soak` (`--soak`) runs only the soak instead: mixed reads and writes on fewer
 * connections for BENCH_SOAK_SECONDS, with the service's resident set sampled throughout.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const SECONDS = setting("BENCH_SECONDS", 10, 2);
const CONNECTIONS = setting("BENCH_CONNECTIONS", 50, 1);
const ACCOUNTS = setting("BENCH_ACCOUNTS", 1000, 100);
const MEMBERS = setting("BENCH_MEMBERS", 20, 10);
/** Read cases alternate between the servers in slices this long. */
const SLICE_SECONDS = 2;
/** The console's requests take long enough at 50 connections that short slices would catch few of them. */
const CONSOLE_SLICE_SECONDS = 5;
/** How long each read case runs on one connection, for unqueued latency. */
const QUIET_SECONDS = 2;
const CASES = new Set((process.env.BENCH_CASES || "settings,console,writes").split(",").map((name) => name.trim()));
const CHART_FILE = path.resolve(ROOT, process.env.BENCH_CHART || "docs/images/benchmark.svg");
const SOAK = process.argv.includes("--soak");
const SOAK_SECONDS = setting("BENCH_SOAK_SECONDS", 300, 10);
/** The soak's load: enough to keep the service busy, not so much that latency hides a leak. */
const SOAK_CONNECTIONS = 10;
/** How often the soak samples the service's resident set. */
const SOAK_SAMPLE_MS = 5000;

// The settings screen's operation, as in examples/account-contacts.graphql and examples/fragments.graphql
// (its contact slots: the verification states and contact health, which the baseline does not model, left out).
const CONTACT_FRAGMENTS = `
fragment ContactUser on User { id email name }
fragment AccountContactsFields on Account {
  id name viewerRole contactsVersion updatedAt
  primaryContact { ...ContactUser }
  billingContacts { ...ContactUser }
  roleContacts { id role email isExternal user { ...ContactUser } updatedAt updatedBy { ...ContactUser } }
}`;
const SETTINGS_QUERY = `query AccountContacts($accountId: ID!) { account(id: $accountId) { ...AccountContactsFields } }${CONTACT_FRAGMENTS}`;
const CONSOLE_QUERY = `{ accounts(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { id primaryContact { email } billingContacts { email } roleContacts { user { email } } members(first: 10) { edges { node { user { email } } } } } } } }`;
// Writes ask only for the new version: the case measures the write, not the settings read above.
const SET_PRIMARY = `mutation SetPrimaryContact($input: SetPrimaryContactInput!) { setPrimaryContact(input: $input) { account { id contactsVersion } } }`;
const ADD_BILLING = `mutation AddBillingContact($input: AddBillingContactInput!) { addBillingContact(input: $input) { account { id contactsVersion } } }`;
const REMOVE_BILLING = `mutation RemoveBillingContact($input: RemoveBillingContactInput!) { removeBillingContact(input: $input) { account { id contactsVersion } } }`;


interface Sample {
  requests: number;
  seconds: number;
  latencies: number[];
  failures: number;
}

interface Row {
  case: string;
  server: string;
  sample: Sample;
  peakRssMb: number | null;
  /** The same requests on one connection. */
  quiet?: Sample;
  baseline?: Sample;
  note?: string;
}

/** Forgets the process's peak resident set, so the next read of VmHWM covers only what follows. */
function resetPeakRss(server: Server): void {
  try {
    fs.writeFileSync(`/proc/${server.process.pid}/clear_refs`, "5");
  } catch {
    // Not Linux, or not allowed: VmHWM then covers the whole life of the process.
  }
}

function peakRssMb(server: Server): number | null {
  try {
    const status = fs.readFileSync(`/proc/${server.process.pid}/status`, "utf8");
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Waits until the server has no work left: it stays nearly idle for a quarter of a second. */
async function drained(server: Server): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const before = cpuSeconds(server);
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (cpuSeconds(server) - before <= 0.02) return;
  }
}

/** Drives one server for `seconds` with `next()` building each request body; counts non-200s and GraphQL errors. */
async function drive(server: Server, token: string | null, seconds: number, next: () => Body, connections = CONNECTIONS): Promise<Sample> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const latencies: number[] = [];
  let failures = 0;
  const started = process.hrtime.bigint();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: server.url,
        connections,
        duration: seconds,
        method: "POST",
        headers,
        requests: [
          {
            method: "POST",
            setupRequest: (request) => ({ ...request, body: JSON.stringify(next()) }),
            onResponse: (status, body) => {
              if (status !== 200 || body.includes('"errors"')) failures++;
            },
          },
        ],
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  // autocannon stops sending, but the server still works off what it had: wait, so the next slice starts clean.
  await drained(server);
  if (process.env.BENCH_DEBUG) log(`  ${server.name}: ${latencies.length} responses (autocannon: ${result.requests.total} sent, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts) in ${elapsed.toFixed(1)} s`);
  return { requests: latencies.length, seconds: elapsed, latencies, failures: failures + result.errors + result.timeouts };
}

function merge(samples: Sample[]): Sample {
  return {
    requests: samples.reduce((sum, sample) => sum + sample.requests, 0),
    seconds: samples.reduce((sum, sample) => sum + sample.seconds, 0),
    latencies: samples.flatMap((sample) => sample.latencies),
    failures: samples.reduce((sum, sample) => sum + sample.failures, 0),
  };
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function stats(sample: Sample) {
  const sorted = Float64Array.from(sample.latencies).sort();
  const list = Array.from(sorted);
  return { rps: sample.requests / sample.seconds, p50: percentile(list, 0.5), p99: percentile(list, 0.99) };
}

/**
 * Both servers on one read case, in alternating slices (service first in even rounds, baseline first
 * in odd), then each alone on one connection for the latency of a request that does not queue.
 */
async function compare(label: string, service: Server, baseline: Server, token: string, next: () => Body, slice: number): Promise<Row[]> {
  const rounds = Math.max(1, Math.round(SECONDS / slice));
  log(`${label}: ${rounds * slice} s on each server, alternating every ${slice} s`);
  const ours: Sample[] = [];
  const theirs: Sample[] = [];
  resetPeakRss(service);
  resetPeakRss(baseline);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [service, baseline] : [baseline, service];
    for (const server of order) {
      const sample = await drive(server, server === service ? token : null, slice, next);
      (server === service ? ours : theirs).push(sample);
    }
  }
  const [ourPeak, theirPeak] = [peakRssMb(service), peakRssMb(baseline)];
  const ourQuiet = await drive(service, token, QUIET_SECONDS, next, 1);
  const theirQuiet = await drive(baseline, null, QUIET_SECONDS, next, 1);
  const baselineSample = merge(theirs);
  return [
    { case: label, server: "service", sample: merge(ours), quiet: ourQuiet, peakRssMb: ourPeak, baseline: baselineSample },
    { case: "", server: "baseline", sample: baselineSample, quiet: theirQuiet, peakRssMb: theirPeak },
  ];
}

/** Lets the bench read the service's /metrics (its statement counter). */
const METRICS_TOKEN = randomBytes(16).toString("hex");

/** Statements the service sends per request of a case, over 10 requests sent one at a time. */
const statementsOf = (service: Server, token: string, next: () => Body, count = 10): Promise<number> => harnessStatements(service, METRICS_TOKEN, token, next, count);

function statementsTable(counts: [string, number][]): string {
  return ["| case | statements per request |", "| --- | --- |", ...counts.map(([label, count]) => `| ${label} | ${Number.isInteger(count) ? count : count.toFixed(1)} |`)].join("\n");
}

async function historyRows(db: Database): Promise<number> {
  return db.read((manager) => manager.count(ContactChange));
}

/** A write case: every request changes something (each account is visited in turn, toggling its state). */
async function writes(label: string, service: Server, token: string, db: Database, next: () => Body): Promise<Row> {
  log(`${label}: ${SECONDS} s`);
  await drive(service, token, 1, next);
  const before = await historyRows(db);
  resetPeakRss(service);
  const sample = await drive(service, token, SECONDS, next);
  const written = (await historyRows(db)) - before;
  // Writes still in flight when the run ends are answered to nobody but are written all the same.
  const answered = sample.requests - sample.failures;
  const note = written >= answered && written <= answered + CONNECTIONS ? "one history row per write" : `${written} history rows for ${answered} writes`;
  return { case: label, server: "service", sample, peakRssMb: peakRssMb(service), note };
}

function table(rows: Row[]): string {
  const header = ["case", "server", "req/s", "vs baseline", "p50 ms", "p99 ms", "1 conn: p50 / p99 ms", "peak RSS MB", "failed"];
  const lines = rows.map((row) => {
    const { rps, p50, p99 } = stats(row.sample);
    const ratio = row.baseline ? `${Math.round((100 * rps) / stats(row.baseline).rps)}%` : row.server === "baseline" ? "100%" : "—";
    const quiet = row.quiet ? stats(row.quiet) : null;
    return [
      row.case,
      row.server,
      rps.toFixed(0),
      ratio,
      p50.toFixed(1),
      p99.toFixed(1),
      quiet ? `${quiet.p50.toFixed(1)} / ${quiet.p99.toFixed(1)}` : "—",
      row.peakRssMb === null ? "?" : row.peakRssMb.toFixed(0),
      `${row.sample.failures}${row.note ? ` (${row.note})` : ""}`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [format(header), format(widths.map((width) => "-".repeat(width))), ...lines.map(format)].join("\n");
}

function verdicts(rows: Row[], driver: string): string[] {
  const find = (label: string) => rows.find((row) => row.case === label && row.server === "service");
  const mark = (met: boolean) => (met ? "met" : "MISSED");
  const lines: string[] = [];
  const settings = find(SETTINGS_CASE);
  if (settings) {
    const ratio = stats(settings.sample).rps / stats(settings.baseline!).rps;
    const quiet = stats(settings.quiet!).rps;
    lines.push(`settings page ≥ 50% of baseline throughput: ${(100 * ratio).toFixed(0)}% (${mark(ratio >= 0.5)}); ≥ 1,200 req/s on 1 connection: ${quiet.toFixed(0)} (${mark(quiet >= 1200)})`);
  }
  const consoleRow = find(CONSOLE_CASE);
  if (consoleRow) {
    const ratio = stats(consoleRow.sample).rps / stats(consoleRow.baseline!).rps;
    lines.push(`console ≥ 50% of baseline throughput: ${(100 * ratio).toFixed(0)}% (${mark(ratio >= 0.5)}); peak RSS ${consoleRow.peakRssMb?.toFixed(0) ?? "?"} MB`);
  }
  const target = driver === "sqlite" ? 1000 : 500;
  for (const row of rows.filter((candidate) => WRITE_CASES.includes(candidate.case))) {
    const rps = stats(row.sample).rps;
    lines.push(`${row.case} ≥ ${target} writes/s on ${driver}: ${rps.toFixed(0)}/s (${mark(rps >= target)})`);
  }
  return lines;
}

/** A fresh database for this run: a temporary SQLite file, or a new database on BENCH_DATABASE_URL's server. */
async function freshDatabase(): Promise<{ url: string; label: string; cleanup: () => Promise<void> }> {
  const base = process.env.BENCH_DATABASE_URL;
  if (base) {
    if (!/^postgres(ql)?:\/\//.test(base)) throw new Error("BENCH_DATABASE_URL must be a postgres:// URL.");
    const name = "contact_points_bench";
    const url = await createPostgresDatabase(base, name);
    return {
      url,
      label: `PostgreSQL (${new URL(base).host})`,
      cleanup: async () => {
        const client = new Client({ connectionString: base });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-bench-"));
  return {
    url: `sqlite:${path.join(folder, "bench.sqlite")}`,
    label: "SQLite (WAL file)",
    cleanup: async () => fs.rmSync(folder, { recursive: true, force: true }),
  };
}

const SETTINGS_CASE = "settings page (1 account)";
const CONSOLE_CASE = "console (100 accounts)";
const WRITE_CASES = ["setPrimaryContact, many accounts", "add/removeBillingContact, many accounts", "setPrimaryContact, one hot account"];

/**
 * The write cases. Every request is a real change with its history row: across the accounts, each is
 * visited in turn and its state toggled; on one hot account, its primary contact alternates between
 * two members, so every write queues behind the same account's lock.
 */
async function writeCases(service: Server, token: string, db: Database, dataset: Dataset, statements: [string, number][]): Promise<Row[]> {
  const accounts = dataset.accounts;
  // Each account is visited once per round; even visits make the viewer primary, odd visits give it back.
  let primaryTurn = 0;
  const setPrimary = (): Body => {
    const turn = primaryTurn++;
    const account = accounts[turn % accounts.length]!;
    const userId = Math.floor(turn / accounts.length) % 2 === 0 ? account.memberIds[0] : account.memberIds[1];
    return { query: SET_PRIMARY, variables: { input: { accountId: account.id, userId } } };
  };
  // Even visits add the account's spare member as its third billing contact, odd visits remove them.
  let billingTurn = 0;
  const billing = (): Body => {
    const turn = billingTurn++;
    const account = accounts[turn % accounts.length]!;
    const input = { accountId: account.id, userId: account.memberIds[dataset.spareMemberIndex] };
    return { query: Math.floor(turn / accounts.length) % 2 === 0 ? ADD_BILLING : REMOVE_BILLING, variables: { input } };
  };
  // The last account, which the read cases' first pages do not show; its primary alternates between two members.
  const hot = accounts[accounts.length - 1]!;
  let hotTurn = 0;
  const hotPrimary = (): Body => ({ query: SET_PRIMARY, variables: { input: { accountId: hot.id, userId: hot.memberIds[hotTurn++ % 2] } } });

  const rows: Row[] = [];
  for (const [label, next] of [
    [WRITE_CASES[0]!, setPrimary],
    [WRITE_CASES[1]!, billing],
    [WRITE_CASES[2]!, hotPrimary],
  ] as const) {
    rows.push(await writes(label, service, token, db, next));
    statements.push([label, await statementsOf(service, token, next)]);
  }
  return rows;
}

function residentMb(server: Server): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${server.process.pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Mixed load for SOAK_SECONDS: settings reads, writes across the accounts, and now and then the
 * console, with the service's resident set sampled every few seconds. A leak shows as a rise from the
 * first samples to the last that the peak alone would not tell.
 */
async function soak(service: Server, token: string, settings: () => Body, dataset: Dataset): Promise<string> {
  const accounts = dataset.accounts;
  let turn = 0;
  let writeTurn = 0;
  const mixed = (): Body => {
    const kind = turn++ % 20;
    if (kind === 0) return { query: CONSOLE_QUERY };
    if (kind % 4 === 1) {
      const step = writeTurn++;
      const account = accounts[step % accounts.length]!;
      const userId = Math.floor(step / accounts.length) % 2 === 0 ? account.memberIds[0] : account.memberIds[1];
      return { query: SET_PRIMARY, variables: { input: { accountId: account.id, userId } } };
    }
    return settings();
  };
  log(`soak: ${SOAK_SECONDS} s of mixed load on ${SOAK_CONNECTIONS} connections, resident set every ${SOAK_SAMPLE_MS / 1000} s`);
  await drive(service, token, 10, mixed, SOAK_CONNECTIONS);
  const samples: { second: number; mb: number }[] = [];
  const started = Date.now();
  const sample = () => {
    const mb = residentMb(service);
    if (mb !== null) samples.push({ second: Math.round((Date.now() - started) / 1000), mb });
  };
  sample();
  const timer = setInterval(sample, SOAK_SAMPLE_MS);
  const result = await drive(service, token, SOAK_SECONDS, mixed, SOAK_CONNECTIONS);
  clearInterval(timer);
  sample();
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const peak = samples.reduce((top, entry) => (entry.mb > top.mb ? entry : top), first);
  const { rps, p50, p99 } = stats(result);
  const minute = (from: number) => samples.filter((entry) => entry.second >= from && entry.second < from + 60).map((entry) => entry.mb);
  const mean = (values: number[]) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : NaN);
  return [
    `soak: ${SOAK_SECONDS} s, ${SOAK_CONNECTIONS} connections, ${result.requests} requests (${rps.toFixed(0)}/s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms), ${result.failures} failed`,
    `resident set: start ${first.mb.toFixed(0)} MB, end ${last.mb.toFixed(0)} MB, peak ${peak.mb.toFixed(0)} MB at ${peak.second} s`,
    `mean of the first minute ${mean(minute(0)).toFixed(0)} MB, of the last ${mean(minute(Math.max(0, last.second - 60))).toFixed(0)} MB`,
    `samples (s:MB): ${samples.map((entry) => `${entry.second}:${entry.mb.toFixed(0)}`).join(" ")}`,
  ].join("\n");
}

/** Draws the rows into CHART_FILE; a chart that cannot be drawn does not fail the run. */
async function chart(rows: Row[], title: string): Promise<void> {
  let label = "";
  const points = rows.map((row) => {
    label = row.case || label;
    const { rps, p99 } = stats(row.sample);
    return { case: label, server: row.server, rps: Math.round(rps), p99: Math.round(p99) };
  });
  try {
    await drawChart(points, CHART_FILE, title);
  } catch (error) {
    log(`The chart could not be drawn: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const database = await freshDatabase();
  const servers: Server[] = [];
  // No case here sends mail; production still needs a mail transport chosen on purpose.
  const mailLogFile = path.join(os.tmpdir(), `contact-points-bench-mail-${process.pid}.log`);
  let db: Database | null = null;
  try {
    db = await Database.open({ databaseUrl: database.url });
    await db.migrate();
    const seedStart = Date.now();
    const dataset: Dataset = await seedDataset(db, { accounts: ACCOUNTS, membersPerAccount: MEMBERS, viewerEmail: VIEWER_EMAIL, historyChurnPairs: 6 });
    const seededRows = await historyRows(db);
    log(`Seeded ${ACCOUNTS} accounts × ${MEMBERS} members, ${seededRows} history rows, in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

    const secret = randomBytes(32).toString("hex");
    const profile = process.env.BENCH_CPU_PROF;
    const service = await startServer(
      "service",
      "dist/src/main.js",
      {
        NODE_ENV: "production",
        PUBLIC_URL: "https://contacts.example.com",
        AUTH_JWT_SECRET: secret,
        DATABASE_URL: database.url,
        HOST: "127.0.0.1",
        PORT: "0",
        SEED_DEMO_DATA: "false",
        MAIL_TRANSPORT: "file",
        MAIL_LOG_FILE: mailLogFile,
        // Every request comes from one token here; the per-caller limit would measure itself, not the service.
        MUTATION_RATE_LIMIT: "0",
        // No case sends mail; the mail worker's idle polling would only add to the statement counts.
        OUTBOX_POLL_MS: "600000",
        METRICS_TOKEN: METRICS_TOKEN,
      },
      profile ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profile)}`] : [],
    );
    servers.push(service);
    const baseline = await startServer("baseline", "dist/bench/baseline-server.js", {
      NODE_ENV: "production",
      DATABASE_URL: database.url,
      VIEWER_EMAIL,
      PORT: "0",
    });
    servers.push(baseline);
    const token = await signToken(secret, { email: VIEWER_EMAIL }, "2h");

    const accounts = dataset.accounts;
    let settingsTurn = 0;
    const settings = (): Body => ({ query: SETTINGS_QUERY, variables: { accountId: accounts[settingsTurn++ % accounts.length]!.id } });
    const consoleQuery = (): Body => ({ query: CONSOLE_QUERY });

    // Both servers must give the same answers, or the comparison means nothing.
    for (const body of [settings(), settings(), consoleQuery()]) {
      const [ours, theirs] = await Promise.all([post(service.url, token, body), post(baseline.url, null, body)]);
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        throw new Error(`The baseline answers differently from the service:\n${JSON.stringify(ours).slice(0, 400)}\n${JSON.stringify(theirs).slice(0, 400)}`);
      }
    }
    log("Warming up both servers");
    for (const server of [service, baseline]) {
      await drive(server, server === service ? token : null, 2, settings);
      await drive(server, server === service ? token : null, 2, consoleQuery, 2);
    }

    // Counted before the timed cases, with the same request builders; the writes' own counts come after them.
    const statements: [string, number][] = [
      ["settings page (1 account)", await statementsOf(service, token, settings)],
      ["console (100 accounts)", await statementsOf(service, token, consoleQuery, 3)],
    ];

    const rows: Row[] = [];
    if (SOAK) {
      console.log(await soak(service, token, settings, dataset));
      return;
    }
    if (CASES.has("settings")) rows.push(...(await compare(SETTINGS_CASE, service, baseline, token, settings, SLICE_SECONDS)));
    if (CASES.has("console")) rows.push(...(await compare(CONSOLE_CASE, service, baseline, token, consoleQuery, CONSOLE_SLICE_SECONDS)));
    if (CASES.has("writes")) rows.push(...(await writeCases(service, token, db, dataset, statements)));

    const cpus = os.cpus();
    console.log(
      [
        `contact-points benchmark — ${new Date().toISOString()}`,
        `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; client and servers share the cores`,
        `database: ${database.label}; ${ACCOUNTS} accounts × ${MEMBERS} members, ${seededRows} history rows`,
        `load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per case and server; read cases alternate service/baseline every ${SLICE_SECONDS} s (console: ${CONSOLE_SLICE_SECONDS} s), then run ${QUIET_SECONDS} s on 1 connection`,
        "",
        table(rows),
        "",
        `statements per request (${db.driver}; the service's /metrics, requests sent one at a time):`,
        "",
        statementsTable(statements),
        "",
        ...verdicts(rows, db.driver).map((line) => `- ${line}`),
        "",
        `chart: ${path.relative(ROOT, CHART_FILE)}`,
        `finished in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
      ].join("\n"),
    );
    await chart(rows, `contact-points on ${database.label}, ${CONNECTIONS} connections, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`);
  } finally {
    for (const server of servers) await stopServer(server);
    await db?.close();
    await database.cleanup();
    fs.rmSync(mailLogFile, { force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
