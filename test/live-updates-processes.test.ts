import { expect } from "chai";
import { Client } from "pg";
import { freshDatabaseUrl, dropTestDatabase, tokenFor, TEST_JWT_SECRET } from "./helpers/server";
import { postGraphQL, spawnServer, type ServerProcess } from "./helpers/process";
import { testingOnPostgres } from "./helpers/postgres";
import { liveClient, Received, type LiveClient } from "./helpers/live";
import { LISTENER_APPLICATION_NAME } from "../src/live/postgres-listener.service";

/*
 * Live updates across processes on one PostgreSQL database: a change committed through one process
 * reaches a subscriber connected to another (pg_notify in the change's transaction, LISTEN on a
 * connection of each process's own), and a listener connection that PostgreSQL drops costs no event.
 */

const SUBSCRIBE = `subscription($accountId: ID!, $afterSequence: Int) { accountChanged(accountId: $accountId, afterSequence: $afterSequence) { sequence reloadRequired settingChanges { newValue } } }`;

type Events = Received<{ accountChanged: { sequence: number; reloadRequired: boolean } }>;

function ok<T>(response: Awaited<ReturnType<typeof postGraphQL>>): T {
  expect(response.errors, JSON.stringify(response.errors)).to.equal(undefined);
  return response.data as T;
}

describe("Live updates across processes on PostgreSQL", function () {
  this.timeout(120_000);
  let databaseUrl: string;
  let processes: ServerProcess[] = [];
  const clients: LiveClient[] = [];

  before(async function () {
    if (!testingOnPostgres()) {
      console.log("      (skipped: TEST_DATABASE_URL is not a postgres:// URL; `npm run test:postgres` runs these tests)");
      this.skip();
    }
    databaseUrl = await freshDatabaseUrl();
    const env = {
      DATABASE_URL: databaseUrl,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      NODE_ENV: "development",
      SEED_DEMO_DATA: "false",
      MUTATION_RATE_LIMIT: "0",
      DATABASE_POOL_SIZE: "5",
    };
    // One after the other: the first migrates the database.
    processes.push(await spawnServer(env));
    processes.push(await spawnServer(env));
    processes.push(await spawnServer(env));
  });

  after(async () => {
    await Promise.all(clients.splice(0).map((live) => live.dispose()));
    for (const child of processes) {
      child.child.kill("SIGTERM");
      await child.exited;
    }
    processes = [];
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  async function setUp() {
    const [a, b] = processes as [ServerProcess, ServerProcess];
    const token = await tokenFor(`admin-${Math.random().toString(36).slice(2, 8)}@example.com`);
    ok(await postGraphQL(a.url, "{ viewer { id } }", token));
    const created = ok<{ createAccount: { account: { id: string; eventSequence: number } } }>(
      await postGraphQL(a.url, `mutation { createAccount(input: { name: "Across" }) { account { id eventSequence } } }`, token),
    );
    return { a, b, token, accountId: created.createAccount.account.id, after: created.createAccount.account.eventSequence };
  }

  /** Accounts whose language is Polish now: each change toggles it, so each writes one event. */
  const polish = new Set<string>();
  async function change(on: ServerProcess, token: string, accountId: string): Promise<void> {
    const locale = polish.has(accountId) ? "EN" : "PL";
    if (locale === "PL") polish.add(accountId);
    else polish.delete(accountId);
    ok(
      await postGraphQL(on.url, `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`, token, {
        input: { accountId, locale },
      }),
    );
  }

  it("delivers a change made through process A to subscribers connected to processes B and C of three", async () => {
    const { a, token, accountId, after } = await setUp();
    const others = processes.slice(1);
    const received = await Promise.all(
      others.map(async (process) => {
        const live = liveClient(process.url, token);
        clients.push(live);
        const events: Events = new Received(live.client, SUBSCRIBE, { accountId, afterSequence: after });
        await live.connected;
        return events;
      }),
    );
    await change(a, token, accountId);
    for (const events of received) {
      await events.count(1);
      expect(events.results[0]!.data!.accountChanged).to.deep.include({ sequence: after + 1, reloadRequired: false });
    }
  });

  it("loses no event when PostgreSQL ends the listener connection while changes are being made: each arrives once, in order", async () => {
    const { a, b, token, accountId, after } = await setUp();
    const live = liveClient(b.url, token);
    clients.push(live);
    const received: Events = new Received(live.client, SUBSCRIBE, { accountId, afterSequence: after });
    await live.connected;
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    let terminated = 0;
    try {
      for (let round = 0; round < 30; round++) {
        // The last change is made while B's listener is down: only its catching up on reconnect delivers it.
        if (round % 10 === 9) {
          const result = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [
            LISTENER_APPLICATION_NAME,
          ]);
          terminated += result.rowCount ?? 0;
        }
        await change(a, token, accountId);
      }
    } finally {
      await admin.end();
    }
    // Both processes' listeners, three times.
    expect(terminated).to.be.at.least(6);
    const last = after + 30;
    await received.until(() => (received.results.at(-1)?.data?.accountChanged.sequence ?? 0) >= last, `sequence ${last}`, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.results.map((result) => result.data?.accountChanged.sequence)).to.deep.equal(
      Array.from({ length: 30 }, (_, index) => after + 1 + index),
    );
    expect(b.output()).to.match(/listener connection for live updates was lost/);
  });
});
