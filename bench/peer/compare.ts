import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import autocannon from "autocannon";
import { Client } from "pg";
import { Database } from "../../src/database";
import { signToken } from "../../src/auth/tokens";
import { decodeGlobalId } from "../../src/common/global-id";
import { createPostgresDatabase } from "../../test/helpers/postgres";
import { seedDataset } from "../../test/helpers/dataset";
import {
  cpuSeconds,
  log,
  post,
  setting,
  startServer,
  statementsPerRequest,
  stopServer,
  VIEWER_EMAIL,
  type Body,
  type Server,
} from "../harness";

/*
 * `npm run bench:peer`: the settings screen's data from the service and from PostGraphile 5 (amber
 * preset, no authentication) over the same PostgreSQL tables, driven in turns (service, peer, peer,
 * service, …) so that noise on a shared machine hits both alike.
 *
 * Environment: BENCH_DATABASE_URL (a postgres:// URL; `npm run bench:peer` starts a throwaway cluster
 * when neither it nor TEST_DATABASE_URL is set), BENCH_SECONDS (per run and server, default 8),
 * BENCH_RUNS (3), BENCH_CONNECTIONS (50), BENCH_ACCOUNTS (60), BENCH_MEMBERS (10 per account),
 * BENCH_PEER_DIR (where Node 22 and PostGraphile are installed; a temporary folder otherwise, reused
 * when it is already filled), SINGLE_STATEMENT_READS (passed to the service: off measures the loaders).
 */

const ROOT = path.resolve(__dirname, "..", "..", "..");
const SECONDS = setting("BENCH_SECONDS", 8, 2);
const RUNS = setting("BENCH_RUNS", 3, 1);
const CONNECTIONS = setting("BENCH_CONNECTIONS", 50, 1);
const ACCOUNTS = setting("BENCH_ACCOUNTS", 60, 1);
const MEMBERS = setting("BENCH_MEMBERS", 10, 10);

// The settings screen: the account, the viewer's role, the primary contact, billing contacts, role
// contacts with their users, and the first 50 members with their users.
const SERVICE_QUERY = `query Settings($accountId: ID!) { account(id: $accountId) {
  id name viewerRole contactsVersion updatedAt
  primaryContact { id email name }
  billingContacts { id email name }
  roleContacts { role email user { id email name } updatedAt updatedBy { id email name } }
  members(first: 50) { edges { node { role joinedAt user { id email name } } } }
} }`;

// The same data in PostGraphile's shape. It checks nothing: the viewer's id is a variable, and any
// account can be read by anyone.
const PEER_QUERY = `query Settings($accountId: String!, $viewerId: String!) {
  accountByRowId(rowId: $accountId) {
    id name contactsVersion updatedAt
    viewer: accountMembersByAccountId(condition: { userId: $viewerId }) { nodes { role } }
    userByPrimaryContactId { rowId email name }
    roleContactsByAccountId { nodes { role email accountMemberByAccountIdAndUserId { userByUserId { rowId email name } } updatedAt userByUpdatedById { rowId email name } } }
    members: accountMembersByAccountId(first: 50, orderBy: [JOINED_AT_ASC, USER_ID_ASC]) { nodes { role joinedAt userByUserId { rowId email name } } }
  }
  allBillingContacts(condition: { accountId: $accountId }, orderBy: POSITION_ASC) { nodes { accountMemberByAccountIdAndUserId { userByUserId { rowId email name } } } }
}`;

/** The processes of the PostgreSQL cluster (the postmaster's children: backends and background workers), when it runs on this machine. */
function clusterPids(postmaster: number | null): number[] {
  if (postmaster === null) return [];
  const children: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      if (parent === postmaster) children.push(Number(entry));
    } catch {
      // The process has gone.
    }
  }
  return [postmaster, ...children];
}

/** CPU seconds used so far by the server and by the database, together. */
function cpuOf(server: Server, postmaster: number | null): number {
  return cpuSeconds(server.process.pid!) + clusterPids(postmaster).reduce((sum, pid) => sum + cpuSeconds(pid), 0);
}

/** The postmaster's process id, read from its data directory, or null when the cluster is elsewhere. */
async function postmasterPid(url: string): Promise<number | null> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query("SHOW data_directory");
    return Number(fs.readFileSync(path.join(rows[0].data_directory as string, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return null;
  } finally {
    await client.end();
  }
}

interface Sample {
  /** CPU milliseconds per request, of the server and of PostgreSQL together (null when the cluster runs elsewhere). */
  cpuMs: number | null;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
}

async function drive(
  server: Server,
  token: string | null,
  seconds: number,
  next: () => Body,
  postmaster: number | null = null,
): Promise<Sample> {
  const cpuBefore = cpuOf(server, postmaster);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  let failures = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    autocannon(
      {
        url: server.url,
        connections: CONNECTIONS,
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
  });
  // Let the server finish what it still holds before the other one starts.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const cpuMs = postmaster === null ? null : (1000 * (cpuOf(server, postmaster) - cpuBefore)) / Math.max(1, result.requests.total);
  return {
    cpuMs,
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: failures + result.errors + result.timeouts,
  };
}

/** Emails in the order each server lists them, with role contacts sorted by role (PostGraphile orders them by key, as the service does). */
function emailsOfService(data: Record<string, unknown>): string[] {
  const account = data.account as {
    primaryContact: { email: string };
    billingContacts: { email: string }[];
    roleContacts: { role: string; email: string }[];
    members: { edges: { node: { user: { email: string } } }[] };
  };
  return [
    account.primaryContact.email,
    ...account.billingContacts.map((user) => user.email),
    ...[...account.roleContacts].sort((a, b) => a.role.localeCompare(b.role)).map((role) => role.email),
    ...account.members.edges.map((edge) => edge.node.user.email),
  ];
}

function emailsOfPeer(data: Record<string, unknown>): string[] {
  type Member = { userByUserId: { email: string } };
  const account = data.accountByRowId as {
    userByPrimaryContactId: { email: string };
    roleContactsByAccountId: { nodes: { role: string; email: string }[] };
    members: { nodes: Member[] };
  };
  const billing = (data.allBillingContacts as { nodes: { accountMemberByAccountIdAndUserId: Member }[] }).nodes;
  return [
    account.userByPrimaryContactId.email,
    ...billing.map((contact) => contact.accountMemberByAccountIdAndUserId.userByUserId.email),
    ...[...account.roleContactsByAccountId.nodes].sort((a, b) => a.role.localeCompare(b.role)).map((role) => role.email),
    ...account.members.nodes.map((member) => member.userByUserId.email),
  ];
}

/** Statements the service sends per request, from its /metrics counter over `count` requests one at a time. */
async function main(): Promise<void> {
  const base = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!base || !/^postgres(ql)?:\/\//.test(base))
    throw new Error("Set BENCH_DATABASE_URL to a postgres:// URL (or run `npm run bench:peer`, which starts a cluster).");
  const peerDir = process.env.BENCH_PEER_DIR || path.join(os.tmpdir(), "contact-points-bench-peer");
  log(`Installing Node 22 and PostGraphile 5 into ${peerDir} (once)`);
  const node22 = execFileSync(path.join(ROOT, "bench", "peer", "setup.sh"), [peerDir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();

  const name = "contact_points_bench_peer";
  const url = await createPostgresDatabase(base, name);
  const servers: Server[] = [];
  const mailLogFile = path.join(os.tmpdir(), `contact-points-bench-peer-mail-${process.pid}.log`);
  let db: Database | null = null;
  try {
    db = await Database.open({ databaseUrl: url });
    await db.migrate();
    const dataset = await seedDataset(db, {
      accounts: ACCOUNTS,
      membersPerAccount: MEMBERS,
      viewerEmail: VIEWER_EMAIL,
      historyChurnPairs: 2,
    });
    log(`Seeded ${ACCOUNTS} accounts × ${MEMBERS} members`);
    const secret = randomBytes(32).toString("hex");
    const metricsToken = randomBytes(16).toString("hex");
    const service = await startServer("service", process.execPath, ["dist/src/main.js"], {
      NODE_ENV: "production",
      PUBLIC_URL: "https://contacts.example.com",
      AUTH_JWT_SECRET: secret,
      DATABASE_URL: url,
      HOST: "127.0.0.1",
      PORT: "0",
      SEED_DEMO_DATA: "false",
      MAIL_TRANSPORT: "file",
      MAIL_LOG_FILE: mailLogFile,
      MUTATION_RATE_LIMIT: "0",
      // No case sends mail; the mail worker's idle polling would only add to the statement count.
      OUTBOX_POLL_MS: "600000",
      METRICS_TOKEN: metricsToken,
    });
    servers.push(service);
    const peer = await startServer("PostGraphile", node22, [path.join(peerDir, "server.mjs")], {
      NODE_ENV: "production",
      DATABASE_URL: url,
      PORT: "0",
    });
    servers.push(peer);
    const token = await signToken(secret, { email: VIEWER_EMAIL, name: "Console Admin" }, "2h");
    const viewerRowId = decodeGlobalId(dataset.viewer.id)!.key[0]!;

    let serviceTurn = 0;
    const serviceBody = (): Body => ({ query: SERVICE_QUERY, variables: { accountId: dataset.accounts[serviceTurn++ % ACCOUNTS]!.id } });
    let peerTurn = 0;
    const peerBody = (): Body => ({
      query: PEER_QUERY,
      variables: { accountId: dataset.accounts[peerTurn++ % ACCOUNTS]!.rowId, viewerId: viewerRowId },
    });

    // Both must show the same people in the same slots, or the comparison means nothing.
    for (const account of dataset.accounts.slice(0, 3)) {
      const ours = emailsOfService(await post(service.url, token, { query: SERVICE_QUERY, variables: { accountId: account.id } }));
      const theirs = emailsOfPeer(
        await post(peer.url, null, { query: PEER_QUERY, variables: { accountId: account.rowId, viewerId: viewerRowId } }),
      );
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) throw new Error(`The servers disagree:\n${ours.join(" ")}\n${theirs.join(" ")}`);
    }
    const statements = await statementsPerRequest(service, metricsToken, token, serviceBody, 20);
    log(`The service sends ${statements} statement(s) per settings request. Warming up both servers`);
    await drive(service, token, 2, serviceBody);
    await drive(peer, null, 2, peerBody);

    const postmaster = await postmasterPid(url);
    const rows: string[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    const cpu = (sample: Sample) => (sample.cpuMs === null ? "?" : sample.cpuMs.toFixed(2));
    for (let run = 1; run <= RUNS; run++) {
      const order = run % 2 === 1 ? [service, peer] : [peer, service];
      const samples = new Map<Server, Sample>();
      for (const server of order) {
        log(`run ${run}: ${server.name}, ${SECONDS} s`);
        samples.set(
          server,
          server === service
            ? await drive(service, token, SECONDS, serviceBody, postmaster)
            : await drive(peer, null, SECONDS, peerBody, postmaster),
        );
      }
      const ours = samples.get(service)!;
      const theirs = samples.get(peer)!;
      ratios.push(ours.rps / theirs.rps);
      if (ours.cpuMs !== null && theirs.cpuMs !== null) cpuRatios.push(theirs.cpuMs / ours.cpuMs);
      rows.push(
        `| ${run} | ${ours.rps.toFixed(0)} | ${ours.p50} / ${ours.p99} | ${cpu(ours)} | ${ours.failures} | ${theirs.rps.toFixed(0)} | ${theirs.p50} / ${theirs.p99} | ${cpu(theirs)} | ${theirs.failures} | ${(ours.rps / theirs.rps).toFixed(2)}× | ${ours.cpuMs && theirs.cpuMs ? `${(theirs.cpuMs / ours.cpuMs).toFixed(2)}×` : "?"} |`,
      );
    }
    const cpus = os.cpus();
    const {
      rows: [version],
    } = await (async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        return await client.query("SHOW server_version");
      } finally {
        await client.end();
      }
    })();
    console.log(
      [
        `contact-points vs PostGraphile 5 — ${new Date().toISOString()}`,
        `machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}; client, servers and PostgreSQL ${version.server_version} share the cores`,
        `data: ${ACCOUNTS} accounts × ${MEMBERS} members, every slot filled; ${CONNECTIONS} connections, ${SECONDS} s per run and server, ${RUNS} runs in turns`,
        `service: Node ${process.version}, SINGLE_STATEMENT_READS=${process.env.SINGLE_STATEMENT_READS ?? "postgres"}, ${statements} statement(s) per request; peer: PostGraphile 5 (amber preset, no authentication) on Node ${execFileSync(node22, ["-p", "process.version"], { encoding: "utf8" }).trim()}`,
        "",
        "CPU ms/request: the server's and PostgreSQL's CPU time over the run, per request answered (what the throughput would be on a quiet machine);",
        "the last column is PostGraphile's CPU per request ÷ the service's: above 1 the service costs less.",
        "",
        "| run | service req/s | service p50 / p99 ms | service CPU ms/req | failed | PostGraphile req/s | PostGraphile p50 / p99 ms | PostGraphile CPU ms/req | failed | req/s ratio | CPU ratio |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
        "",
        `service ÷ PostGraphile over ${RUNS} runs: ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× in requests/s` +
          (cpuRatios.length ? `, ${Math.min(...cpuRatios).toFixed(2)}–${Math.max(...cpuRatios).toFixed(2)}× in CPU per request` : ""),
      ].join("\n"),
    );
  } finally {
    for (const server of servers) await stopServer(server);
    await db?.close();
    const client = new Client({ connectionString: base });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
    fs.rmSync(mailLogFile, { force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
