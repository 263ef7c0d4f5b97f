import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import pg from "pg";
import sqlite3 from "sqlite3";
import { createDataSource, Database } from "../src/database";
import { sql, sqliteConnection } from "../src/common/sql";
import { freshDatabaseUrl, startTestServer, testDatabaseUrl, tokenFor } from "./helpers/server";
import { ok } from "./helpers/factories";

/*
 * common/sql.ts and database.ts reach under TypeORM's API in two places: the sqlite3 connection of
 * its SQLite driver (`driver.databaseConnection`, for statements kept prepared) and node-postgres's
 * pool of its PostgreSQL driver (`driver.master`, for metrics and the shared rate limit). A TypeORM
 * upgrade that moves either fails here by name, not somewhere in production.
 */
describe("driver internals the data layer relies on", () => {
  it("finds TypeORM's sqlite3 connection in driver.databaseConnection and prepares a statement on it", async function () {
    if (!testDatabaseUrl().startsWith("sqlite:")) this.skip();
    const dataSource = createDataSource({ databaseUrl: "sqlite::memory:" });
    await dataSource.initialize();
    try {
      const connection = sqliteConnection(dataSource);
      expect(connection).to.be.instanceOf(sqlite3.Database);
      const row = await new Promise((resolve, reject) => {
        const statement = connection.prepare("SELECT ? AS one");
        statement.get([1], (error: Error | null, found: unknown) => statement.finalize(() => (error ? reject(error) : resolve(found))));
      });
      expect(row).to.deep.equal({ one: 1 });
    } finally {
      await dataSource.destroy();
    }
  });

  it("serves a SQLite file's reads through statements it keeps prepared, and finalises them on close", async function () {
    if (!testDatabaseUrl().startsWith("sqlite:")) this.skip();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "prepared-"));
    const db = await Database.open({ databaseUrl: `sqlite:${path.join(folder, "contacts.sqlite")}` });
    try {
      const server = await startTestServer({ db });
      try {
        const token = await tokenFor("reader@example.com");
        ok(await server.graphql(`mutation { createAccount(input: { name: "Prepared" }) { account { id } } }`, {}, token));
        const before = db.preparedStatements;
        const read = await server.graphql<{ accounts: { nodes: { name: string }[] } }>(
          `{ accounts { nodes { name primaryContact { email } } } }`,
          {},
          token,
        );
        expect(ok(read).accounts.nodes).to.deep.equal([{ name: "Prepared", primaryContact: { email: "reader@example.com" } }]);
        expect(db.preparedStatements, "statements kept after a read").to.be.above(before);
      } finally {
        await server.close();
      }
    } finally {
      // SQLite refuses to close a connection with statements still prepared: this closes only if they were finalised.
      await db.close();
      expect(db.preparedStatements).to.equal(0);
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("runs a SQLite write's own statements through statements the writer keeps prepared, and finalises them on close", async function () {
    if (!testDatabaseUrl().startsWith("sqlite:")) this.skip();
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "prepared-writer-"));
    const db = await Database.open({ databaseUrl: `sqlite:${path.join(folder, "contacts.sqlite")}` });
    try {
      const server = await startTestServer({ db });
      try {
        const admin = await tokenFor("writer@example.com");
        const created = ok(
          await server.graphql<{ createAccount: { account: { id: string; primaryContact: { id: string } } } }>(
            `mutation { createAccount(input: { name: "Prepared" }) { account { id primaryContact { id } } } }`,
            {},
            admin,
          ),
        );
        const input = { accountId: created.createAccount.account.id, userId: created.createAccount.account.primaryContact.id };
        const billing = (verb: "add" | "remove") =>
          server.graphql<Record<string, { account: { billingContacts: { id: string }[] } }>>(
            `mutation($input: ${verb === "add" ? "Add" : "Remove"}BillingContactInput!) { ${verb}BillingContact(input: $input) { account { billingContacts { id } } } }`,
            { input },
            admin,
          );
        const before = db.preparedWriterStatements;
        expect(ok(await billing("add")).addBillingContact!.account.billingContacts).to.deep.equal([{ id: input.userId }]);
        expect(db.preparedWriterStatements, "statements kept after a change").to.be.above(before);
        ok(await billing("remove"));
        // The same change again reuses them.
        const kept = db.preparedWriterStatements;
        expect(ok(await billing("add")).addBillingContact!.account.billingContacts).to.deep.equal([{ id: input.userId }]);
        expect(db.preparedWriterStatements).to.equal(kept);
      } finally {
        await server.close();
      }
    } finally {
      await db.close();
      expect(db.preparedWriterStatements).to.equal(0);
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("finds node-postgres's pool in driver.master", async function () {
    if (testDatabaseUrl().startsWith("sqlite:")) this.skip();
    const db = await Database.open({ databaseUrl: await freshDatabaseUrl() });
    try {
      expect(db.pool).to.be.instanceOf(pg.Pool);
      const { rows } = await db.pool!.query("SELECT 1 AS one");
      expect(rows).to.deep.equal([{ one: 1 }]);
    } finally {
      await db.close();
    }
  });
});

describe("SQL written with the sql tag", () => {
  let db: Database;
  before(async () => {
    db = await Database.open({ databaseUrl: await freshDatabaseUrl() });
  });
  after(() => db.close());

  it("numbers only the values it is given, leaving a ? inside the SQL text alone", async () => {
    const [row] = await db.select(sql`SELECT '?' AS "mark", ${"first"} AS "first", 'a ? b' AS "text", ${2} AS "second"`);
    expect(row).to.deep.include({ mark: "?", first: "first", text: "a ? b" });
    expect(Number(row!.second)).to.equal(2);
  });

  it("leaves PostgreSQL's jsonb ? operator alone", async function () {
    if (testDatabaseUrl().startsWith("sqlite:")) this.skip();
    const [row] = await db.select(sql`SELECT (${'{"slot": "PRIMARY"}'}::jsonb ? 'slot') AS "has", ${"after"} AS "after"`);
    expect(row).to.deep.equal({ has: true, after: "after" });
  });
});
