import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Database, MIGRATIONS } from "../src/database";
import { changeRows, selectRows, sql, type Row } from "../src/common/sql";
import { DEMO_ADMIN, seedDemoData } from "../src/seed";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, tokenFor, type TestServer } from "./helpers/server";
import { ok } from "./helpers/factories";
import { checkContactInvariants } from "./helpers/invariants";
import { globalId } from "../src/common/global-id";

const CONTACT_SLOTS = "ContactSlots1797400000000";
/** ContactSlots and the migrations after it, reverted together as `migration:revert` run for each would. */
const FROM_CONTACT_SLOTS = MIGRATIONS.slice(MIGRATIONS.findIndex((migration) => migration.name === CONTACT_SLOTS)).map(
  (migration) => migration.name,
);

/** What every screen reads of the contacts: the same before the migration, after it and after going back and forth. */
const SCREEN = `{ accounts(first: 50) { edges { node { name
  primaryContact { email } billingContacts { email }
  roleContacts { id role email isExternal updatedAt user { email } updatedBy { email } verification { state email } }
  contactHealth { missingRoles billingContactsFree issues { slot email kind } }
} } } }`;

describe("the contact slots migration (1797400000000, with the phone and title of 1797400000001) on the demo data", function () {
  this.timeout(120_000);
  let url: string;
  let directory: string | null = null;
  let db: Database;
  let server: TestServer;
  let token: string;

  before(async () => {
    if (testDatabaseUrl().startsWith("sqlite:")) {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-contact-slots-migration-"));
      url = `sqlite:${path.join(directory, "contacts.sqlite")}`;
    } else {
      url = await freshDatabaseUrl();
    }
    db = await Database.open({ databaseUrl: url });
    await db.migrate();
    server = await startTestServer({ db, env: { MUTATION_RATE_LIMIT: "0" } });
    expect(await seedDemoData(db, server.app.outbox)).to.equal(true);
    token = await tokenFor(DEMO_ADMIN.email, DEMO_ADMIN.name);
  });
  after(async () => {
    await server?.close();
    await db?.close();
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    else await dropTestDatabase(url);
  });

  const screen = async () => ok(await server.graphql(SCREEN, {}, token));
  const slots = () =>
    selectRows(
      db,
      sql`SELECT "accountId", "slot", "position", "userId", "email", "updatedAt", "updatedById" FROM "contact_slots" ORDER BY "accountId", "slot", "position"`,
    );
  const verifications = () => selectRows(db, sql`SELECT * FROM "contact_verifications" ORDER BY "accountId", "role"`);
  /** The three shapes the slots were kept in before, as the previous release reads them. */
  const oldShapes = async () => ({
    primary: await selectRows(db, sql`SELECT "id", "primaryContactId" FROM "accounts" ORDER BY "id"`),
    billing: await selectRows(
      db,
      sql`SELECT "accountId", "userId", "position", "addedAt" FROM "billing_contacts" ORDER BY "accountId", "position"`,
    ),
    roles: await selectRows(
      db,
      sql`SELECT "accountId", "role", "userId", "email", "updatedAt", "updatedById" FROM "role_contacts" ORDER BY "accountId", "role"`,
    ),
  });
  const revert = async () => {
    for (const _ of FROM_CONTACT_SLOTS) await db.dataSource.undoLastMigration({ transaction: "all" });
  };
  const hasTable = async (table: string) => {
    const runner = db.dataSource.createQueryRunner();
    try {
      return await runner.hasTable(table);
    } finally {
      await runner.release();
    }
  };
  const invariants = async () => (await checkContactInvariants((text) => db.dataSource.query(text))).problems;

  it("puts every slot back in the three old shapes, row for row, and brings them back unchanged, answering every screen alike", async () => {
    const answered = await screen();
    const rows = await slots();
    const verified = await verifications();
    const accounts = new Set(rows.map((row) => row.accountId));
    // The demo data fills every kind of slot, an outside address among them.
    expect(new Set(rows.map((row) => row.slot))).to.have.keys(
      "PRIMARY",
      "BILLING",
      "DECISION_MAKER",
      "IMPLEMENTATION",
      "SECURITY",
      "TECHNICAL_ADMIN",
    );
    expect(rows.some((row) => row.userId === null)).to.equal(true);
    expect(verified).to.not.be.empty;

    await revert();
    expect(await hasTable("contact_slots")).to.equal(false);
    const old = await oldShapes();
    const of = (slot: (row: Row) => boolean) => rows.filter(slot);
    expect(old.primary).to.deep.equal(
      [...accounts]
        .sort()
        .map((id) => ({ id, primaryContactId: rows.find((row) => row.accountId === id && row.slot === "PRIMARY")!.userId })),
    );
    expect(old.billing).to.deep.equal(
      of((row) => row.slot === "BILLING").map((row) => ({
        accountId: row.accountId,
        userId: row.userId,
        position: row.position,
        addedAt: row.updatedAt,
      })),
    );
    expect(old.roles).to.deep.equal(
      of((row) => row.slot !== "PRIMARY" && row.slot !== "BILLING")
        .map((row) => ({
          accountId: row.accountId,
          role: row.slot,
          userId: row.userId,
          email: row.email,
          updatedAt: row.updatedAt,
          updatedById: row.updatedById,
        }))
        .sort((a, b) => String(a.accountId).localeCompare(String(b.accountId)) || String(a.role).localeCompare(String(b.role))),
    );
    expect(await verifications()).to.deep.equal(verified);

    // Up again: the same slots, except what the old shapes never kept (who set a primary or billing contact, and when the primary was set).
    expect(await db.migrate()).to.deep.equal(FROM_CONTACT_SLOTS);
    const again = await slots();
    const kept = (row: Row) =>
      row.slot === "PRIMARY"
        ? { ...row, updatedAt: null, updatedById: null }
        : row.slot === "BILLING"
          ? { ...row, updatedById: null }
          : row;
    expect(again.map(kept)).to.deep.equal(rows.map(kept));
    expect(await verifications()).to.deep.equal(verified);
    expect(await screen()).to.deep.equal(answered);
    expect(await invariants()).to.deep.equal([]);

    // And down once more gives the very rows of the first time.
    await revert();
    expect(await oldShapes()).to.deep.equal(old);
    expect(await db.migrate()).to.deep.equal(FROM_CONTACT_SLOTS);
  });

  it("carries billing contacts the previous release removed and added into the slot table, in their new order", async () => {
    const answered = await screen();
    await revert();
    // The previous release's own write: a billing contact removed (the next one moves up) and one added.
    const notBilling = sql`SELECT 1 FROM "account_members" "m" WHERE "m"."accountId" = "f"."accountId"
        AND NOT EXISTS (SELECT 1 FROM "billing_contacts" "b" WHERE "b"."accountId" = "m"."accountId" AND "b"."userId" = "m"."userId")`;
    const [billing] = await selectRows(
      db,
      sql`SELECT "accountId", "userId" FROM "billing_contacts" "f" WHERE "position" = 0 AND EXISTS (${notBilling}) ORDER BY "accountId"`,
    );
    const [spare] = await selectRows(
      db,
      sql`SELECT "m"."userId" FROM "account_members" "m" WHERE "m"."accountId" = ${billing!.accountId}
          AND NOT EXISTS (SELECT 1 FROM "billing_contacts" "b" WHERE "b"."accountId" = "m"."accountId" AND "b"."userId" = "m"."userId")
          ORDER BY "m"."userId"`,
    );
    const count = Number(
      (await selectRows(db, sql`SELECT COUNT(*) AS "n" FROM "billing_contacts" WHERE "accountId" = ${billing!.accountId}`))[0]!.n,
    );
    await db.write(async (manager) => {
      await changeRows(
        manager,
        sql`DELETE FROM "billing_contacts" WHERE "accountId" = ${billing!.accountId} AND "userId" = ${billing!.userId}`,
      );
      await changeRows(manager, sql`UPDATE "billing_contacts" SET "position" = "position" - 1 WHERE "accountId" = ${billing!.accountId}`);
      await changeRows(
        manager,
        sql`INSERT INTO "billing_contacts" ("accountId", "userId", "position", "addedAt") VALUES (${billing!.accountId}, ${spare!.userId}, ${count - 1}, ${db.dateParameter(new Date())})`,
      );
    });
    expect(await db.migrate()).to.deep.equal(FROM_CONTACT_SLOTS);
    const billed = await selectRows(
      db,
      sql`SELECT "userId", "position" FROM "contact_slots" WHERE "accountId" = ${billing!.accountId} AND "slot" = 'BILLING' ORDER BY "position"`,
    );
    expect(billed.at(-1)).to.deep.equal({ userId: spare!.userId, position: count - 1 });
    expect(billed.map((row) => row.userId)).to.not.include(billing!.userId);
    expect((await screen()).accounts.edges.length).to.equal(answered.accounts.edges.length);
  });

  it("drops phones, titles and the DETAILS history rows earlier releases cannot read when 1797400000001 is reverted, and adds empty ones again", async () => {
    const { accounts } = (await screen()) as { accounts: { edges: { node: { name: string } }[] } };
    const [primary] = await selectRows(
      db,
      sql`SELECT "accountId", "userId" FROM "contact_slots" WHERE "slot" = 'PRIMARY' ORDER BY "accountId"`,
    );
    const accountId = globalId("Account", primary!.accountId as string);
    ok(
      await server.graphql(
        `mutation($input: SetPrimaryContactInput!) { setPrimaryContact(input: $input) { account { id } } }`,
        { input: { accountId, userId: globalId("User", primary!.userId as string), phone: "+48 601 234 567", title: "CEO" } },
        token,
      ),
    );
    const details = () => selectRows(db, sql`SELECT "id" FROM "contact_changes" WHERE "action" = 'DETAILS'`);
    expect(await details()).to.have.lengthOf(1);
    const fromDetails = FROM_CONTACT_SLOTS.slice(FROM_CONTACT_SLOTS.indexOf("ContactDetails1797400000001"));
    for (const _ of fromDetails) await db.dataSource.undoLastMigration({ transaction: "all" });
    expect(await details()).to.deep.equal([]);
    const columns = async (table: string) => {
      const runner = db.dataSource.createQueryRunner();
      try {
        return (await runner.getTable(table))!.columns.map((column) => column.name);
      } finally {
        await runner.release();
      }
    };
    expect(await columns("contact_slots"))
      .to.not.include.members(["phone"])
      .and.not.include.members(["title"]);
    expect(await columns("contact_changes")).to.not.include.members(["previousPhone"]);
    expect(await db.migrate()).to.deep.equal(fromDetails);
    expect(
      await selectRows(db, sql`SELECT "phone", "title" FROM "contact_slots" WHERE "phone" IS NOT NULL OR "title" IS NOT NULL`),
    ).to.deep.equal([]);
    expect((await screen()).accounts.edges.length).to.equal(accounts.edges.length);
  });
});
