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
    const env = {
      DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`,
      AUTH_JWT_SECRET: SECRET,
      NODE_ENV: "development",
      DEMO_TOKEN: "true",
    };
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
        `mutation($input: RemoveBillingContactInput!) { removeBillingContact(input: $input) { account { billingContacts { id } } } }`,
        token,
        { input: { accountId: acme.id, userId: acme.billingContacts[0].id } },
      );
      expect(removed.errors).to.equal(undefined);
      expect(removed.data.removeBillingContact.account.billingContacts).to.have.lengthOf(2);
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

  it("prints a demo token valid for 12 hours, not longer, when NODE_ENV is unset (development) and DEMO_TOKEN on", async () => {
    const server = await spawnServer(
      { DATABASE_URL: `sqlite:${path.join(directory, "demo.sqlite")}`, AUTH_JWT_SECRET: SECRET, DEMO_TOKEN: "true" },
      "Authorization: Bearer ",
    );
    try {
      expect(server.output()).to.contain("valid 12 hours");
      const token = /Authorization: Bearer (\S+)/.exec(server.output())![1]!;
      const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET));
      expect(payload.exp! - payload.iat!).to.equal(12 * 3600);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  describe("prints no demo token, only how to get one,", () => {
    async function startupOutput(env: Record<string, string>): Promise<string> {
      const server = await spawnServer(
        { AUTH_JWT_SECRET: SECRET, DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`, ...env },
        "npm run token",
      );
      try {
        // Anything printed after the hint would have come right after it.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return server.output();
      } finally {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    }

    function expectNoToken(output: string, reason: RegExp): void {
      expect(output).to.contain("Loaded the demo accounts");
      expect(output).not.to.match(/Bearer|eyJ/);
      expect(output).to.match(reason);
      expect(output).to.contain("npm run token -- --email");
    }

    it("in development without DEMO_TOKEN (node dist/src/main.js, which a proxy may be in front of)", async () => {
      expectNoToken(await startupOutput({}), /DEMO_TOKEN is off/);
    });

    it("on a database whose data it did not load as demo data", async () => {
      const database = `sqlite:${path.join(directory, "real.sqlite")}`;
      const first = await spawnServer({
        AUTH_JWT_SECRET: SECRET,
        DATABASE_URL: database,
        NODE_ENV: "development",
        SEED_DEMO_DATA: "false",
      });
      try {
        const token = (
          await runToEnd([path.join(ROOT, "dist", "src", "scripts", "token.js"), "--email", "owner@example.com"], {
            AUTH_JWT_SECRET: SECRET,
          })
        ).stdout.trim();
        const created = await postGraphQL(first.url, `mutation { createAccount(input: { name: "Real Customer" }) { __typename } }`, token);
        expect(created.errors).to.equal(undefined);
      } finally {
        first.child.kill("SIGTERM");
        await first.exited;
      }
      const output = await startupOutput({ DATABASE_URL: database, NODE_ENV: "development", DEMO_TOKEN: "true" });
      expect(output).not.to.contain("Loaded the demo accounts");
      expect(output).not.to.match(/Bearer|eyJ/);
      expect(output).to.match(/not loaded as demo data/);
      expect(output).to.contain("npm run token -- --email");
    });
  });

  it("seeds nothing and prints no token in production", async () => {
    const server = await spawnServer({
      DATABASE_URL: `sqlite:${path.join(directory, "prod.sqlite")}`,
      AUTH_JWT_SECRET: SECRET,
      NODE_ENV: "production",
      PUBLIC_URL: "https://contacts.example.com",
      MAIL_TRANSPORT: "file",
      MAIL_LOG_FILE: path.join(directory, "mail.log"),
    });
    try {
      expect(server.output()).to.not.contain("Bearer");
      const token = (
        await runToEnd([path.join(ROOT, "dist", "src", "scripts", "token.js"), "--email", "Someone@Example.com"], {
          AUTH_JWT_SECRET: SECRET,
        })
      ).stdout.trim();
      const result = await postGraphQL(server.url, "{ accounts { totalCount } viewer { email } }", token);
      expect(result.data).to.deep.equal({ accounts: { totalCount: 0 }, viewer: { email: "someone@example.com" } });
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("prints a token signed with the configured secret from `npm run token`", async () => {
    const result = await runToEnd([path.join(ROOT, "dist", "src", "scripts", "token.js"), "--email", "Dev@Example.com", "--name", "Dev"], {
      AUTH_JWT_SECRET: SECRET,
    });
    expect(result.code).to.equal(0);
    const { payload, protectedHeader } = await jwtVerify(result.stdout.trim(), new TextEncoder().encode(SECRET));
    expect(protectedHeader.alg).to.equal("HS256");
    expect(payload).to.include({ email: "dev@example.com", name: "Dev" });
    expect(payload.exp).to.be.a("number");
    const refused = await runToEnd([path.join(ROOT, "dist", "src", "scripts", "token.js"), "--email", "nope"], { AUTH_JWT_SECRET: SECRET });
    expect(refused.code).to.equal(2);
  });

  it("prints from `npm run token` only tokens the server's own settings accept: lifetime cap, issuer and audience", async () => {
    const script = path.join(ROOT, "dist", "src", "scripts", "token.js");
    const settings = {
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWT_MAX_LIFETIME: "2h",
      AUTH_JWT_ISSUER: "https://sign-in.example.com/",
      AUTH_JWT_AUDIENCE: "contact-points",
    };
    const printed = await runToEnd([script, "--email", "dev@example.com"], settings);
    expect(printed.code, printed.stderr).to.equal(0);
    const { payload } = await jwtVerify(printed.stdout.trim(), new TextEncoder().encode(SECRET), {
      issuer: settings.AUTH_JWT_ISSUER,
      audience: settings.AUTH_JWT_AUDIENCE,
    });
    expect(payload.exp! - payload.iat!).to.equal(2 * 3600);

    const tooLong = await runToEnd([script, "--email", "dev@example.com", "--expires", "3h"], settings);
    expect(tooLong.code).to.equal(2);
    expect(tooLong.stdout).to.equal("");
    expect(tooLong.stderr)
      .to.match(/--expires/)
      .and.match(/AUTH_JWT_MAX_LIFETIME/);
    const shorter = await runToEnd([script, "--email", "dev@example.com", "--expires", "30m"], settings);
    const claims = JSON.parse(Buffer.from(shorter.stdout.trim().split(".")[1]!, "base64url").toString()) as { iat: number; exp: number };
    expect(claims.exp - claims.iat).to.equal(30 * 60);
  });
});
