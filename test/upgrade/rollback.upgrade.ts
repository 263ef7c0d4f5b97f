import "reflect-metadata";
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Database, MIGRATIONS } from "../../src/database";
import {
  buildPreviousRelease,
  PREVIOUS_RELEASE_LAST_MIGRATION,
  PREVIOUS_RELEASE_MIGRATIONS,
  PREVIOUS_RELEASE_VALUES,
} from "../helpers/previous-release";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, tokenFor, TEST_JWT_SECRET } from "../helpers/server";
import { addMember, createAccount, mutate, ok, signIn } from "../helpers/factories";
import { verificationTokenFor } from "../helpers/outbox";
import { postGraphQL, ROOT, runToEnd, spawnServer, type ServerProcess } from "../helpers/process";
import { raw, selectRows, sql } from "../../src/common/sql";

/** What the previous release's account screen asks for: every field that reads a table the new release changed. */
const PREVIOUS_RELEASE_SCREEN = `{
  accounts(first: 5) { totalCount edges { node {
    id name contactsVersion primaryContact { email name } billingContacts { email }
    roleContacts { role email isExternal verification { state } }
    members(first: 5) { totalCount edges { node { role user { email name } } } }
    contactHistory(first: 10) { edges { node { slot action previousEmail newEmail actor { email } } } }
    contactHealth { issues { kind } }
  } } }
}`;

/**
 * The runbook in docs/operations.md, "Rolling back to the previous release": stop the new release,
 * `npm run migrate -- --to <the previous release's last migration>`, start the previous release. The
 * previous release runs for real: its commit, built from git beside this checkout, serves every account.
 */
describe("rolling back to the previous release", function () {
  this.timeout(5 * 60_000);
  let url: string;
  let directory: string;
  let previousMain: string;
  let previous: ServerProcess | null = null;

  before(async () => {
    previousMain = buildPreviousRelease(ROOT);
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-rollback-"));
    url = testDatabaseUrl().startsWith("sqlite:") ? `sqlite:${path.join(directory, "contacts.sqlite")}` : await freshDatabaseUrl();
  });
  after(async () => {
    if (previous) {
      previous.child.kill("SIGTERM");
      await previous.exited;
    }
    if (!url.startsWith("sqlite:")) await dropTestDatabase(url);
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("reverts to the previous release's migrations, after which the previous release serves every account, its declined contacts included", async () => {
    // The new release, used as people do: members with names, outside contacts declined, confirmed and pending.
    const db = await Database.open({ databaseUrl: url });
    const server = await startTestServer({ db, env: { MUTATION_RATE_LIMIT: "0" } });
    const admin = await signIn(server, "rollback-admin@example.com", "Ada Admin");
    const answers = { declined: "declined@partner.example", verified: "verified@partner.example", pending: "pending@partner.example" };
    for (const [answer, email] of Object.entries(answers)) {
      const account = await createAccount(server, admin, `${answer} account`);
      await addMember(server, admin, account.id, `member-of-${answer}@example.com`);
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
      const token = await verificationTokenFor(server, email);
      const mutation = answer === "declined" ? "declineContactEmail" : answer === "verified" ? "verifyContactEmail" : null;
      if (mutation)
        ok(
          await server.graphql(
            `mutation($token: String!) { ${mutation}(input: { token: $token }) { verification { state } } }`,
            { token },
            null,
          ),
        );
    }
    const declinedHistory = await selectRows(db, sql`SELECT COUNT(*) AS "n" FROM "contact_changes" WHERE "action" = 'DECLINED'`);
    expect(Number(declinedHistory[0]!.n)).to.equal(1);
    await server.close();
    await db.close();

    // Step 1 of the runbook: with the new release stopped, revert to the previous release's last migration.
    const env = { DATABASE_URL: url, NODE_ENV: "test", AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "info" };
    const reverted = await runToEnd(
      [path.join(ROOT, "dist", "src", "scripts", "migrate.js"), "--to", PREVIOUS_RELEASE_LAST_MIGRATION],
      env,
    );
    expect(reverted.code, reverted.stderr).to.equal(0);
    const later = MIGRATIONS.slice(PREVIOUS_RELEASE_MIGRATIONS.length).map((migration) => migration.name);
    for (const name of later) expect(reverted.stdout).to.match(new RegExp(`Reverted migration ${name} in \\d+ ms`));
    // Run again, it finds nothing to do.
    const again = await runToEnd([path.join(ROOT, "dist", "src", "scripts", "migrate.js"), "--to", PREVIOUS_RELEASE_LAST_MIGRATION], env);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.include("Nothing to revert");

    // Every value left in an enumerated column is one the previous release knows.
    const check = await Database.open({ databaseUrl: url });
    try {
      for (const { table, column, values } of Object.values(PREVIOUS_RELEASE_VALUES)) {
        const found = (await selectRows(check, sql`SELECT DISTINCT ${raw(`"${column}"`)} AS "value" FROM ${raw(`"${table}"`)}`)).map(
          (row) => row.value,
        );
        expect(values, `${table}.${column}`).to.include.members(found as string[]);
      }
    } finally {
      await check.close();
    }

    // Step 2: the previous release starts on the reverted database, applies nothing, and serves every account.
    previous = await spawnServer(
      {
        DATABASE_URL: url,
        NODE_ENV: "production",
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        SEED_DEMO_DATA: "false",
        MAIL_LOG_FILE: path.join(directory, "mail.log"),
      },
      "listening on",
      30_000,
      (node) => [node, [previousMain]],
    );
    expect(previous.output()).to.not.include("Applied migrations");
    const screen = await postGraphQL(previous.url, PREVIOUS_RELEASE_SCREEN, await tokenFor(admin.email));
    expect(screen.errors, JSON.stringify(screen.errors)).to.equal(undefined);
    const accounts = screen.data.accounts.edges.map((edge: { node: Record<string, any> }) => edge.node);
    expect(accounts.map((account: { name: string }) => account.name)).to.have.members(
      Object.keys(answers).map((answer) => `${answer} account`),
    );
    const declined = accounts.find((account: { name: string }) => account.name === "declined account");
    // The declined address reads as a pending one, and its history entry as setting it again.
    expect(declined.roleContacts).to.deep.equal([
      { role: "SECURITY", email: answers.declined, isExternal: true, verification: { state: "PENDING" } },
    ]);
    expect(declined.contactHistory.edges[0].node).to.deep.include({
      slot: "SECURITY",
      action: "SET",
      previousEmail: answers.declined,
      newEmail: answers.declined,
    });
    for (const account of accounts) expect(account.members.totalCount).to.equal(2);
    for (const member of accounts.map((account: { name: string }) => `member-of-${account.name.split(" ")[0]}@example.com`)) {
      const own = await postGraphQL(previous.url, `{ accounts(first: 5) { edges { node { name viewerRole } } } }`, await tokenFor(member));
      expect(own.errors, JSON.stringify(own.errors)).to.equal(undefined);
      expect(own.data.accounts.edges).to.have.length(1);
    }
  });
});
