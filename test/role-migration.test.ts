import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import type { MigrationInterface, QueryRunner } from "typeorm";
import { Database } from "../src/database";
import { changeRows, selectRows, sql } from "../src/common/sql";
import { CONTACT_ROLES } from "../src/contacts/contact.enums";
import { seedDemoData } from "../src/seed";
import { setContactRoles, withCheck } from "../src/migrations/support/constrained-table";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, type TestServer } from "./helpers/server";

const BEFORE = CONTACT_ROLES.map((role) => ({ name: role.name, outsideAddress: role.outsideAddress }));
/** A role no table will ever name, so the fixture never collides with the next real role. */
const EXTRA = "FIXTURE_ONLY_ROLE";
const AFTER = [...BEFORE, { name: EXTRA, outsideAddress: false }];

/** A migration adding a role, written as the next real one would be. */
class AddLegalRole1999999999999 implements MigrationInterface {
  name = "AddLegalRole1999999999999";
  async up(queryRunner: QueryRunner): Promise<void> {
    await setContactRoles(queryRunner, AFTER);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await setContactRoles(queryRunner, BEFORE);
  }
}

describe("adding a contact role with a migration", function () {
  this.timeout(60_000);
  let server: TestServer;
  let db: Database;
  let url: string;
  let directory: string | null = null;

  const contacts = () =>
    selectRows(
      db,
      sql`SELECT "accountId", "slot", "position", "email", "userId" FROM "contact_slots" ORDER BY "accountId", "slot", "position"`,
    );
  const verifications = () =>
    selectRows(db, sql`SELECT "accountId", "role", "email", "state" FROM "contact_verifications" ORDER BY "accountId", "role"`);
  // A member of the demo account that holds no roles, so giving and taking them leaves the others as they are.
  const someMember = async () =>
    (
      await selectRows(
        db,
        sql`SELECT "m"."accountId", "m"."userId" FROM "account_members" "m" JOIN "accounts" "a" ON "a"."id" = "m"."accountId" WHERE "a"."name" = 'Globex Logistics'
            AND NOT EXISTS (SELECT 1 FROM "contact_slots" "s" WHERE "s"."accountId" = "m"."accountId" AND "s"."userId" = "m"."userId")`,
      )
    )[0] as { accountId: string; userId: string };
  const giveRole = async (role: string, userId: string | null, email = "someone@legal.example") => {
    const member = await someMember();
    const now = db.dateParameter(new Date());
    await db.write((manager) =>
      changeRows(
        manager,
        sql`INSERT INTO "contact_slots" ("accountId", "slot", "position", "userId", "email", "updatedAt") VALUES (${member.accountId}, ${role}, 0, ${userId === "member" ? member.userId : userId}, ${email}, ${now})`,
      ),
    );
  };

  before(async () => {
    if (testDatabaseUrl().startsWith("sqlite:")) {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "role-migration-"));
      url = `sqlite:${path.join(directory, "roles.sqlite")}`;
    } else {
      url = await freshDatabaseUrl();
    }
    db = await Database.open({ databaseUrl: url });
    await db.migrate();
    server = await startTestServer({ db });
    expect(await seedDemoData(db, server.app.outbox)).to.equal(true);
  });

  after(async () => {
    await server?.close();
    await db?.close();
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    else await dropTestDatabase(url);
  });

  it("accepts exactly the roles of the table, and outside addresses only where the table allows them", async () => {
    const member = await someMember();
    for (const role of CONTACT_ROLES) {
      await db.write((manager) =>
        changeRows(manager, sql`DELETE FROM "contact_slots" WHERE "accountId" = ${member.accountId} AND "slot" = ${role.name}`),
      );
      await giveRole(role.name, "member");
      await db.write((manager) =>
        changeRows(manager, sql`DELETE FROM "contact_slots" WHERE "accountId" = ${member.accountId} AND "slot" = ${role.name}`),
      );
      const outside = await giveRole(role.name, null).then(
        () => true,
        () => false,
      );
      expect(outside, role.name).to.equal(role.outsideAddress);
      await db.write((manager) =>
        changeRows(manager, sql`DELETE FROM "contact_slots" WHERE "accountId" = ${member.accountId} AND "slot" = ${role.name}`),
      );
    }
    await expectRefused(giveRole(EXTRA, "member"));
  });

  it("adds a role without losing contacts or pending verifications, and reverting removes only the new role's rows", async () => {
    const member = await someMember();
    const contactsBefore = await contacts();
    const verificationsBefore = await verifications();
    expect(verificationsBefore.filter((row) => row.state === "PENDING")).to.not.be.empty;

    db.dataSource.migrations.push(new AddLegalRole1999999999999());
    expect(await db.migrate()).to.deep.equal(["AddLegalRole1999999999999"]);
    expect(await contacts()).to.deep.equal(contactsBefore);
    expect(await verifications()).to.deep.equal(verificationsBefore);
    await giveRole(EXTRA, "member");
    await expectRefused(giveRole("UNKNOWN", "member"));
    await db.write((manager) =>
      changeRows(
        manager,
        sql`INSERT INTO "contact_changes" ("accountId", "at", "actorId", "slot", "action", "previousEmail", "newEmail") VALUES (${member.accountId}, ${db.dateParameter(new Date())}, ${member.userId}, ${EXTRA}, 'SET', NULL, 'someone@legal.example')`,
      ),
    );

    // As `migration:revert` does it: the whole revert in one transaction.
    await db.dataSource.undoLastMigration({ transaction: "all" });
    expect(await contacts()).to.deep.equal(contactsBefore);
    expect(await verifications()).to.deep.equal(verificationsBefore);
    const legalHistory = await selectRows(db, sql`SELECT "id" FROM "contact_changes" WHERE "slot" = ${EXTRA}`);
    expect(legalHistory).to.be.empty;
    await expectRefused(giveRole(EXTRA, "member"));
    db.dataSource.migrations.pop();
  });

  it("changes a CHECK in a table definition without touching the rest", () => {
    const table = `CREATE TABLE "t" ("a" varchar, "b" varchar, CONSTRAINT "CHK_a" CHECK ("a" IN ('x)', 'y')), CONSTRAINT "CHK_b" CHECK ("b" <> ''))`;
    expect(withCheck(table, "CHK_a", `"a" IN ('z')`)).to.equal(
      `CREATE TABLE "t" ("a" varchar, "b" varchar, CONSTRAINT "CHK_a" CHECK ("a" IN ('z')), CONSTRAINT "CHK_b" CHECK ("b" <> ''))`,
    );
    expect(withCheck(table, "CHK_b", null)).to.equal(
      `CREATE TABLE "t" ("a" varchar, "b" varchar, CONSTRAINT "CHK_a" CHECK ("a" IN ('x)', 'y')))`,
    );
    expect(withCheck(table, "CHK_c", `"a" IS NOT NULL`)).to.contain(`CONSTRAINT "CHK_c" CHECK ("a" IS NOT NULL)\n)`);
  });
});

async function expectRefused(work: Promise<unknown>): Promise<void> {
  const outcome = await work.then(
    () => "accepted",
    () => "refused",
  );
  expect(outcome).to.equal("refused");
}
