import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Database, MIGRATIONS } from "../src/database";
import { selectRows, sql, changeRows } from "../src/common/sql";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, type TestServer } from "./helpers/server";
import { createAccount, mutate, ok, readHistory, signIn } from "./helpers/factories";
import { verificationTokenFor } from "./helpers/outbox";

/** The migration under test and those after it, reverted together as `migration:revert` run that many times would. */
const FROM_DECLINED = MIGRATIONS.slice(MIGRATIONS.findIndex((migration) => migration.name === "DeclinedVerifications1796700000000")).map(
  (migration) => migration.name,
);

const ANSWER = (name: string) => `mutation($token: String!) { ${name}(input: { token: $token }) { verification { state } } }`;

describe("the declined verifications migration (1796700000000)", () => {
  let url: string;
  let directory: string | null = null;
  let db: Database;
  let server: TestServer;

  before(async () => {
    if (testDatabaseUrl().startsWith("sqlite:")) {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-declined-migration-"));
      url = `sqlite:${path.join(directory, "contacts.sqlite")}`;
    } else {
      url = await freshDatabaseUrl();
    }
    db = await Database.open({ databaseUrl: url });
    await db.migrate();
    server = await startTestServer({ db, env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(async () => {
    await server?.close();
    await db?.close();
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    else await dropTestDatabase(url);
  });

  const verifications = () =>
    selectRows(
      db,
      sql`SELECT "accountId", "role", "email", "state", "tokenHash", "verifiedAt" FROM "contact_verifications" ORDER BY "email"`,
    );
  const history = () =>
    selectRows(db, sql`SELECT "id", "slot", "action", "previousEmail", "newEmail" FROM "contact_changes" ORDER BY "id"`);
  const setState = (email: string, state: string) =>
    db.write((manager) => changeRows(manager, sql`UPDATE "contact_verifications" SET "state" = ${state} WHERE "email" = ${email}`));

  it("reverts a DECLINED verification to an unconfirmed PENDING one without a token and its history entry to a SET, keeping every other row, and applies again", async () => {
    const admin = await signIn(server, "migration-admin@example.com", "Admin");
    const emails = { declined: "declined@partner.example", verified: "verified@partner.example", pending: "pending@partner.example" };
    for (const [answer, email] of Object.entries(emails)) {
      const account = await createAccount(server, admin, `${answer} account`);
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
      const token = await verificationTokenFor(server, email);
      if (answer === "declined") ok(await server.graphql(ANSWER("declineContactEmail"), { token }, null));
      if (answer === "verified") ok(await server.graphql(ANSWER("verifyContactEmail"), { token }, null));
      if (answer === "declined") expect((await readHistory(server, admin.token, account.id))[0]!.action).to.equal("DECLINED");
    }
    const before = await verifications();
    const historyBefore = await history();
    expect(before.map((row) => row.state)).to.deep.equal(["DECLINED", "PENDING", "VERIFIED"]);

    // As `migration:revert` does it: each revert in one transaction.
    for (const _ of FROM_DECLINED) await db.dataSource.undoLastMigration({ transaction: "all" });
    const reverted = await verifications();
    expect(reverted[0]).to.deep.include({ email: emails.declined, state: "PENDING", tokenHash: null });
    expect(reverted.slice(1)).to.deep.equal(before.slice(1));
    // Older releases know no DECLINED action: the entry reads as a SET of the same address. They wrote
    // no row for a confirmation either: the VERIFIED entry goes.
    expect(historyBefore.some((row) => row.action === "DECLINED")).to.equal(true);
    expect(historyBefore.some((row) => row.action === "VERIFIED")).to.equal(true);
    const expectedAfter = historyBefore
      .filter((row) => row.action !== "VERIFIED")
      .map((row) => (row.action === "DECLINED" ? { ...row, action: "SET" } : row));
    expect(await history()).to.deep.equal(expectedAfter);
    const runner = db.dataSource.createQueryRunner();
    const table = await runner.getTable("contact_verifications").finally(() => runner.release());
    expect(table?.columns.map((column) => column.name)).to.not.include("declinedAt");
    expect(
      await setState(emails.pending, "DECLINED").then(
        () => "accepted",
        () => "refused",
      ),
    ).to.equal("refused");

    expect(await db.migrate()).to.deep.equal(FROM_DECLINED);
    await setState(emails.pending, "DECLINED");
    expect((await verifications()).map((row) => row.state)).to.deep.equal(["PENDING", "DECLINED", "VERIFIED"]);
    expect(
      await setState(emails.pending, "MAYBE").then(
        () => "accepted",
        () => "refused",
      ),
    ).to.equal("refused");
  });
});
