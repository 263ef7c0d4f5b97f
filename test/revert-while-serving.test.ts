import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Database } from "../src/database";
import { sql } from "../src/common/sql";
import { PREVIOUS_RELEASE_LAST_MIGRATION } from "./helpers/previous-release";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, type TestServer } from "./helpers/server";
import { createAccount, signIn } from "./helpers/factories";

describe("a schema reverted under a running server", () => {
  let url: string;
  let directory: string | null = null;
  let server: TestServer;

  before(async () => {
    if (testDatabaseUrl().startsWith("sqlite:")) {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-revert-serving-"));
      url = `sqlite:${path.join(directory, "contacts.sqlite")}`;
    } else {
      url = await freshDatabaseUrl();
    }
    server = await startTestServer({ databaseUrl: url });
  });
  after(async () => {
    await server?.close();
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    else await dropTestDatabase(url);
  });

  it("answers a read whose statement no longer prepares with an error, not a crash", async () => {
    const missing = await server.db.select(sql`SELECT 1 FROM "no_such_table"`).then(
      () => null,
      (error: Error) => error,
    );
    expect(missing?.message).to.match(/no_such_table|does not exist/);
    expect((await server.db.select(sql`SELECT 1 AS "one"`))[0]).to.deep.equal({ one: 1 });
  });

  it("keeps answering, with errors in JSON, after another process reverts the migrations under it", async () => {
    const admin = await signIn(server, "revert-admin@example.com");
    const account = await createAccount(server, admin, "Reverted under the server");
    const screen = `query($id: ID!) { account(id: $id) { name settingChanges(first: 5) { totalCount } } }`;
    expect((await server.graphql(screen, { id: account.id }, admin.token)).errors).to.equal(undefined);

    // As `npm run migrate -- --to …` from another process: a connection of its own.
    const operator = await Database.open({ databaseUrl: url });
    try {
      expect(await operator.revertTo(PREVIOUS_RELEASE_LAST_MIGRATION)).to.not.deep.equal([]);
    } finally {
      await operator.close();
    }
    const answer = await server.graphql(screen, { id: account.id }, admin.token);
    expect(answer.status).to.equal(200);
    expect(answer.errors?.[0]?.extensions?.code).to.be.oneOf(["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"]);
    // The process is still here to answer the next request.
    const health = await fetch(server.url.replace(/\/graphql$/, "/healthz"));
    expect([200, 503]).to.include(health.status);
  });
});
