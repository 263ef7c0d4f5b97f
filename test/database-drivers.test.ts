import { expect } from "chai";
import { DatabaseUnavailableError } from "../src/errors";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, type TestServer } from "./helpers/server";
import { testingOnPostgres } from "./helpers/postgres";
import { ConfigError, loadConfig } from "../src/config";
import { Database } from "../src/database";
import { rowIdOf } from "../src/common/global-id";
import { accountWithMembers, failsWith, ok } from "./helpers/factories";

/*
 * Where SQLite and PostgreSQL differ (timestamp precision and zones, COUNT as bigint text, integer
 * ranges), the API must not. These run on whichever database TEST_DATABASE_URL names.
 */
describe("the same answers on every database driver", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const cursor = (key: unknown[]) => Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

  it("returns a written timestamp exactly as the mutation reported it", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "clock");
    const changed = ok(
      await server.graphql(
        `mutation($input: SetPrimaryContactInput!) { setPrimaryContact(input: $input) { account { createdAt updatedAt } } }`,
        { input: { accountId: account.id, userId: members[0]!.id } },
        admin.token,
      ),
    ).setPrimaryContact.account;
    const read = ok(
      await server.graphql(`query($id: ID!) { account(id: $id) { createdAt updatedAt } }`, { id: account.id }, admin.token),
    ).account;
    expect(read).to.deep.equal(changed);
    expect(Date.parse(read.updatedAt)).to.be.within(Date.now() - 60_000, Date.now() + 1000);
  });

  it("pages members one at a time by join time without skipping or repeating anyone", async () => {
    const { admin, account } = await accountWithMembers(server, 5, "pages");
    const all = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { members(first: 100) { edges { node { user { id } joinedAt } } } } }`,
        { id: account.id },
        admin.token,
      ),
    ).account.members.edges.map((edge: { node: { user: { id: string } } }) => edge.node.user.id);
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: any = ok(
        await server.graphql(
          `query($id: ID!, $after: String) { account(id: $id) { members(first: 1, after: $after) { edges { node { user { id } } } pageInfo { hasNextPage endCursor } } } }`,
          { id: account.id, after },
          admin.token,
        ),
      ).account.members;
      paged.push(...page.edges.map((edge: { node: { user: { id: string } } }) => edge.node.user.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(all).to.have.lengthOf(6);
    expect(paged).to.deep.equal(all);
  });

  it("counts with numbers, not the driver's text", async () => {
    const { admin, account } = await accountWithMembers(server, 2, "count");
    const data = ok(
      await server.graphql(
        `query($id: ID!) { accounts { totalCount } account(id: $id) { members { totalCount } contactHistory { totalCount } } }`,
        { id: account.id },
        admin.token,
      ),
    );
    expect(data.accounts.totalCount).to.equal(1);
    expect(data.account.members.totalCount).to.equal(3);
    expect(data.account.contactHistory.totalCount).to.equal(1);
  });

  it("refuses history cursors that are not row ids, and timestamps outside years 1 to 9999, with BAD_USER_INPUT", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "cursors");
    for (const key of [[2_147_483_648], [1.5], [1e30], [0], [-1]]) {
      const response = await server.graphql(
        `query($id: ID!, $after: String) { account(id: $id) { contactHistory(after: $after) { totalCount } } }`,
        { id: account.id, after: cursor(key) },
        admin.token,
      );
      expect(failsWith(response, "BAD_USER_INPUT").extensions?.invalidFields).to.deep.equal([
        { field: "after", message: response.errors![0]!.message },
      ]);
    }
    for (const date of ["-271821-04-20T00:00:00.000Z", "+275760-09-13T00:00:00.000Z", "0000-01-01T00:00:00.000Z"]) {
      // The keys cursors hold: an account's row id, a member's user row id (not global ids).
      const after = cursor([date, rowIdOf(account.id, "Account", "id")]);
      const onAccounts = await server.graphql(`query($after: String) { accounts(after: $after) { totalCount } }`, { after }, admin.token);
      expect(
        failsWith(onAccounts, "BAD_USER_INPUT").extensions?.invalidFields?.map((entry: { field: string }) => entry.field),
      ).to.deep.equal(["after"]);
      const onMembers = await server.graphql(
        `query($id: ID!, $after: String) { account(id: $id) { members(after: $after) { totalCount } } }`,
        { id: account.id, after: cursor([date, rowIdOf(admin.id, "User", "id")]) },
        admin.token,
      );
      expect(
        failsWith(onMembers, "BAD_USER_INPUT").extensions?.invalidFields?.map((entry: { field: string }) => entry.field),
      ).to.deep.equal(["after"]);
    }
    expect(server.logged).to.deep.equal([]);
  });
});

describe("PostgreSQL connection settings", () => {
  it("reads pool size, timeouts and TLS from the environment, with defaults", () => {
    expect(loadConfig({}).database).to.deep.equal({
      poolSize: 10,
      statementTimeoutMs: 15_000,
      connectTimeoutMs: 5000,
      acquireTimeoutMs: 10_000,
      queryTimeoutMs: 17_000,
      ssl: "off",
      sslCaFile: null,
    });
    const set = loadConfig({
      DATABASE_POOL_SIZE: "25",
      DATABASE_STATEMENT_TIMEOUT_MS: "0",
      DATABASE_SSL: "no-verify",
      DATABASE_CONNECT_TIMEOUT_MS: "800",
    }).database;
    expect(set).to.deep.equal({
      poolSize: 25,
      statementTimeoutMs: 0,
      connectTimeoutMs: 800,
      acquireTimeoutMs: 10_000,
      queryTimeoutMs: 0,
      ssl: "no-verify",
      sslCaFile: null,
    });
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: "3000" }).database.queryTimeoutMs).to.equal(5000);
    expect(loadConfig({ DATABASE_SSL: "true" }).database.ssl).to.equal("verify");
  });

  it("refuses settings it cannot honour, naming the variable", () => {
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return (error as Error).message;
      }
      return expect.fail(`accepted ${JSON.stringify(env)}`);
    };
    expect(refused({ DATABASE_POOL_SIZE: "1" })).to.match(/^DATABASE_POOL_SIZE/);
    expect(refused({ DATABASE_POOL_SIZE: "ten" })).to.match(/^DATABASE_POOL_SIZE/);
    expect(refused({ DATABASE_STATEMENT_TIMEOUT_MS: "-5" })).to.match(/^DATABASE_STATEMENT_TIMEOUT_MS/);
    // This side would give up on a slow statement before PostgreSQL cancels it, and leave the connection busy.
    expect(refused({ DATABASE_QUERY_TIMEOUT_MS: "15000" })).to.match(
      /^DATABASE_QUERY_TIMEOUT_MS \(15000\) must be 0 or longer than DATABASE_STATEMENT_TIMEOUT_MS/,
    );
    expect(refused({ DATABASE_CONNECT_TIMEOUT_MS: "soon" })).to.match(/^DATABASE_CONNECT_TIMEOUT_MS/);
    expect(refused({ DATABASE_SSL: "maybe" })).to.match(/^DATABASE_SSL/);
    expect(refused({ DATABASE_SSL_CA: "/nonexistent/ca.pem" })).to.match(/^DATABASE_SSL_CA needs DATABASE_SSL=verify/);
    expect(refused({ DATABASE_SSL: "verify", DATABASE_SSL_CA: "/nonexistent/ca.pem" })).to.match(/does not exist/);
  });

  it("with DATABASE_SSL=verify, will not talk to a server without TLS", async function () {
    if (!testingOnPostgres()) this.skip();
    const error = await Database.open({
      databaseUrl: process.env.TEST_DATABASE_URL!,
      postgres: loadConfig({ DATABASE_SSL: "verify" }).database,
    }).then(
      async (db) => {
        await db.close();
        return null;
      },
      (caught: unknown) => caught,
    );
    expect(String(error)).to.match(/does not support SSL/);
  });

  it("applies the statement timeout to every connection", async function () {
    if (!testingOnPostgres()) this.skip();
    const db = await Database.open({
      databaseUrl: await freshDatabaseUrl(),
      postgres: loadConfig({ DATABASE_STATEMENT_TIMEOUT_MS: "200", DATABASE_POOL_SIZE: "2" }).database,
    });
    try {
      const [setting] = await db.read((manager) => manager.query("SHOW statement_timeout"));
      expect(setting.statement_timeout).to.equal("200ms");
      const error = await db
        .read((manager) => manager.query("SELECT pg_sleep(2)"))
        .then(
          () => null,
          (caught: unknown) => caught,
        );
      // Refused as the database not answering (SERVICE_UNAVAILABLE to a client), with PostgreSQL's cancellation as the cause.
      expect(error).to.be.instanceOf(DatabaseUnavailableError);
      expect((error as { cause?: { driverError?: { code?: string } } }).cause?.driverError?.code, "query_canceled").to.equal("57014");
    } finally {
      await db.close();
      await dropTestDatabase((db.dataSource.options as { url: string }).url);
    }
  });
});
