import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { buildSchema, type GraphQLEnumType } from "graphql";
import { validate } from "class-validator";
import { plainToInstance } from "./helpers/plain";
import { CONTACT_ROLES, OUTSIDE_ADDRESS_ROLES } from "../src/contacts/contact.enums";
import { SaveAccountContactsInput } from "../src/contacts/save-contacts.types";
import { DEMO_ADMIN, seedDemoData } from "../src/seed";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";
import { ok } from "./helpers/factories";

/**
 * The roles and what the published schema says about them, written out by hand on purpose: compared
 * with the role and routing tables in src/, an independent copy is what makes these tests fail when a
 * role, a title or a route changes by mistake. Change it together with the tables, never from them.
 */
const EXPECTED_ROLES = ["DECISION_MAKER", "IMPLEMENTATION", "SECURITY", "TECHNICAL_ADMIN"];
const EXPECTED_OUTSIDE_ADDRESS_ROLES = ["SECURITY"];
const EXPECTED_ROLE_DESCRIPTIONS: Record<string, string> = {
  DECISION_MAKER: "Signs off purchases and renewals. Receives renewal notices.",
  IMPLEMENTATION: "Leads the rollout. Receives implementation notices.",
  SECURITY:
    "Answers for the account's security. Receives security notices. May be a member or the email address of someone who is not a user.",
  TECHNICAL_ADMIN: "Administers the technical set-up. Receives security notices and technical notices.",
};
const EXPECTED_SLOT_DESCRIPTIONS: Record<string, string> = {
  PRIMARY: "The primary account contact: receives all important account notifications.",
  BILLING: "One of up to 3 billing contacts: receives invoices, receipts, orders and renewal notices.",
  DECISION_MAKER: "The decision maker role: receives renewal notices.",
  IMPLEMENTATION: "The implementation contact role: receives implementation notices.",
  SECURITY: "The security contact role: receives security notices.",
  TECHNICAL_ADMIN: "The technical administrator role: receives security notices and technical notices.",
};

describe("the role and routing tables, as clients see them", () => {
  const schema = buildSchema(fs.readFileSync(path.join(__dirname, "..", "..", "schema.graphql"), "utf8"));
  const descriptions = (name: string) =>
    Object.fromEntries((schema.getType(name) as GraphQLEnumType).getValues().map((value) => [value.name, value.description]));

  it("publish exactly the expected roles and slots, each described with the notifications it receives", () => {
    expect(descriptions("ContactRoleKind")).to.deep.equal(EXPECTED_ROLE_DESCRIPTIONS);
    expect(descriptions("ContactSlot")).to.deep.equal(EXPECTED_SLOT_DESCRIPTIONS);
  });

  it("list the roles in the expected order, and let only the expected roles take an outside address", () => {
    expect(CONTACT_ROLES.map((role) => role.name)).to.deep.equal(EXPECTED_ROLES);
    expect(OUTSIDE_ADDRESS_ROLES).to.deep.equal(EXPECTED_OUTSIDE_ADDRESS_ROLES);
    for (const role of CONTACT_ROLES) {
      expect(role.title.en, role.name).to.match(/\S/);
      expect(role.title.pl, role.name).to.match(/\S/);
    }
  });

  it("let the settings form name every role once, and no more", async () => {
    const input = (count: number) =>
      plainToInstance(SaveAccountContactsInput, {
        accountId: "QWNjb3VudDox",
        expectedVersion: 1,
        primaryContactUserId: "VXNlcjox",
        billingContactUserIds: [],
        roleContacts: Array.from({ length: count }, (_, i) => ({ role: EXPECTED_ROLES[i % EXPECTED_ROLES.length], userId: "VXNlcjox" })),
      });
    const tooMany = (errors: Awaited<ReturnType<typeof validate>>) =>
      errors.some((error) => error.property === "roleContacts" && "arrayMaxSize" in (error.constraints ?? {}));
    expect(tooMany(await validate(input(EXPECTED_ROLES.length)))).to.equal(false);
    expect(tooMany(await validate(input(EXPECTED_ROLES.length + 1)))).to.equal(true);
  });

  describe("the demo data", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
      expect(await seedDemoData(server.db, server.app.outbox)).to.equal(true);
    });
    after(() => server.close());

    it("shows every expected role with a contact in some demo account, read through the API", async () => {
      const token = await tokenFor(DEMO_ADMIN.email, DEMO_ADMIN.name);
      const data = ok(await server.graphql("{ accounts(first: 20) { nodes { roleContacts { role } } } }", {}, token));
      const shown = new Set(
        (data.accounts.nodes as { roleContacts: { role: string }[] }[]).flatMap((account) =>
          account.roleContacts.map((entry) => entry.role),
        ),
      );
      expect([...shown]).to.have.members(EXPECTED_ROLES);
    });
  });
});
