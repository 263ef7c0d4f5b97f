import { expect } from "chai";
import { isInputObjectType, isObjectType, type GraphQLSchema } from "graphql";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, ok } from "./helpers/factories";
import { createSchema } from "../src/schema";
import { CONTACT_DETAIL_KEYS, type ContactDetailKey } from "../src/contacts/contact-details";

/*
 * Every attribute declared in CONTACT_DETAILS, whatever it is, must reach the database, the API and
 * history. The cases are generated from that list; the values below are an independent copy on
 * purpose (what a client would type, and what the service must store), so a new attribute fails here
 * until someone says what it accepts.
 */
const SAMPLES: Record<ContactDetailKey, { given: string; stored: string; refused: string }> = {
  phone: { given: "+48 601 234 567", stored: "+48601234567", refused: "601-CALL-NOW" },
  title: { given: "  Head of Finance ", stored: "Head of Finance", refused: "\u0007" },
  languageTag: { given: "en-gb", stored: "en-GB", refused: "not a language" },
};

const capitalised = (key: string) => `${key[0]!.toUpperCase()}${key.slice(1)}`;

/** The input types that carry a slot's details: those with a field named like any attribute. */
function detailInputs(schema: GraphQLSchema) {
  return Object.values(schema.getTypeMap())
    .filter(isInputObjectType)
    .filter((type) => CONTACT_DETAIL_KEYS.some((key) => key in type.getFields()));
}

describe("contact detail attributes, from their one declaration", () => {
  let server: TestServer;
  let schema: GraphQLSchema;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    schema = await createSchema();
  });
  after(() => server.close());

  it("has a sample for every declared attribute, and no sample for one that is not declared", () => {
    expect(Object.keys(SAMPLES).sort()).to.deep.equal([...CONTACT_DETAIL_KEYS].sort());
  });

  it("gives every input that carries details a nullable String field for each attribute", () => {
    const inputs = detailInputs(schema);
    expect(inputs.map((type) => type.name)).to.include.members([
      "SetPrimaryContactInput",
      "AddBillingContactInput",
      "SetRoleContactInput",
      "ContactDetailsInput",
      "RoleContactEntryInput",
      "BillingContactDetailsInput",
    ]);
    for (const type of inputs) {
      for (const key of CONTACT_DETAIL_KEYS) {
        expect(String(type.getFields()[key]?.type), `${type.name}.${key}`).to.equal("String");
      }
    }
  });

  it("shows each attribute on AccountContact, and before and after on ContactChange", () => {
    const contact = schema.getType("AccountContact");
    const change = schema.getType("ContactChange");
    if (!isObjectType(contact) || !isObjectType(change)) throw new Error("AccountContact and ContactChange are object types");
    for (const key of CONTACT_DETAIL_KEYS) {
      expect(String(contact.getFields()[key]?.type), `AccountContact.${key}`).to.equal("String");
      for (const side of ["previous", "new"]) {
        expect(String(change.getFields()[`${side}${capitalised(key)}`]?.type), `ContactChange.${side}${capitalised(key)}`).to.equal(
          "String",
        );
      }
    }
  });

  it("has a column for each attribute in contact_slots, and before and after in contact_changes", async () => {
    const postgres = server.db.dataSource.options.type === "postgres";
    const columnsOf = async (table: string): Promise<string[]> => {
      const rows: { name: string }[] = await server.db.dataSource.query(
        postgres
          ? `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}'`
          : `SELECT name FROM pragma_table_info('${table}')`,
      );
      return rows.map((row) => row.name);
    };
    const slots = await columnsOf("contact_slots");
    const changes = await columnsOf("contact_changes");
    for (const key of CONTACT_DETAIL_KEYS) {
      expect(slots, "contact_slots").to.include(key);
      expect(changes, "contact_changes").to.include.members([`previous${capitalised(key)}`, `new${capitalised(key)}`]);
    }
  });

  for (const key of CONTACT_DETAIL_KEYS) {
    it(`stores ${key} in its stored form on every kind of slot, keeps it in history, and refuses a bad one naming the field`, async () => {
      const sample = SAMPLES[key];
      const { admin, account, members } = await accountWithMembers(server, 3, `attr-${key.toLowerCase()}`);
      const mutate = (name: string, input: Record<string, unknown>) =>
        server.graphql<Record<string, { account: { contactsVersion: number } }>>(
          `mutation($input: ${capitalised(name)}Input!) { ${name}(input: $input) { account { contactsVersion } } }`,
          { input },
          admin.token,
        );

      ok(await mutate("setPrimaryContact", { accountId: account.id, userId: members[0]!.id, [key]: sample.given }));
      ok(await mutate("addBillingContact", { accountId: account.id, userId: members[1]!.id, [key]: sample.given }));
      const { contactsVersion } = ok(
        await mutate("setRoleContact", {
          accountId: account.id,
          role: "SECURITY",
          email: `outside-${key.toLowerCase()}@partner.example`,
          [key]: sample.given,
        }),
      ).setRoleContact!.account;
      ok(
        await mutate("saveAccountContacts", {
          accountId: account.id,
          expectedVersion: contactsVersion,
          roleContacts: [{ role: "DECISION_MAKER", userId: members[2]!.id, [key]: sample.given }],
        }),
      );

      for (const [name, input, field] of [
        ["setPrimaryContact", { userId: members[0]!.id, [key]: sample.refused }, `input.${key}`],
        [
          "setRoleContact",
          { role: "SECURITY", email: `outside-${key.toLowerCase()}@partner.example`, [key]: sample.refused },
          `input.${key}`,
        ],
        [
          "saveAccountContacts",
          { expectedVersion: contactsVersion + 1, billingContactDetails: [{ userId: members[1]!.id, [key]: sample.refused }] },
          `input.billingContactDetails.0.${key}`,
        ],
      ] as const) {
        const refused = failsWith(await mutate(name, { accountId: account.id, ...input }), "BAD_USER_INPUT");
        const fields = (refused.extensions?.invalidFields as { field: string }[] | undefined)?.map((invalid) => invalid.field);
        expect(fields, `${name}: ${JSON.stringify(refused)}`).to.deep.equal([field]);
      }

      const answer = ok(
        await server.graphql<{
          account: { contacts: Record<string, string | null>[]; contactHistory: { nodes: Record<string, string | null>[] } };
        }>(
          `query($id: ID!) { account(id: $id) {
            contacts { slot ${key} }
            contactHistory(first: 20) { nodes { slot action previous${capitalised(key)} new${capitalised(key)} } }
          } }`,
          { id: account.id },
          admin.token,
        ),
      ).account;
      const bySlot = Object.fromEntries(answer.contacts.map((contact) => [contact.slot, contact[key]]));
      expect(bySlot).to.include({ PRIMARY: sample.stored, BILLING: sample.stored, SECURITY: sample.stored, DECISION_MAKER: sample.stored });
      const recorded = answer.contactHistory.nodes.filter((change) => change[`new${capitalised(key)}`] === sample.stored);
      expect(recorded.map((change) => change.slot).sort()).to.deep.equal(["BILLING", "DECISION_MAKER", "PRIMARY", "SECURITY"]);
    });
  }
});
