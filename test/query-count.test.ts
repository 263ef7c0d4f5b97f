import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { Database } from "../src/database";
import { startTestServer, freshDatabaseUrl, testDatabaseUrl, tokenFor, type TestServer } from "./helpers/server";
import { encodeCursor } from "../src/common/pagination";
import { ok } from "./helpers/factories";
import { seedDataset, type Dataset } from "./helpers/dataset";
import { StatementCounter } from "./helpers/statement-counter";

const CONSOLE_QUERY = `{ accounts(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node {
  id primaryContact { email } billingContacts { email } roleContacts { user { email } }
  members(first: 10) { edges { node { user { email } } } }
} } } }`;

/** Every per-account relation at once: each must be batched across the accounts listed. */
const WIDE_CONSOLE_QUERY = `{ accounts(first: 100) { totalCount edges { node {
  id viewerRole primaryContact { email } billingContacts { email }
  roleContacts { role email user { email } updatedBy { email } }
  notificationRecipients(category: SECURITY) { email user { id } }
  members(first: 5) { totalCount edges { node { role user { email } } } }
  contactHistory(first: 5) { totalCount edges { node { slot actor { email } } } }
} } } }`;

const SETTINGS_QUERY = `query($id: ID!) { account(id: $id) {
  id name viewerRole contactsVersion
  primaryContact { id email name } billingContacts { id email name }
  roleContacts { role email isExternal updatedAt user { id email } updatedBy { email } }
  members(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id role joinedAt displayName user { id email name } } } }
  notificationRecipients(category: RENEWAL) { email reasons user { id } }
  contactHistory(first: 20) { totalCount edges { node { id at slot action previousEmail newEmail actor { email } } } }
} }`;

const cursorAfterFirstMember = encodeCursor([new Date(Date.UTC(2025, 0, 1)).toISOString(), "00000000-0000-0000-0000-000000000000"]);

interface ConsoleData {
  accounts: {
    edges: {
      node: {
        primaryContact: { email: string };
        billingContacts: { email: string }[];
        roleContacts: { user: { email: string } | null }[];
        members: { edges: { node: { user: { email: string } } }[] };
      };
    }[];
  };
}

interface Seeded {
  server: TestServer;
  counter: StatementCounter;
  dataset: Dataset;
  token: string;
}

async function seededServer(accounts: number, membersPerAccount: number, historyChurnPairs = 2, databaseUrl?: string): Promise<Seeded> {
  const counter = new StatementCounter(true);
  const db = await Database.open({ databaseUrl: databaseUrl ?? (await freshDatabaseUrl()), logger: counter });
  const server = await startTestServer({ db });
  const viewerEmail = "console@bench.example";
  const dataset = await seedDataset(db, { accounts, membersPerAccount, historyChurnPairs, viewerEmail });
  return { server, counter, dataset, token: await tokenFor(viewerEmail) };
}

/** The tables a statement reads in full, from SQLite's plan: `SCAN x` that is not a materialised subquery. */
async function tableScans(db: Database, sql: string): Promise<string[]> {
  const plan: { detail: string }[] = await db.read((m) => m.query(`EXPLAIN QUERY PLAN ${sql}`));
  const subqueries = new Set(plan.flatMap(({ detail }) => /^(?:MATERIALIZE|CO-ROUTINE) (\S+)/.exec(detail)?.slice(1) ?? []));
  return plan
    .map(({ detail }) => /^SCAN (\S+)/.exec(detail)?.[1])
    .filter((name): name is string => name !== undefined && !subqueries.has(name) && !name.startsWith("(subquery"));
}

async function counted<TData>(seeded: Seeded, query: string, variables: Record<string, unknown> = {}) {
  const { result, statements, sql } = await seeded.counter.during(() => seeded.server.graphql<TData>(query, variables, seeded.token));
  return { data: ok(result), statements, sql };
}

describe("query count", () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const server of servers) {
      await server.close();
      await server.db.close();
    }
  });

  async function start(accounts: number, membersPerAccount: number, historyChurnPairs?: number, databaseUrl?: string): Promise<Seeded> {
    const seeded = await seededServer(accounts, membersPerAccount, historyChurnPairs, databaseUrl);
    servers.push(seeded.server);
    return seeded;
  }

  it("answers the 100-account console query with the same handful of statements for 1, 10 and 100 accounts", async () => {
    const counts: number[] = [];
    const wideCounts: number[] = [];
    for (const size of [1, 10, 100]) {
      const seeded = await start(size, 12);
      const wide = await counted<{ accounts: { totalCount: number } }>(seeded, WIDE_CONSOLE_QUERY);
      expect(wide.data.accounts.totalCount).to.equal(size);
      wideCounts.push(wide.statements);
      const { data, statements, sql } = await counted<ConsoleData>(seeded, CONSOLE_QUERY);
      expect(data.accounts.edges).to.have.lengthOf(size);
      for (const { node } of data.accounts.edges) {
        expect(node.billingContacts).to.have.lengthOf(2);
        expect(node.roleContacts).to.have.lengthOf(4);
        expect(node.members.edges).to.have.lengthOf(10);
        expect(node.members.edges[0]!.node.user.email).to.equal("console@bench.example");
      }
      expect(statements, `${size} accounts:\n${sql.join("\n")}`).to.be.at.most(8);
      counts.push(statements);
    }
    expect(counts[1], "10 accounts vs 1").to.equal(counts[0]);
    expect(counts[2], "100 accounts vs 1").to.equal(counts[0]);
    expect(wideCounts, "every relation of 1, 10 and 100 accounts").to.deep.equal([wideCounts[0], wideCounts[0], wideCounts[0]]);
    expect(wideCounts[0]).to.be.at.most(11);
  });

  it("answers the settings-page query with the same statements however many members and changes the account has", async () => {
    const small = await start(3, 9, 0);
    const large = await start(3, 60, 30);
    const [few, many] = await Promise.all(
      [small, large].map((seeded) =>
        counted<{ account: { members: { totalCount: number }; contactHistory: { totalCount: number } } }>(seeded, SETTINGS_QUERY, {
          id: seeded.dataset.accounts[1]!.id,
        }),
      ),
    );
    expect(few!.data.account.members.totalCount).to.equal(9);
    expect(many!.data.account.members.totalCount).to.equal(60);
    expect(many!.data.account.contactHistory.totalCount).to.equal(68);
    expect(many!.statements, many!.sql.join("\n")).to.equal(few!.statements);
    expect(many!.statements).to.be.at.most(8);
  });

  it("gives the same answers and counts on a SQLite file, read through its read-only connection, and sees each write", async function () {
    if (!testDatabaseUrl().startsWith("sqlite:")) this.skip();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "query-count-"));
    try {
      const inMemory = await start(10, 12);
      const onFile = await start(10, 12, 2, `sqlite:${path.join(folder, "contacts.sqlite")}`);
      const memoryAnswer = await counted<ConsoleData>(inMemory, CONSOLE_QUERY);
      const first = await counted<ConsoleData>(onFile, CONSOLE_QUERY);
      const again = await counted<ConsoleData>(onFile, CONSOLE_QUERY);
      expect(first.statements).to.equal(memoryAnswer.statements);
      expect(again.data, "statements prepared once answer alike").to.deep.equal(first.data);
      expect(first.data.accounts.edges.map(({ node }) => node.members.edges.length)).to.deep.equal(Array(10).fill(10));
      const account = onFile.dataset.accounts[4]!;
      const read = () => counted<{ account: { primaryContact: { id: string } } }>(onFile, SETTINGS_QUERY, { id: account.id });
      expect((await read()).data.account.primaryContact.id).to.equal(account.memberIds[1]);
      const change = await onFile.server.graphql(
        `mutation($input: SetPrimaryContactInput!) { setPrimaryContact(input: $input) { account { primaryContact { id } } } }`,
        { input: { accountId: account.id, userId: account.memberIds[0] } },
        onFile.token,
      );
      expect(ok(change)).to.deep.equal({ setPrimaryContact: { account: { primaryContact: { id: account.memberIds[0] } } } });
      expect((await read()).data.account.primaryContact.id).to.equal(account.memberIds[0]);
    } finally {
      for (const server of servers.splice(-2)) {
        await server.close();
        await server.db.close();
      }
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("writes setPrimaryContact, its history row and its event in 10 statements on SQLite and 8 on PostgreSQL, the viewer's lookup included", async () => {
    const seeded = await start(3, 10, 0);
    const account = seeded.dataset.accounts[1]!;
    const events = () =>
      seeded.server.db.read((m) => m.query(`SELECT COUNT(*) AS "count" FROM "account_events"`)).then((rows) => Number(rows[0].count));
    const before = await events();
    const versions: number[] = [];
    for (const userId of [account.memberIds[0], account.memberIds[1]]) {
      const { data, statements, sql } = await counted<{ setPrimaryContact: { account: { contactsVersion: number } } }>(
        seeded,
        `mutation($input: SetPrimaryContactInput!) { setPrimaryContact(input: $input) { account { id contactsVersion } } }`,
        { input: { accountId: account.id, userId } },
      );
      versions.push(data.setPrimaryContact.account.contactsVersion);
      expect(statements, sql.join("\n")).to.equal(testDatabaseUrl().startsWith("sqlite:") ? 10 : 8);
    }
    expect(versions[1]).to.equal(versions[0]! + 1);
    expect(await events()).to.equal(before + 2);
  });

  it("reads through an index in every statement of the console and settings queries", async function () {
    if (!testDatabaseUrl().startsWith("sqlite:")) this.skip(); // the plan is read in SQLite's words
    const seeded = await start(20, 12);
    const statements = [
      ...(await counted(seeded, WIDE_CONSOLE_QUERY)).sql,
      ...(await counted(seeded, SETTINGS_QUERY, { id: seeded.dataset.accounts[3]!.id })).sql,
      ...(
        await counted(
          seeded,
          `{ accounts(first: 5) { edges { node { members(first: 3, after: "${cursorAfterFirstMember}") { totalCount } } } } }`,
        )
      ).sql,
    ];
    expect(statements.length).to.be.above(15);
    for (const sql of statements) expect(await tableScans(seeded.server.db, sql), sql).to.deep.equal([]);
  });
});
