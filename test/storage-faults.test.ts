import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import pg from "pg";
import { signToken } from "../src/auth/tokens";
import { globalId } from "../src/common/global-id";
import { startTestServer, testDatabaseUrl, tokenFor, type TestServer } from "./helpers/server";
import { ok } from "./helpers/factories";
import { spawnServer, postGraphQL, type ServerProcess } from "./helpers/process";
import { checkContactInvariants, withSqliteFile, type SqlQuery } from "./helpers/invariants";
import { Random } from "./helpers/random";

/*
 * What a full disk, an I/O error or a lost database connection in the middle of a write may do: refuse
 * the write with SERVICE_UNAVAILABLE and keep nothing of it. Never: answer "saved" and forget, answer a
 * failure for a change that was kept, or stay broken once the fault is gone.
 */

const postgres = testDatabaseUrl().startsWith("postgres");
const NO_RATE_LIMIT = { MUTATION_RATE_LIMIT: "0" };

type Send = (
  query: string,
  variables: Record<string, unknown>,
  token: string,
) => Promise<{ data?: any; errors?: { message: string; extensions?: { code?: string } }[] }>;

interface Outcome {
  /** Accounts whose creation was acknowledged, by name. */
  created: Map<string, string>;
  /** Names of accounts whose creation was refused. */
  refusedNames: string[];
  /** The highest contactsVersion acknowledged per account. */
  versions: Map<string, number>;
  /** Users whose first request (which creates them) was answered. */
  provisioned: string[];
  refusedUsers: string[];
  counts: { ok: number; refused: number };
  unexpected: string[];
}

interface Fixture {
  admin: string;
  tokenOf: (email: string) => Promise<string>;
  accounts: { id: string; members: string[] }[];
}

const LONG = "x".repeat(170);

/**
 * A mixed write load: new accounts, new users, primary and billing changes, outside security contacts
 * (which queue mail) — every kind of write a request makes. Each answer is either success or
 * SERVICE_UNAVAILABLE; domain refusals the load can cause (a fourth billing contact) are allowed.
 */
async function writeLoad(send: Send, fixture: Fixture, operations: number, random: Random, label: string, outcome: Outcome): Promise<void> {
  const one = async (index: number) => {
    const kind = random.int(0, 4);
    const account = random.pick(fixture.accounts);
    let reply: Awaited<ReturnType<Send>>;
    if (kind === 0) {
      const name = `${label} ${index} ${LONG}`;
      reply = await send(`mutation($name: String!) { createAccount(input: { name: $name }) { account { id } } }`, { name }, fixture.admin);
      if (reply.data?.createAccount) outcome.created.set(name, reply.data.createAccount.account.id);
      else outcome.refusedNames.push(name);
    } else if (kind === 1) {
      const email = `${label.toLowerCase().replace(/\W/g, "")}-${index}@new.example`;
      reply = await send("{ viewer { id } }", {}, await fixture.tokenOf(email));
      if (reply.data?.viewer) outcome.provisioned.push(email);
      else outcome.refusedUsers.push(email);
    } else {
      const userId = random.pick(account.members);
      const mutation =
        kind === 2
          ? `setPrimaryContact(input: { accountId: $a, userId: $u }) { account { contactsVersion } }`
          : kind === 3
            ? `${random.chance(0.6) ? "add" : "remove"}BillingContact(input: { accountId: $a, userId: $u }) { account { contactsVersion } }`
            : `setRoleContact(input: { accountId: $a, role: SECURITY, email: $e }) { account { contactsVersion } }`;
      const variables = kind === 4 ? { a: account.id, e: `${label.toLowerCase()}-${index}@outside.example` } : { a: account.id, u: userId };
      const declared = kind === 4 ? "$a: ID!, $e: String!" : "$a: ID!, $u: ID!";
      reply = await send(`mutation(${declared}) { result: ${mutation} }`, variables, fixture.admin);
      const version = reply.data?.result?.account?.contactsVersion;
      if (typeof version === "number") outcome.versions.set(account.id, Math.max(outcome.versions.get(account.id) ?? 0, version));
    }
    const code = reply.errors?.[0]?.extensions?.code;
    if (!reply.errors) outcome.counts.ok++;
    else if (code === "SERVICE_UNAVAILABLE") outcome.counts.refused++;
    else if (code !== "BILLING_CONTACT_LIMIT") outcome.unexpected.push(JSON.stringify(reply.errors));
  };
  for (let start = 0; start < operations; start += 8) {
    await Promise.all(Array.from({ length: Math.min(8, operations - start) }, (_, offset) => one(start + offset)));
  }
}

function emptyOutcome(): Outcome {
  return {
    created: new Map(),
    refusedNames: [],
    versions: new Map(),
    provisioned: [],
    refusedUsers: [],
    counts: { ok: 0, refused: 0 },
    unexpected: [],
  };
}

async function setUp(send: Send, admin: string, tokenOf: (email: string) => Promise<string>): Promise<Fixture> {
  const accounts: Fixture["accounts"] = [];
  for (const name of ["Fault One", "Fault Two"]) {
    const created = await send(
      `mutation($name: String!) { createAccount(input: { name: $name }) { account { id primaryContact { id } } } }`,
      { name },
      admin,
    );
    const id = created.data!.createAccount.account.id as string;
    const members = [created.data!.createAccount.account.primaryContact.id as string];
    for (let index = 0; index < 4; index++) {
      const email = `${name.replace(" ", "").toLowerCase()}-member-${index}@example.com`;
      const memberToken = await tokenOf(email);
      const viewer = await send("{ viewer { id } }", {}, memberToken);
      const invited = await send(
        `mutation($a: ID!, $e: String!) { addAccountMember(input: { accountId: $a, email: $e }) { invitation { id } } }`,
        { a: id, e: email },
        admin,
      );
      await send(
        `mutation($i: ID!) { acceptInvitation(input: { invitationId: $i }) { member { role } } }`,
        { i: invited.data!.addAccountMember.invitation.id },
        memberToken,
      );
      members.push(viewer.data!.viewer.id);
    }
    accounts.push({ id, members });
  }
  return { admin, tokenOf, accounts };
}

/**
 * After a restart: every acknowledged write is there, every refused one left nothing, history replays
 * to the state. The API names accounts by global id, the tables by their key: rows are compared by
 * the global id of theirs.
 */
async function expectOutcomeKept(query: SqlQuery, outcome: Outcome): Promise<void> {
  const accounts = new Map(
    (await query(`SELECT "id", "name", "contactsVersion" FROM "accounts"`)).map((row) => [
      row.name as string,
      { id: globalId("Account", row.id as string), contactsVersion: Number(row.contactsVersion) },
    ]),
  );
  for (const [name, id] of outcome.created) expect(accounts.get(name)?.id, `acknowledged account ${name.slice(0, 20)}`).to.equal(id);
  for (const name of outcome.refusedNames) expect(accounts.has(name), `refused account ${name.slice(0, 20)} left behind`).to.equal(false);
  const byId = new Map([...accounts.values()].map((row) => [row.id, row.contactsVersion]));
  for (const [id, version] of outcome.versions) expect(byId.get(id), `contactsVersion of ${id}`).to.be.at.least(version);
  const history = await query(`SELECT "accountId", COUNT(*) AS "rows" FROM "contact_changes" GROUP BY "accountId"`);
  for (const row of history)
    expect(Number(row.rows), `history rows of ${row.accountId}`).to.equal(byId.get(globalId("Account", row.accountId as string)));
  const users = new Set((await query(`SELECT "email" FROM "users"`)).map((row) => row.email as string));
  for (const email of outcome.provisioned) expect(users.has(email), `acknowledged user ${email}`).to.equal(true);
  for (const email of outcome.refusedUsers) expect(users.has(email), `refused user ${email} left behind`).to.equal(false);
  const report = await checkContactInvariants(query);
  expect(report.problems).to.deep.equal([]);
}

/** /healthz until it answers 200, for at most `ms` (it probes a failing writer at most once a second). */
async function healthyWithin(url: string, ms = 5000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
    if ((await health(url)).status === 200) return true;
  }
  return false;
}

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url.replace(/\/graphql$/, "/healthz"));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const viaServer =
  (server: TestServer): Send =>
  (query, variables, token) =>
    server.graphql(query, variables, token);

(postgres ? describe.skip : describe)("storage faults on SQLite", function () {
  this.timeout(120_000);
  let directory: string;

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-faults-"));
  });
  after(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("refuses writes once the file is full, keeps nothing of them, keeps every acknowledged one across a restart, and writes again once there is room", async () => {
    const file = path.join(directory, "full.sqlite");
    const databaseUrl = `sqlite:${file}`;
    let server = await startTestServer({ databaseUrl, env: NO_RATE_LIMIT });
    const admin = await tokenFor("full-admin@example.com");
    const fixture = await setUp(viaServer(server), admin, (email) => tokenFor(email));
    const outcome = emptyOutcome();
    try {
      // The file may grow by a few pages only: the load below needs far more.
      const [{ page_count: pages }] = (await server.db.dataSource.query("PRAGMA page_count")) as { page_count: number }[];
      await server.db.dataSource.query(`PRAGMA max_page_count = ${pages + 6}`);
      await writeLoad(viaServer(server), fixture, 160, new Random(7), "Full", outcome);
      expect(outcome.unexpected).to.deep.equal([]);
      expect(outcome.counts.refused, "writes refused while the file is full").to.be.greaterThan(20);

      const failing = await health(server.url);
      expect(failing.status).to.equal(503);
      expect(failing.body).to.include({ status: "unavailable", reads: "ok", writes: "failing" });

      // What the live server says it has is what it acknowledged.
      const listed = ok(await server.graphql<{ accounts: { totalCount: number } }>("{ accounts(first: 1) { totalCount } }", {}, admin));
      expect(listed.accounts.totalCount).to.equal(fixture.accounts.length + outcome.created.size);

      // Room again: the writer recovers by itself, and /healthz says so.
      await server.db.dataSource.query("PRAGMA max_page_count = 1073741823");
      expect(await healthyWithin(server.url), "healthy again").to.equal(true);
      const name = `After the fault ${LONG}`;
      const created = ok(
        await server.graphql<{ createAccount: { account: { id: string } } }>(
          `mutation($name: String!) { createAccount(input: { name: $name }) { account { id } } }`,
          { name },
          admin,
        ),
      );
      outcome.created.set(name, created.createAccount.account.id);
      const found = ok(
        await server.graphql<{ account: { name: string } }>(
          `query($id: ID!) { account(id: $id) { name } }`,
          { id: created.createAccount.account.id },
          admin,
        ),
      );
      expect(found.account.name).to.equal(name);
    } finally {
      await server.close();
    }

    await withSqliteFile(file, async (query) => {
      expect(await query("PRAGMA integrity_check")).to.deep.equal([{ integrity_check: "ok" }]);
      await expectOutcomeKept(query, outcome);
    });
    server = await startTestServer({ databaseUrl, env: NO_RATE_LIMIT });
    try {
      const listed = ok(await server.graphql<{ accounts: { totalCount: number } }>("{ accounts(first: 1) { totalCount } }", {}, admin));
      expect(listed.accounts.totalCount).to.equal(fixture.accounts.length + outcome.created.size);
    } finally {
      await server.close();
    }
  });

  it("waits for another connection's write lock instead of failing a change that reads before it writes", async () => {
    const databaseUrl = `sqlite:${path.join(directory, "locked.sqlite")}`;
    const server = await startTestServer({ databaseUrl, env: NO_RATE_LIMIT });
    try {
      const admin = await tokenFor("lock-admin@example.com");
      const fixture = await setUp(viaServer(server), admin, (email) => tokenFor(email));
      const [account] = fixture.accounts;
      await withSqliteFile(databaseUrl.slice("sqlite:".length), async (query) => {
        await query("BEGIN IMMEDIATE");
        await query(`UPDATE "accounts" SET "updatedAt" = "updatedAt"`);
        // A new user's first request reads before it writes, as do contact changes; the lock is held for 400 ms.
        const changes = [
          ...["a", "b", "c"].map(async (name) => server.graphql("{ viewer { id } }", {}, await tokenFor(`locked-${name}@example.com`))),
          ...account!.members.map((userId) =>
            server.graphql(
              `mutation($a: ID!, $u: ID!) { setPrimaryContact(input: { accountId: $a, userId: $u }) { account { contactsVersion } } }`,
              { a: account!.id, u: userId },
              admin,
            ),
          ),
        ];
        // The same through the data layer: a transaction whose first statement reads.
        const readThenWrite = server.db.write(async (manager) => {
          await manager.query(`SELECT COUNT(*) FROM "users"`);
          await manager.query(`UPDATE "accounts" SET "updatedAt" = "updatedAt"`);
        });
        await new Promise((resolve) => setTimeout(resolve, 400));
        await query("COMMIT");
        await readThenWrite;
        for (const reply of await Promise.all(changes)) expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
      });
    } finally {
      await server.close();
    }
  });

  it("refuses writes on an I/O error, keeps every acknowledged one through a SIGKILL, and writes again once the error is gone", async () => {
    const file = path.join(directory, "ioerror.sqlite");
    const secret = "storage-fault-secret-long-enough-0000000";
    const env = {
      DATABASE_URL: `sqlite:${file}`,
      NODE_ENV: "test",
      SEED_DEMO_DATA: "false",
      AUTH_JWT_SECRET: secret,
      MAIL_LOG_FILE: path.join(directory, "mail.log"),
      // The mail worker's claims are writes too small to reach the size limit: one landing between the
      // load and the health check would rightly report the writer working again.
      OUTBOX_POLL_MS: "600000",
      ...NO_RATE_LIMIT,
    };
    // A write past the file-size limit fails with EFBIG (SQLite: an I/O error) instead of killing the process.
    const ignoringXfsz = (node: string, main: string): [string, string[]] => ["/bin/sh", ["-c", `trap '' XFSZ; exec "${node}" "${main}"`]];
    let server: ServerProcess | null = await spawnServer(env, "listening on", 20_000, ignoringXfsz);
    const token = (email: string) => signToken(secret, { email });
    const send: Send = (query, variables, bearer) => postGraphQL(server!.url, query, bearer, variables);
    const fixture = await setUp(send, await token("io-admin@example.com"), token);
    const outcome = emptyOutcome();
    try {
      const pid = String(server.child.pid);
      const wal = fs.statSync(`${file}-wal`).size;
      execFileSync("prlimit", ["--pid", pid, `--fsize=${wal + 24 * 1024}:`]);
      await writeLoad(send, fixture, 120, new Random(11), "Io", outcome);
      expect(outcome.unexpected).to.deep.equal([]);
      expect(outcome.counts.refused, "writes refused on I/O errors").to.be.greaterThan(20);
      // A write small enough to fit under the limit succeeds, and rightly tells the writer it works:
      // the health check is read right after one that did not fit.
      for (let attempt = 0; attempt < 50; attempt++) {
        const name = `Io last ${attempt} ${"x".repeat(180)}`;
        const reply = await send(
          `mutation($name: String!) { createAccount(input: { name: $name }) { account { id } } }`,
          { name },
          fixture.admin,
        );
        if (reply.data?.createAccount) outcome.created.set(name, reply.data.createAccount.account.id);
        if (reply.errors?.[0]?.extensions?.code === "SERVICE_UNAVAILABLE") break;
      }
      expect((await health(server.url)).body).to.include({ writes: "failing" });

      execFileSync("prlimit", ["--pid", pid, "--fsize=unlimited:"]);
      expect(await healthyWithin(server.url), "healthy again").to.equal(true);
      const name = `After the I/O error ${LONG}`;
      const created = await send(
        `mutation($name: String!) { createAccount(input: { name: $name }) { account { id } } }`,
        { name },
        fixture.admin,
      );
      expect(created.errors).to.equal(undefined);
      outcome.created.set(name, created.data.createAccount.account.id);
    } finally {
      server.child.kill("SIGKILL");
      await server.exited;
      server = null;
    }

    await withSqliteFile(file, async (query) => {
      expect(await query("PRAGMA integrity_check")).to.deep.equal([{ integrity_check: "ok" }]);
      await expectOutcomeKept(query, outcome);
    });
  });
});

(postgres ? describe : describe.skip)("storage faults on PostgreSQL", function () {
  this.timeout(120_000);
  let server: TestServer;
  let admin: pg.Client;

  beforeEach(async () => {
    server = await startTestServer({ env: NO_RATE_LIMIT });
    admin = new pg.Client({ connectionString: (server.db.dataSource.options as { url: string }).url, application_name: "fault-injector" });
    await admin.connect();
  });
  afterEach(async () => {
    await admin.end();
    await server.close();
  });

  const database = () => (server.db.dataSource.options as { url: string }).url.split("/").pop()!.split("?")[0]!;

  // Idle pooled connections are killed too: one dropped under the pool must not take the process down.
  it("answers every write killed mid-transaction with SERVICE_UNAVAILABLE, keeps every acknowledged one, and recovers", async () => {
    const token = await tokenFor("pg-fault-admin@example.com");
    const fixture = await setUp(viaServer(server), token, (email) => tokenFor(email));
    const outcome = emptyOutcome();
    let killing = true;
    let killed = 0;
    const killer = (async () => {
      while (killing) {
        const result = await admin.query(
          `SELECT pg_terminate_backend("pid") AS "done" FROM pg_stat_activity
           WHERE "datname" = $1 AND "application_name" = 'contact-points'`,
          [database()],
        );
        killed += result.rows.filter((row) => row.done).length;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    try {
      await writeLoad(viaServer(server), fixture, 240, new Random(13), "Pg", outcome);
    } finally {
      killing = false;
      await killer;
    }
    expect(outcome.unexpected).to.deep.equal([]);
    expect(killed, "connections killed").to.be.greaterThan(0);
    expect(outcome.counts.refused, "writes refused").to.be.greaterThan(0);

    expect(await healthyWithin(server.url), "healthy again").to.equal(true);
    const after = ok(
      await server.graphql<{ createAccount: { account: { id: string } } }>(
        `mutation { createAccount(input: { name: "After the kills" }) { account { id } } }`,
        {},
        token,
      ),
    );
    expect(after.createAccount.account.id).to.be.a("string");
    await expectOutcomeKept(async (sql) => (await admin.query(sql)).rows, outcome);
  });

  it("tells a committed transaction from an aborted one by its id, as it does when a connection dies during COMMIT", async () => {
    const xidOf = async () => ((await admin.query("SELECT txid_current()::text AS xid")).rows[0] as { xid: string }).xid;
    await admin.query("BEGIN");
    const kept = await xidOf();
    await admin.query("COMMIT");
    await admin.query("BEGIN");
    const dropped = await xidOf();
    await admin.query("ROLLBACK");
    expect(await server.db.committed(kept)).to.equal(true);
    expect(await server.db.committed(dropped)).to.equal(false);
  });

  it("refuses a write whose connection died during COMMIT before it committed, keeping nothing, and writes again", async () => {
    const token = await tokenFor("pg-commit-admin@example.com");
    ok(await server.graphql("{ viewer { id } }", {}, token));
    // A deferred trigger makes COMMIT take half a second, long enough to kill the connection during it.
    await admin.query(
      `CREATE FUNCTION slow_commit() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$ LANGUAGE plpgsql`,
    );
    await admin.query(
      `CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON "accounts" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`,
    );
    const pending = server.graphql(`mutation { createAccount(input: { name: "Killed during commit" }) { account { id } } }`, {}, token);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const killed = await admin.query(
      `SELECT pg_terminate_backend("pid") AS "done" FROM pg_stat_activity WHERE "datname" = $1 AND "application_name" = 'contact-points' AND "query" = 'COMMIT'`,
      [database()],
    );
    expect(killed.rows.length, "a connection in COMMIT").to.equal(1);
    const reply = await pending;
    expect(reply.errors?.[0]?.extensions?.code, JSON.stringify(reply)).to.equal("SERVICE_UNAVAILABLE");
    const rows = await admin.query(`SELECT 1 FROM "accounts" WHERE "name" = 'Killed during commit'`);
    expect(rows.rowCount).to.equal(0);
    await admin.query(`DROP TRIGGER slow_commit ON "accounts"`);
    const after = ok(
      await server.graphql<{ createAccount: { account: { id: string } } }>(
        `mutation { createAccount(input: { name: "After the commit kill" }) { account { id } } }`,
        {},
        token,
      ),
    );
    expect(after.createAccount.account.id).to.be.a("string");
  });

  it("says a change was saved when it was, although reading its answer back then failed", async () => {
    const quick = await startTestServer({ env: { ...NO_RATE_LIMIT, DATABASE_STATEMENT_TIMEOUT_MS: "500" } });
    const url = (quick.db.dataSource.options as { url: string }).url;
    // Another session holds a table the answer reads (contact health) for longer than the statement timeout.
    const locker = new pg.Client({ connectionString: url, application_name: "fault-injector" });
    await locker.connect();
    try {
      const token = await tokenFor("pg-saved-admin@example.com");
      ok(await quick.graphql("{ viewer { id } }", {}, token));
      await locker.query("BEGIN");
      await locker.query(`LOCK TABLE "delivery_status" IN ACCESS EXCLUSIVE MODE`);
      const reply = await quick.graphql(
        `mutation { createAccount(input: { name: "Saved before the read" }) { account { id contactHealth { needsAttention } } } }`,
        {},
        token,
      );
      await locker.query("ROLLBACK");
      const error = reply.errors?.[0];
      expect(error?.extensions?.code, JSON.stringify(reply)).to.equal("SERVICE_UNAVAILABLE");
      expect(error?.extensions?.changeSaved).to.equal(true);
      expect(error?.message).to.match(/^The change was saved/);
      const rows = await locker.query(`SELECT 1 FROM "accounts" WHERE "name" = 'Saved before the read'`);
      expect(rows.rowCount, "the account the answer said was saved").to.equal(1);
    } finally {
      await locker.end();
      await quick.close();
    }
  }).timeout(60_000);
});

describe("the writer's health", () => {
  it("reports the writer failing while the disk holding a SQLite file has less room than HEALTH_MIN_FREE_DISK_MB", async function () {
    if (postgres) this.skip();
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-disk-"));
    // No disk has a million terabytes free: the check must say so.
    const server = await startTestServer({
      databaseUrl: `sqlite:${path.join(directory, "db.sqlite")}`,
      env: { HEALTH_MIN_FREE_DISK_MB: "1048576" },
    });
    try {
      const answer = await health(server.url);
      expect(answer.status).to.equal(503);
      expect(answer.body).to.include({ reads: "ok", writes: "failing" });
      expect(answer.body.lowDiskSpace).to.equal(true);
      // How much room the disk has is nobody's business but the operator's.
      expect(JSON.stringify(answer.body)).to.not.match(/free|bytes|\d{4,}/i);
    } finally {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
    const roomy = await startTestServer({ databaseUrl: `sqlite:${path.join(directory, "db.sqlite")}` });
    try {
      expect((await health(roomy.url)).status, "with the default of 8 MB").to.equal(200);
    } finally {
      await roomy.close();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
