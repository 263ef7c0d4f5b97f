import "reflect-metadata";
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import sqlite3 from "sqlite3";
import { Database, MIGRATIONS, type MigrationStep } from "../../src/database";
import { selectRows, sql } from "../../src/common/sql";
import {
  createPreviousReleaseDatabase,
  generatedAccountId,
  PREVIOUS_RELEASE_MIGRATIONS,
  previousReleaseReads,
  REALISTIC_SIZES,
} from "../helpers/previous-release";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, tokenFor, type TestServer } from "../helpers/server";

/** The previous release's request timeout on PostgreSQL; its SQLite reader waited as long for a lock. */
const PREVIOUS_RELEASE_STATEMENT_TIMEOUT_MS = 15_000;
const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/** The migration after which the previous release can no longer read an account's contacts: it must be stopped before it runs. */
const CONTACT_SLOTS = "ContactSlots1797400000000";
/** The previous release's reads of the contact shapes that migration replaces. */
const READS_OF_OLD_CONTACT_SHAPES = /"role_contacts"|"billing_contacts"|"primaryContactId"/;

interface ReaderReport {
  /** Account screens read in full while the upgrade ran. */
  screens: number;
  failures: string[];
  slowestMs: number;
}

/**
 * The previous release serving reads: one connection set up as its server set them up (PostgreSQL's
 * 15 s statement timeout; SQLite read-only with a 5 s busy timeout), reading account screens in a loop
 * until stopped. A read the upgrade holds up for longer than that fails, as it would have for a user.
 */
async function startPreviousReleaseReader(
  url: string,
  accounts: number,
): Promise<{ retireContactReads(): void; stop(): Promise<ReaderReport> }> {
  const postgres = url.startsWith("postgres");
  let reads = previousReleaseReads(postgres);
  let query: (text: string, parameter: string) => Promise<unknown>;
  let close: () => Promise<void>;
  if (postgres) {
    const client = new pg.Client({ connectionString: url, statement_timeout: PREVIOUS_RELEASE_STATEMENT_TIMEOUT_MS });
    await client.connect();
    query = (text, parameter) => client.query(text, [parameter]);
    close = () => client.end();
  } else {
    const file = url.slice("sqlite:".length);
    const connection = await new Promise<sqlite3.Database>((resolve, reject) => {
      const opened: sqlite3.Database = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) =>
        error ? reject(error) : resolve(opened),
      );
    });
    connection.configure("busyTimeout", SQLITE_BUSY_TIMEOUT_MS);
    query = (text, parameter) =>
      new Promise((resolve, reject) => connection.all(text, [parameter], (error, rows) => (error ? reject(error) : resolve(rows))));
    close = () => new Promise((resolve) => connection.close(() => resolve()));
  }
  const report: ReaderReport = { screens: 0, failures: [], slowestMs: 0 };
  let stopping = false;
  const loop = (async () => {
    for (let n = 0; !stopping; n++) {
      const started = performance.now();
      try {
        for (const text of reads) await query(text, generatedAccountId(((n * 7919) % accounts) + 1));
        report.screens++;
      } catch (error) {
        report.failures.push(error instanceof Error ? error.message : String(error));
      }
      report.slowestMs = Math.max(report.slowestMs, performance.now() - started);
    }
  })();
  return {
    retireContactReads() {
      reads = reads.filter((text) => !READS_OF_OLD_CONTACT_SHAPES.test(text));
    },
    async stop() {
      stopping = true;
      await loop;
      await close();
      return report;
    },
  };
}

describe("upgrading a realistically sized database from the previous release", function () {
  this.timeout(30 * 60_000);
  const sizes = REALISTIC_SIZES;
  let url: string;
  let directory: string | null = null;

  before(async () => {
    if (testDatabaseUrl().startsWith("sqlite:")) {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-upgrade-"));
      url = `sqlite:${path.join(directory, "contacts.sqlite")}`;
    } else {
      url = await freshDatabaseUrl();
    }
    await createPreviousReleaseDatabase(url, sizes);
  });
  after(async () => {
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    else if (url) await dropTestDatabase(url);
  });

  it("applies every later migration under the request timeout, one log line each, while the previous release keeps reading (its contacts until they move to contact_slots)", async () => {
    const reader = await startPreviousReleaseReader(url, sizes.accounts);
    // As the server opens it, with the request statement timeout (15 s on PostgreSQL) in force.
    const db = await Database.open({ databaseUrl: url });
    const steps: MigrationStep[] = [];
    let applied: string[];
    const started = performance.now();
    try {
      applied = await db.migrate((step) => {
        steps.push(step);
        // As docs/upgrading.md says: from here on, the previous release is stopped. Its other reads go on.
        if (step.migration === CONTACT_SLOTS && step.ms === null) reader.retireContactReads();
      });
    } finally {
      const reads = await reader.stop();
      const upgradeMs = Math.round(performance.now() - started);
      console.log(
        `      upgrade on ${db.driver}: ${upgradeMs} ms; ${reads.screens} account screens read meanwhile, the slowest in ${Math.round(reads.slowestMs)} ms`,
      );
      for (const step of steps) if (step.ms !== null) console.log(`        ${step.migration}: ${step.ms} ms`);
      expect(reads.failures, "reads of the previous release that failed during the upgrade").to.deep.equal([]);
      expect(reads.screens).to.be.greaterThan(0);
    }
    const later = MIGRATIONS.slice(PREVIOUS_RELEASE_MIGRATIONS.length).map((migration) => migration.name);
    expect(applied).to.deep.equal(later);
    // Each migration is announced as it starts and again with its duration when it ends.
    expect(steps.map((step) => `${step.migration} ${step.ms === null ? "start" : "end"}`)).to.deep.equal(
      later.flatMap((name) => [`${name} start`, `${name} end`]),
    );

    const count = async (statement: ReturnType<typeof sql>) => Number((await selectRows(db, statement))[0]!.n);
    const memberships = sizes.users + sizes.extraMemberships;
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "users"`)).to.equal(sizes.users);
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "account_members"`)).to.equal(memberships);
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "outbox_messages"`)).to.equal(sizes.outboxMessages);
    // Every account's primary contact, and every fifth account's outside security contact, are slot rows now.
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "contact_slots" WHERE "slot" = 'PRIMARY'`)).to.equal(sizes.accounts);
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "contact_slots" WHERE "slot" = 'SECURITY' AND "userId" IS NULL`)).to.equal(
      Math.floor(sizes.accounts / 5),
    );
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "contact_verifications"`)).to.equal(Math.floor(sizes.accounts / 5));
    // Admins acted (history names them): signed in, they keep their names. Everyone else's name moves to their only membership, or goes.
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "users" WHERE "signedInAt" IS NOT NULL`)).to.equal(sizes.accounts);
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "users" WHERE "name" IS NOT NULL`)).to.equal(sizes.accounts);
    const singleMembershipUsers = sizes.users - Math.max(sizes.accounts, sizes.extraMemberships);
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "account_members" WHERE "nameGivenByAdmin" IS NOT NULL`)).to.equal(
      singleMembershipUsers,
    );
    expect(
      await count(
        sql`SELECT COUNT(*) AS "n" FROM "account_members" "m" WHERE "m"."nameGivenByAdmin" IS NOT NULL AND "m"."nameGivenByAdmin" NOT LIKE 'User %' AND "m"."nameGivenByAdmin" NOT LIKE 'Line break %'`,
      ),
    ).to.equal(0);
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "users" WHERE "email" LIKE '%@bücher.example'`)).to.equal(0);
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "users" WHERE "email" LIKE '%@xn--bcher-kva.example'`)).to.equal(
      Math.floor((sizes.users - 3) / 5000) + 1,
    );
    expect(await count(sql`SELECT COUNT(*) AS "n" FROM "outbox_messages" WHERE "mailbox" = "email"`)).to.equal(sizes.outboxMessages);
    expect(
      await count(
        sql`SELECT COUNT(*) AS "n" FROM "outbox_messages" WHERE "kind" = 'VERIFICATION' AND "state" <> 'PENDING' AND "body" LIKE 'The text of message %'`,
      ),
    ).to.equal(0);

    // The new release serves the upgraded accounts.
    let server: TestServer | null = null;
    try {
      server = await startTestServer({ db });
      const admin = await tokenFor("user1@example.com", "User 1");
      const answer = await server.graphql(
        `{ accounts(first: 5) { edges { node { name members(first: 50) { totalCount } } } } }`,
        {},
        admin,
      );
      expect(answer.errors).to.equal(undefined);
      const names = answer.data!.accounts.edges.map((edge: { node: { name: string; members: { totalCount: number } } }) => [
        edge.node.name,
        edge.node.members.totalCount,
      ]);
      // User 1 is the admin of account 1 and a member of account 2; each has a tenth of the single memberships and one shared member.
      expect(names).to.have.deep.members([
        ["Account 1", memberships / sizes.accounts],
        ["Account 2", memberships / sizes.accounts],
      ]);
    } finally {
      await server?.close();
      await db.close();
    }
  });
});
