import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { Client } from "pg";
import { Database } from "../src/database";
import { ContactChange } from "../src/history/contact-change.entity";
import { AccountMember } from "../src/members/account-member.entity";
import { encodeCursor } from "../src/common/pagination";
import { decodeGlobalId, globalId } from "../src/common/global-id";
import { signToken } from "../src/auth/tokens";
import { createPostgresDatabase } from "../test/helpers/postgres";
import { seedDataset, type Dataset, type SeededAccount } from "../test/helpers/dataset";
import { drawChart } from "./chart";
import {
  SETTINGS_QUERY,
  OUTSIDE_SETTINGS_QUERY,
  SETTINGS_HEADER_QUERY,
  CONSOLE_QUERY,
  MY_ACCOUNTS_QUERY,
  MEMBER_PICKER_QUERY,
  CONTACT_HISTORY_QUERY,
  NODE_QUERY,
  NODES_QUERY,
  RECIPIENTS_QUERY,
  DELIVERIES_QUERY,
  INVITATIONS_QUERY,
  SET_PRIMARY,
  ADD_BILLING,
  REMOVE_BILLING,
} from "./screen-queries";
import {
  cpuSeconds as processCpuSeconds,
  log,
  post,
  setting,
  startServer as startProcess,
  statementsPerRequest as harnessStatements,
  stopServer,
  VIEWER_EMAIL,
  type Body,
  type Server,
} from "./harness";

/** Starts a Node script of this project as a server (the service or the baseline). */
const startServer = (name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Server> =>
  startProcess(name, process.execPath, [...nodeArgs, script], env, 60_000);
const cpuSeconds = (server: Server): number => processCpuSeconds(server.process.pid!);

/*
 * `npm run bench`: seeds a database, starts the service as its own process in production mode and
 * the in-memory baseline beside it, and drives both with autocannon. Read cases are the queries the
 * screens send (settings, console, member picker, history pages, refetches, notifications…); each
 * alternates between the two servers in short slices so that noise from the (shared) machine hits
 * both alike, after both have given byte-identical answers to it.
 *
 * Environment: BENCH_DATABASE_URL (a postgres:// URL; a temporary SQLite file otherwise),
 * BENCH_SHAPE (`screens`: 1,000 accounts × 20 members, the default; `outside`: 60 × 10),
 * BENCH_ACCOUNTS / BENCH_MEMBERS (override the shape), BENCH_SECONDS (per case and server, default 10),
 * BENCH_CONNECTIONS (50), BENCH_CPU_PROF (a folder: profile the service with --cpu-prof; summarise
 * it with `node dist/bench/profile.js <folder>`), BENCH_DEBUG (print what each slice got),
 * BENCH_CASES (a comma-separated subset of the case keys below, `reads` or `writes`; default all),
 * BENCH_CHART (where the SVG chart goes; default docs/images/benchmark.svg), BENCH_SOAK_SECONDS
 * (length of the soak, default 300).
 *
 * `npm run bench:soak` (`--soak`) runs only the soak instead: mixed reads and writes on fewer
 * connections for BENCH_SOAK_SECONDS, with the service's resident set sampled throughout.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const SHAPES: Record<string, { accounts: number; members: number }> = {
  screens: { accounts: 1000, members: 20 },
  // The shape of the outside benchmark's settings query, and of `npm run bench:peer`.
  outside: { accounts: 60, members: 10 },
};
const SHAPE_NAME = process.env.BENCH_SHAPE || "screens";
if (!Object.hasOwn(SHAPES, SHAPE_NAME)) throw new Error(`BENCH_SHAPE must be one of ${Object.keys(SHAPES).join(", ")}.`);
const SECONDS = setting("BENCH_SECONDS", 10, 2);
const CONNECTIONS = setting("BENCH_CONNECTIONS", 50, 1);
const ACCOUNTS = setting("BENCH_ACCOUNTS", SHAPES[SHAPE_NAME]!.accounts, 10);
const MEMBERS = setting("BENCH_MEMBERS", SHAPES[SHAPE_NAME]!.members, 10);
/** Read cases alternate between the servers in slices this long. */
const SLICE_SECONDS = 2;
/** Cases with large answers (the console) take long enough at 50 connections that short slices would catch few requests. */
const LONG_SLICE_SECONDS = 5;
const CASE_NAMES = (process.env.BENCH_CASES || "reads,writes").split(",").map((name) => name.trim());
const CHART_FILE = path.resolve(ROOT, process.env.BENCH_CHART || "docs/images/benchmark.svg");
const SOAK = process.argv.includes("--soak");
const SOAK_SECONDS = setting("BENCH_SOAK_SECONDS", 300, 10);
/** The soak's load: enough to keep the service busy, not so much that latency hides a leak. */
const SOAK_CONNECTIONS = 10;
/** How often the soak samples the service's resident set. */
const SOAK_SAMPLE_MS = 5000;

interface Sample {
  /** Requests sent; every one was answered before the slice ended, since each slice waits for the server to drain. */
  requests: number;
  /** From the first request until the server had worked off the last one. */
  seconds: number;
  latencies: number[];
  failures: number;
  /** CPU seconds the server's process used, its drain included: steadier than req/s on a shared machine. */
  cpu: number;
}

interface Row {
  case: string;
  service: Sample;
  /** The ceiling on the same case, in the same run; none for writes. */
  baseline?: Sample;
  statements: number;
  peakRssMb: number | null;
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

/** How long the server must stay nearly idle to count as drained; not counted in a slice's time. */
const DRAINED_IDLE_SECONDS = 0.25;

/** Waits until the server has no work left: it stays nearly idle for a quarter of a second. */
async function drained(server: Server): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const before = cpuSeconds(server);
    await new Promise((resolve) => setTimeout(resolve, DRAINED_IDLE_SECONDS * 1000));
    if (cpuSeconds(server) - before <= 0.02) return;
  }
}

/** Drives one server for `seconds` with `next()` building each request body; counts non-200s and GraphQL errors. */
async function drive(server: Server, token: string | null, seconds: number, next: () => Body, connections = CONNECTIONS): Promise<Sample> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const latencies: number[] = [];
  let failures = 0;
  let sent = 0;
  const cpuBefore = cpuSeconds(server);
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
            setupRequest: (request) => {
              sent++;
              return { ...request, body: JSON.stringify(next()) };
            },
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
  // autocannon stops sending, but the server still works off what it had: wait, so the next slice starts
  // clean, and count that work and its time. Without it, a case whose 50 requests in flight take longer
  // than a slice (the console) would show almost no throughput and its CPU spread over few answers.
  await drained(server);
  const withDrain = Math.max(elapsed, Number(process.hrtime.bigint() - started) / 1e9 - DRAINED_IDLE_SECONDS);
  if (process.env.BENCH_DEBUG)
    log(
      `  ${server.name}: ${sent} sent, ${latencies.length} answered in ${elapsed.toFixed(1)} s (autocannon: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts), drained by ${withDrain.toFixed(1)} s`,
    );
  return {
    requests: sent,
    seconds: withDrain,
    latencies,
    failures: failures + result.errors + result.timeouts,
    cpu: cpuSeconds(server) - cpuBefore,
  };
}

function merge(samples: Sample[]): Sample {
  return {
    requests: samples.reduce((sum, sample) => sum + sample.requests, 0),
    seconds: samples.reduce((sum, sample) => sum + sample.seconds, 0),
    latencies: samples.flatMap((sample) => sample.latencies),
    failures: samples.reduce((sum, sample) => sum + sample.failures, 0),
    cpu: samples.reduce((sum, sample) => sum + sample.cpu, 0),
  };
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

function stats(sample: Sample) {
  const sorted = Float64Array.from(sample.latencies).sort();
  const list = Array.from(sorted);
  return {
    rps: sample.requests / sample.seconds,
    p50: percentile(list, 0.5),
    p99: percentile(list, 0.99),
    cpuMs: (1000 * sample.cpu) / sample.requests,
  };
}

/** Both servers on one read case, in alternating slices (service first in even rounds, baseline first in odd). */
async function compare(
  label: string,
  service: Server,
  baseline: Server,
  token: string,
  next: () => Body,
  slice: number,
): Promise<{ service: Sample; baseline: Sample; peakRssMb: number | null }> {
  const rounds = Math.max(1, Math.round(SECONDS / slice));
  log(`${label}: ${rounds * slice} s on each server, alternating every ${slice} s`);
  const ours: Sample[] = [];
  const theirs: Sample[] = [];
  resetPeakRss(service);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [service, baseline] : [baseline, service];
    for (const server of order) {
      const sample = await drive(server, server === service ? token : null, slice, next);
      (server === service ? ours : theirs).push(sample);
    }
  }
  return { service: merge(ours), baseline: merge(theirs), peakRssMb: peakRssMb(service) };
}

/** Lets the bench read the service's /metrics (its statement counter). */
const METRICS_TOKEN = randomBytes(16).toString("hex");

/** Statements the service sends per request of a case, over 10 requests sent one at a time. */
const statementsOf = (service: Server, token: string, next: () => Body, count = 10): Promise<number> =>
  harnessStatements(service, METRICS_TOKEN, token, next, count);

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
  // Every write sent was worked off before the sample ended (failures aside).
  const succeeded = sample.requests - sample.failures;
  const note = written === succeeded ? "one history row per write" : `${written} history rows for ${succeeded} writes`;
  const peak = peakRssMb(service);
  return { case: label, service: sample, statements: await statementsOf(service, token, next), peakRssMb: peak, note };
}

/** The fraction of the ceiling a read case must reach. */
const TARGET_RATIO = 0.5;

function table(rows: Row[]): string {
  const header = [
    "case",
    "service req/s",
    "ceiling req/s",
    "ratio",
    "≥ 0.5×",
    "service p50 / p99 ms",
    "ceiling p50 / p99 ms",
    "statements / request",
    "CPU ms / request: service / ceiling (ratio)",
    "service peak RSS MB",
    "failed",
  ];
  const lines = rows.map((row) => {
    const ours = stats(row.service);
    const theirs = row.baseline ? stats(row.baseline) : null;
    const ratio = theirs ? ours.rps / theirs.rps : null;
    return [
      row.case,
      ours.rps.toFixed(0),
      theirs ? theirs.rps.toFixed(0) : "—",
      ratio === null ? "—" : ratio.toFixed(2),
      ratio === null ? "—" : ratio >= TARGET_RATIO ? "yes" : "no",
      `${ours.p50.toFixed(1)} / ${ours.p99.toFixed(1)}`,
      theirs ? `${theirs.p50.toFixed(1)} / ${theirs.p99.toFixed(1)}` : "—",
      Number.isInteger(row.statements) ? String(row.statements) : row.statements.toFixed(1),
      theirs
        ? `${ours.cpuMs.toFixed(2)} / ${theirs.cpuMs.toFixed(2)} (${(theirs.cpuMs / ours.cpuMs).toFixed(2)})`
        : `${ours.cpuMs.toFixed(2)} / —`,
      row.peakRssMb === null ? "?" : row.peakRssMb.toFixed(0),
      `${row.service.failures + (row.baseline?.failures ?? 0)}${row.note ? ` (${row.note})` : ""}`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column]!.length)));
  const format = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [format(header), format(widths.map((width) => "-".repeat(width))), ...lines.map(format)].join("\n");
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

/** A read case: a screen's query, and the variables of its next request. */
interface ReadCase {
  key: string;
  label: string;
  next: () => Body;
  slice: number;
}

/** What the cursor cases start after: each account's 5th member and 10th-newest history row, from the database. */
async function cursorsOf(db: Database, dataset: Dataset): Promise<Map<string, { member: string; history: string }>> {
  const rows = await db.read(async (manager) => ({
    members: await manager.find(AccountMember, { order: { accountId: "ASC", joinedAt: "ASC", userId: "ASC" } }),
    history: await manager.find(ContactChange, { select: { accountId: true, sequence: true }, order: { sequence: "DESC" } }),
  }));
  const byAccount = <TRow extends { accountId: string }>(list: TRow[]) => {
    const grouped = new Map<string, TRow[]>();
    for (const row of list) grouped.set(row.accountId, [...(grouped.get(row.accountId) ?? []), row]);
    return grouped;
  };
  const members = byAccount(rows.members);
  const history = byAccount(rows.history);
  return new Map(
    dataset.accounts.map((account) => {
      const member = members.get(account.rowId)![4]!;
      const change = history.get(account.rowId)![9]!;
      return [
        account.id,
        { member: encodeCursor([member.joinedAt.toISOString(), member.userId]), history: encodeCursor([change.sequence]) },
      ];
    }),
  );
}

/** Every read case, each visiting the accounts in turn. */
function readCases(dataset: Dataset, cursors: Map<string, { member: string; history: string }>): ReadCase[] {
  const accounts = dataset.accounts;
  const perAccount = (query: string, variables: (account: SeededAccount) => Record<string, unknown>) => {
    let turn = 0;
    return (): Body => {
      const account = accounts[turn++ % accounts.length]!;
      return { query, variables: variables(account) };
    };
  };
  const byId = (account: SeededAccount) => ({ accountId: account.id });
  const rowIdOf = (userId: string) => decodeGlobalId(userId)!.key[0]!;
  const cases: [string, string, () => Body, number?][] = [
    ["settings", "settings page (contacts)", perAccount(SETTINGS_QUERY, byId)],
    ["outside", "settings, outside benchmark's query (contacts + 50 members)", perAccount(OUTSIDE_SETTINGS_QUERY, byId)],
    ["header", "settings header (account + primary)", perAccount(SETTINGS_HEADER_QUERY, byId)],
    ["console", "console (accounts, first 100)", () => ({ query: CONSOLE_QUERY }), LONG_SLICE_SECONDS],
    ["my-accounts", "viewer + my accounts (first 20)", () => ({ query: MY_ACCOUNTS_QUERY })],
    ["members", "member picker (first 50, with contact slots)", perAccount(MEMBER_PICKER_QUERY, byId)],
    [
      "members-next",
      "member picker, next page (5 after the 5th)",
      perAccount(MEMBER_PICKER_QUERY, (account) => ({ accountId: account.id, first: 5, after: cursors.get(account.id)!.member })),
    ],
    ["history", "contact history (first 20)", perAccount(CONTACT_HISTORY_QUERY, byId)],
    [
      "history-next",
      "contact history, next page (10 after the 10th)",
      perAccount(CONTACT_HISTORY_QUERY, (account) => ({ accountId: account.id, first: 10, after: cursors.get(account.id)!.history })),
    ],
    ["node", "node(id) refetch of an account", perAccount(NODE_QUERY, (account) => ({ id: account.id }))],
    [
      "nodes",
      "nodes(ids) refetch: account, user, member, role contact",
      perAccount(NODES_QUERY, (account) => ({
        ids: [
          account.id,
          account.memberIds[1],
          globalId("AccountMember", account.rowId, rowIdOf(account.memberIds[2]!)),
          globalId("ContactRole", account.rowId, "DECISION_MAKER"),
        ],
      })),
    ],
    [
      "recipients",
      "notification recipients (RENEWAL)",
      perAccount(RECIPIENTS_QUERY, (account) => ({ accountId: account.id, category: "RENEWAL" })),
    ],
    ["deliveries", "notification deliveries (first 20; none seeded)", perAccount(DELIVERIES_QUERY, byId)],
    ["invitations", "pending invitations + member history (none seeded)", perAccount(INVITATIONS_QUERY, byId)],
  ];
  return cases.map(([key, label, next, slice]) => ({ key, label, next, slice: slice ?? SLICE_SECONDS }));
}

const WRITE_CASES = {
  "write-primary": "setPrimaryContact, many accounts",
  "write-billing": "add/removeBillingContact, many accounts",
  "write-hot": "setPrimaryContact, one hot account",
} as const;

/** Whether BENCH_CASES picks a case (by its key, or `reads`/`writes` for all of a kind). */
const picked = (key: string, kind: "reads" | "writes") => CASE_NAMES.includes(key) || CASE_NAMES.includes(kind);

/**
 * The write cases. Every request is a real change with its history row: across the accounts, each is
 * visited in turn and its state toggled; on one hot account, its primary contact alternates between
 * two members, so every write queues behind the same account's lock.
 */
async function writeCases(service: Server, token: string, db: Database, dataset: Dataset): Promise<Row[]> {
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
  const hotPrimary = (): Body => ({
    query: SET_PRIMARY,
    variables: { input: { accountId: hot.id, userId: hot.memberIds[hotTurn++ % 2] } },
  });

  const rows: Row[] = [];
  for (const [key, next] of [
    ["write-primary", setPrimary],
    ["write-billing", billing],
    ["write-hot", hotPrimary],
  ] as const) {
    if (picked(key, "writes")) rows.push(await writes(WRITE_CASES[key], service, token, db, next));
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
  const points = rows.flatMap((row) => [
    { case: row.case, server: "service", rps: Math.round(stats(row.service).rps), p99: Math.round(stats(row.service).p99) },
    ...(row.baseline
      ? [{ case: row.case, server: "baseline", rps: Math.round(stats(row.baseline).rps), p99: Math.round(stats(row.baseline).p99) }]
      : []),
  ]);
  try {
    await drawChart(points, CHART_FILE, title);
  } catch (error) {
    log(`The chart could not be drawn: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loadAtStart = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(", ");
  const database = await freshDatabase();
  const servers: Server[] = [];
  // No case here sends mail; production still needs a mail transport chosen on purpose.
  const mailLogFile = path.join(os.tmpdir(), `contact-points-bench-mail-${process.pid}.log`);
  let db: Database | null = null;
  try {
    db = await Database.open({ databaseUrl: database.url });
    await db.migrate();
    const seedStart = Date.now();
    const dataset: Dataset = await seedDataset(db, {
      accounts: ACCOUNTS,
      membersPerAccount: MEMBERS,
      viewerEmail: VIEWER_EMAIL,
      historyChurnPairs: 6,
    });
    const seededRows = await historyRows(db);
    log(
      `Seeded ${ACCOUNTS} accounts × ${MEMBERS} members, ${seededRows} history rows, in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`,
    );

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

    const cases = readCases(dataset, await cursorsOf(db, dataset));
    const settings = cases.find((candidate) => candidate.key === "settings")!.next;
    if (SOAK) {
      console.log(await soak(service, token, settings, dataset));
      return;
    }
    const reads = cases.filter((candidate) => picked(candidate.key, "reads"));
    const unknown = CASE_NAMES.filter(
      (name) =>
        name !== "reads" && name !== "writes" && !cases.some((candidate) => candidate.key === name) && !Object.hasOwn(WRITE_CASES, name),
    );
    if (unknown.length)
      throw new Error(
        `Unknown BENCH_CASES ${unknown.join(", ")}; the cases are ${[...cases.map((candidate) => candidate.key), ...Object.keys(WRITE_CASES)].join(", ")}.`,
      );

    // Both servers must give the same answers, byte for byte, or the comparison means nothing.
    for (const read of reads) {
      for (let request = 0; request < 3; request++) {
        const body = read.next();
        const [ours, theirs] = await Promise.all([post(service.url, token, body), post(baseline.url, null, body)]);
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
          throw new Error(
            `The baseline answers ${read.key} differently from the service:\n${JSON.stringify(ours).slice(0, 600)}\n${JSON.stringify(theirs).slice(0, 600)}`,
          );
        }
      }
    }
    log(`Both servers give the same answers to ${reads.length} read cases; warming up`);
    for (const server of [service, baseline]) {
      for (const read of reads)
        await drive(server, server === service ? token : null, 1, read.next, read.slice === SLICE_SECONDS ? CONNECTIONS : 2);
    }

    const rows: Row[] = [];
    for (const read of reads) {
      const statements = await statementsOf(service, token, read.next, read.slice === SLICE_SECONDS ? 10 : 3);
      const measured = await compare(read.label, service, baseline, token, read.next, read.slice);
      rows.push({ case: read.label, service: measured.service, baseline: measured.baseline, statements, peakRssMb: measured.peakRssMb });
    }
    rows.push(...(await writeCases(service, token, db, dataset)));

    const cpus = os.cpus();
    const load = os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(", ");
    console.log(
      [
        `contact-points benchmark — ${new Date().toISOString()}`,
        `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; client and servers share the cores`,
        `load average (1, 5, 15 min) at the start: ${loadAtStart}; at the end: ${load}`,
        `database: ${database.label}; ${ACCOUNTS} accounts × ${MEMBERS} members, ${seededRows} history rows`,
        `load: autocannon, ${CONNECTIONS} connections, ${SECONDS} s per case and server; read cases alternate service/ceiling every ${SLICE_SECONDS} s (console: ${LONG_SLICE_SECONDS} s); statements per request from the service's /metrics, requests sent one at a time`,
        "",
        table(rows),
        "",
        `read cases at ≥ ${TARGET_RATIO}× the ceiling: ${rows.filter((row) => row.baseline && stats(row.service).rps / stats(row.baseline).rps >= TARGET_RATIO).length} of ${rows.filter((row) => row.baseline).length} by req/s, ${rows.filter((row) => row.baseline && stats(row.baseline).cpuMs / stats(row.service).cpuMs >= TARGET_RATIO).length} by CPU per request`,
        `chart: ${path.relative(ROOT, CHART_FILE)}`,
        `finished in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
      ].join("\n"),
    );
    await chart(
      rows,
      `contact-points on ${database.label}, ${ACCOUNTS} × ${MEMBERS}, ${CONNECTIONS} connections, ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    );
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
