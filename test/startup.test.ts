import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { jwtVerify } from "jose";
import { MAIN, ROOT, postGraphQL, runToEnd, spawnServer } from "./helpers/process";

const SECRET = "startup-test-secret-long-enough-for-hs256";
const CONSOLE_QUERY = `{ accounts(first: 5) { edges { node { id name primaryContact { email } billingContacts { id email } } } } }`;

describe("starting the server", function () {
  this.timeout(60_000);
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-startup-"));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  it("refuses to start in production without AUTH_JWT_SECRET, with a one-line reason", async () => {
    const result = await runToEnd([MAIN], { NODE_ENV: "production", DATABASE_URL: `sqlite:${path.join(directory, "db.sqlite")}` });
    expect(result.code).to.equal(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines).to.have.lengthOf(1);
    expect(lines[0]).to.contain("AUTH_JWT_SECRET");
  });

  it("migrates an empty database, loads demo data, prints a working token, and keeps data across a restart", async () => {
    const env = { DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`, AUTH_JWT_SECRET: SECRET, NODE_ENV: "development" };
    const first = await spawnServer(env, "Authorization: Bearer ");
    let token: string;
    try {
      const printed = /Authorization: Bearer (\S+)/.exec(first.output());
      expect(printed, first.output()).to.not.equal(null);
      token = printed![1]!;
      expect(first.output()).to.contain(first.url);
      const health = await fetch(first.url.replace("/graphql", "/healthz"));
      expect(health.status).to.equal(200);

      const before = await postGraphQL(first.url, CONSOLE_QUERY, token);
      const accounts = before.data.accounts.edges.map((edge: any) => edge.node);
      expect(accounts.map((account: any) => account.name)).to.include.members(["Northwind Traders", "Acme Analytics", "Globex Logistics"]);
      const acme = accounts.find((account: any) => account.name === "Acme Analytics");
      expect(acme.billingContacts).to.have.lengthOf(3);

      // A change made before the restart must be there after it.
      const removed = await postGraphQL(
        first.url,
        `mutation($input: BillingContactInput!) { removeBillingContact(input: $input) { billingContacts { id } } }`,
        token,
        { input: { accountId: acme.id, userId: acme.billingContacts[0].id } },
      );
      expect(removed.data.removeBillingContact.billingContacts).to.have.lengthOf(2);
    } finally {
      first.child.kill("SIGTERM");
    }
    expect(await first.exited).to.equal(0);
    expect(first.output()).to.contain("SIGTERM");

    const second = await spawnServer(env);
    try {
      expect(second.output()).to.not.contain("Applied migrations");
      expect(second.output()).to.not.contain("Loaded the demo accounts");
      const after = await postGraphQL(second.url, CONSOLE_QUERY, token!);
      const accounts = after.data.accounts.edges.map((edge: any) => edge.node);
      expect(accounts).to.have.lengthOf(3);
      expect(accounts.find((account: any) => account.name === "Acme Analytics").billingContacts).to.have.lengthOf(2);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  });

  it("seeds nothing and prints no token in production", async () => {
    const server = await spawnServer({
      DATABASE_URL: `sqlite:${path.join(directory, "prod.sqlite")}`,
      AUTH_JWT_SECRET: SECRET,
      NODE_ENV: "production",
      MAIL_TRANSPORT: "file",
      MAIL_LOG_FILE: path.join(directory, "mail.log"),
    });
    try {
      expect(server.output()).to.not.contain("Bearer");
      const token = (await runToEnd([path.join(ROOT, "dist", "src", "scripts", "token.js"), "--email", "Someone@Example.com"], { AUTH_JWT_SECRET: SECRET })).stdout.trim();
      const result = await postGraphQL(server.url, "{ accounts { totalCount } viewer { email } }", token);
      expect(result.data).to.deep.equal({ accounts: { totalCount: 0 }, viewer: { email: "someone@example.com" } });
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("prints a token signed with the configured secret from `npm run token`", async () => {
    const result = await runToEnd([path.join(ROOT, "dist", "src", "scripts", "token.js"), "--email", "Dev@Example.com", "--name", "Dev"], { AUTH_JWT_SECRET: SECRET });
    expect(result.code).to.equal(0);
    const { payload, protectedHeader } = await jwtVerify(result.stdout.trim(), new TextEncoder().encode(SECRET));
    expect(protectedHeader.alg).to.equal("HS256");
    expect(payload).to.include({ email: "dev@example.com", name: "Dev" });
    expect(payload.exp).to.be.a("number");
    const refused = await runToEnd([path.join(ROOT, "dist", "src", "scripts", "token.js"), "--email", "nope"], { AUTH_JWT_SECRET: SECRET });
    expect(refused.code).to.equal(2);
  });
});
