import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { buildSchema, type GraphQLEnumType } from "graphql";
import { validate } from "class-validator";
import { plainToInstance } from "./helpers/plain";
import { CONTACT_ROLES, ContactRoleKind, ContactSlot, OUTSIDE_ADDRESS_ROLES } from "../src/contacts/contact.enums";
import { NOTIFICATION_CATEGORIES, NOTIFICATION_ROUTES } from "../src/notifications/notification-routing";
import { SaveAccountContactsInput } from "../src/contacts/save-contacts.types";
import { demoRoles } from "../src/seed";

/** Every list of roles, slots and categories the service shows is the role table or the routing table. */
describe("the role and routing tables", () => {
  const schema = buildSchema(fs.readFileSync(path.join(__dirname, "..", "..", "schema.graphql"), "utf8"));
  const values = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues();
  const roleNames = CONTACT_ROLES.map((role) => role.name);

  it("give the GraphQL enums their values and the descriptions that say where each category goes", () => {
    expect(values("ContactRoleKind").map((value) => value.name)).to.have.members(roleNames);
    expect(values("ContactSlot").map((value) => value.name)).to.have.members(["PRIMARY", "BILLING", ...roleNames]);
    expect(values("NotificationCategory").map((value) => value.name)).to.have.members(NOTIFICATION_CATEGORIES.map((c) => c.name));
    for (const role of CONTACT_ROLES) {
      const description = values("ContactRoleKind").find((value) => value.name === role.name)!.description!;
      for (const category of NOTIFICATION_CATEGORIES) {
        const routed = NOTIFICATION_ROUTES[category.name].has(role.name);
        expect(description.includes(category.noun), `${role.name} / ${category.name}`).to.equal(routed);
      }
      expect(description.includes("not a user"), role.name).to.equal(role.outsideAddress);
    }
  });

  it("name every role once, with English and Polish titles, and route only to slots that exist", () => {
    expect(new Set(roleNames).size).to.equal(roleNames.length);
    expect(Object.keys(ContactRoleKind)).to.deep.equal(roleNames);
    expect(Object.keys(ContactSlot)).to.deep.equal(["PRIMARY", "BILLING", ...roleNames]);
    expect(OUTSIDE_ADDRESS_ROLES).to.deep.equal(CONTACT_ROLES.filter((role) => role.outsideAddress).map((role) => role.name));
    for (const role of CONTACT_ROLES) {
      expect(role.title.en, role.name).to.match(/\S/);
      expect(role.title.pl, role.name).to.match(/\S/);
      expect(role.duty, role.name).to.match(/\S/);
    }
    for (const category of NOTIFICATION_CATEGORIES) {
      for (const slot of category.slots) expect(Object.keys(ContactSlot), category.name).to.include(slot);
    }
  });

  it("let the settings form name every role once, and no more", async () => {
    const input = (count: number) =>
      plainToInstance(SaveAccountContactsInput, {
        accountId: "QWNjb3VudDox",
        expectedVersion: 1,
        primaryContactUserId: "VXNlcjox",
        billingContactUserIds: [],
        roleContacts: Array.from({ length: count }, (_, i) => ({ role: roleNames[i % roleNames.length], userId: "VXNlcjox" })),
      });
    const tooMany = (errors: Awaited<ReturnType<typeof validate>>) => errors.some((error) => error.property === "roleContacts" && "arrayMaxSize" in (error.constraints ?? {}));
    expect(tooMany(await validate(input(roleNames.length)))).to.equal(false);
    expect(tooMany(await validate(input(roleNames.length + 1)))).to.equal(true);
  });

  it("show every role in the demo data", () => {
    const shown = new Set(demoRoles().flatMap((roles) => Object.keys(roles)));
    expect([...shown]).to.have.members(roleNames);
  });
});
