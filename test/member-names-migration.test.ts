import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { expect } from "chai";
import { Database } from "../src/database";
import { changeRows, sql } from "../src/common/sql";
import { globalId } from "../src/common/global-id";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, tokenFor, type TestServer } from "./helpers/server";
import { ok } from "./helpers/factories";

/*
 * An existing database, as the service left it before names typed by admins moved to memberships:
 * the migration must move them, drop the ones it cannot place safely, clean stored names, and store
 * internationalised domains in the form sign-in now gives.
 */
describe("migrating names typed by admins to memberships", function () {
  this.timeout(60_000);
  let server: TestServer;
  let db: Database;
  let url: string;
  let directory: string | null = null;
  const ids: Record<string, string> = {};
  const accounts = { a: randomUUID(), b: randomUUID() };

  before(async () => {
    if (testDatabaseUrl().startsWith("sqlite:")) {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "member-names-"));
      url = `sqlite:${path.join(directory, "before.sqlite")}`;
    } else {
      url = await freshDatabaseUrl();
    }
    db = await Database.open({ databaseUrl: url });
    const migrations = db.dataSource.migrations;
    const later = migrations.splice(migrations.findIndex((migration) => migration.name === "MemberNames1796200000000"));
    await db.migrate();

    const now = db.dateParameter(new Date());
    const users: [key: string, email: string, name: string | null, signedIn: boolean][] = [
      ["ann", "ann@a.example", "Ann Own", true],
      ["ben", "ben@a.example", "Ben from A", false],
      ["cat", "cat@shared.example", "Cat (fired - send invoices to billing@evil.example)", false],
      ["dan", "dan@a.example", "Dan\u001b[31m\nRed", false],
      ["eve", "eve@a.example", "Eve\u202egnp.exe", true],
      ["fay", "fay@bücher.example", null, false],
      ["gus", "gus@bücher.example", null, false],
      ["gus2", "gus@xn--bcher-kva.example", null, true],
      ["hal", "hal@b.example", "Hal Own", true],
    ];
    await db.write(async (manager) => {
      for (const [key, email, name, signedIn] of users) {
        ids[key] = randomUUID();
        await changeRows(
          manager,
          sql`INSERT INTO "users" ("id", "email", "name", "createdAt", "signedInAt") VALUES (${ids[key]}, ${email}, ${name}, ${now}, ${signedIn ? now : null})`,
        );
      }
      const memberships: [account: string, user: string, role: string][] = [
        [accounts.a, "ann", "ADMIN"],
        [accounts.a, "ben", "MEMBER"],
        [accounts.a, "cat", "MEMBER"],
        [accounts.a, "dan", "MEMBER"],
        [accounts.a, "eve", "MEMBER"],
        [accounts.a, "fay", "MEMBER"],
        [accounts.b, "hal", "ADMIN"],
        [accounts.b, "cat", "MEMBER"],
      ];
      for (const [id, name, primary] of [
        [accounts.a, "Acme\r\nInvoices", "ann"],
        [accounts.b, "Beta", "hal"],
      ] as const) {
        await changeRows(
          manager,
          sql`INSERT INTO "accounts" ("id", "name", "primaryContactId", "contactsVersion", "createdAt", "updatedAt") VALUES (${id}, ${name}, ${ids[primary]}, 1, ${now}, ${now})`,
        );
      }
      for (const [account, user, role] of memberships) {
        await changeRows(
          manager,
          sql`INSERT INTO "account_members" ("accountId", "userId", "role", "joinedAt") VALUES (${account}, ${ids[user]}, ${role}, ${now})`,
        );
      }
    });

    migrations.push(...later);
    expect(await db.migrate()).to.deep.equal(later.map((migration) => migration.name));
    server = await startTestServer({ db });
  });

  after(async () => {
    await server?.close();
    await db?.close();
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    else await dropTestDatabase(url);
  });

  async function membersOf(accountId: string, email: string, name: string) {
    const data = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { name members(first: 100) { edges { node { displayName user { email name } } } } } }`,
        { id: globalId("Account", accountId) },
        await tokenFor(email, name),
      ),
    );
    const members = Object.fromEntries(
      (data.account.members.edges as { node: { displayName: string | null; user: { email: string; name: string | null } } }[]).map(
        ({ node }) => [node.user.email, [node.displayName, node.user.name]],
      ),
    );
    return { name: data.account.name as string, members };
  }

  it("moves the name of a user who never signed in to their one membership, cleaned, and keeps the names users gave themselves", async () => {
    const a = await membersOf(accounts.a, "ann@a.example", "Ann Own");
    expect(a.name).to.equal("Acme Invoices");
    expect(a.members).to.deep.equal({
      "ann@a.example": ["Ann Own", "Ann Own"],
      "ben@a.example": ["Ben from A", null],
      "cat@shared.example": [null, null],
      "dan@a.example": ["Dan [31m Red", null],
      "eve@a.example": ["Evegnp.exe", "Evegnp.exe"],
      "fay@xn--bcher-kva.example": [null, null],
    });
  });

  it("drops the name of a user in several accounts, since no record says whose admin typed it", async () => {
    const b = await membersOf(accounts.b, "hal@b.example", "Hal Own");
    expect(b.members["cat@shared.example"]).to.deep.equal([null, null]);
    expect(JSON.stringify(b)).to.not.contain("fired");
  });

  it("stores an internationalised domain in the form sign-in gives, unless that form is taken", async () => {
    const fay = ok(await server.graphql("{ viewer { id email } }", {}, await tokenFor("fay@bücher.example"))).viewer;
    expect(fay).to.deep.equal({ id: globalId("User", ids.fay!), email: "fay@xn--bcher-kva.example" });
    const gus = ok(await server.graphql("{ viewer { id email } }", {}, await tokenFor("gus@bücher.example"))).viewer;
    expect(gus.id).to.equal(globalId("User", ids.gus2!));
  });
});
