import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, ok } from "./helpers/factories";
import { checkContactInvariants } from "./helpers/invariants";

const CONTACTS = `query($id: ID!) { account(id: $id) {
  contacts { slot position email phone title user { email } }
  contactHistory(first: 50) { edges { node { slot action previousEmail newEmail previousPhone newPhone previousTitle newTitle } } }
} }`;

interface Contact {
  slot: string;
  position: number;
  email: string;
  phone: string | null;
  title: string | null;
}
interface Change {
  slot: string;
  action: string;
  previousEmail: string | null;
  newEmail: string | null;
  previousPhone: string | null;
  newPhone: string | null;
  previousTitle: string | null;
  newTitle: string | null;
}

describe("a phone number and a title on every contact slot", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const read = async (token: string, id: string) => {
    const account = ok(
      await server.graphql<{ account: { contacts: Contact[]; contactHistory: { edges: { node: Change }[] } } }>(CONTACTS, { id }, token),
    ).account;
    return { contacts: account.contacts, history: account.contactHistory.edges.map((edge) => edge.node) };
  };
  const run = (token: string, mutation: string, input: Record<string, unknown>) =>
    server.graphql(
      `mutation($input: ${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { account { id } } }`,
      { input },
      token,
    );
  const invariants = async () => (await checkContactInvariants((text) => server.db.dataSource.query(text))).problems;

  it("stores each slot's phone in E.164 and its title, set through the single-slot mutations", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "details");
    ok(
      await run(admin.token, "setPrimaryContact", {
        accountId: account.id,
        userId: members[0]!.id,
        phone: "+48 601 234 567",
        title: "  Head of Finance ",
      }),
    );
    ok(await run(admin.token, "addBillingContact", { accountId: account.id, userId: members[1]!.id, phone: "+1 (415) 555-2671" }));
    ok(
      await run(admin.token, "setRoleContact", {
        accountId: account.id,
        role: "SECURITY",
        email: "soc@partner.example",
        phone: "+442079460958",
        title: "SOC lead",
      }),
    );
    const { contacts } = await read(admin.token, account.id);
    expect(contacts.map(({ slot, position, phone, title }) => ({ slot, position, phone, title }))).to.deep.equal([
      { slot: "PRIMARY", position: 0, phone: "+48601234567", title: "Head of Finance" },
      { slot: "BILLING", position: 0, phone: "+14155552671", title: null },
      { slot: "SECURITY", position: 0, phone: "+442079460958", title: "SOC lead" },
    ]);
    expect(await invariants()).to.deep.equal([]);
  });

  it("records a change of phone or title alone as DETAILS, keeps what the input leaves out, clears what it sets to null, and gives a new contact none", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2, "detailshist");
    ok(await run(admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id, phone: "+48601234567", title: "CFO" }));
    ok(await run(admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id, title: "Finance director" }));
    // The same again changes nothing.
    ok(await run(admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id, title: "Finance director" }));
    ok(await run(admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id, phone: null }));
    ok(await run(admin.token, "setPrimaryContact", { accountId: account.id, userId: members[1]!.id }));
    const { contacts, history } = await read(admin.token, account.id);
    expect(contacts[0]).to.deep.include({ email: members[1]!.email, phone: null, title: null });
    const primary = history.filter((change) => change.slot === "PRIMARY").reverse();
    expect(
      primary.map(({ action, previousEmail, newEmail, previousPhone, newPhone, previousTitle, newTitle }) => [
        action,
        previousEmail,
        newEmail,
        previousPhone,
        newPhone,
        previousTitle,
        newTitle,
      ]),
    ).to.deep.equal([
      ["SET", null, admin.email, null, null, null, null],
      ["SET", admin.email, members[0]!.email, null, "+48601234567", null, "CFO"],
      ["DETAILS", members[0]!.email, members[0]!.email, "+48601234567", "+48601234567", "CFO", "Finance director"],
      ["DETAILS", members[0]!.email, members[0]!.email, "+48601234567", null, "Finance director", "Finance director"],
      ["SET", members[0]!.email, members[1]!.email, null, null, "Finance director", null],
    ]);
    expect(await invariants()).to.deep.equal([]);
  });

  it("refuses a phone that is not a number in international form, and a title a name could not be, naming the field, and changes nothing", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "detailsbad");
    const refusals: [string, Record<string, unknown>, string][] = [
      ["setPrimaryContact", { userId: members[0]!.id, phone: "601 234 567" }, "input.phone"],
      ["setPrimaryContact", { userId: members[0]!.id, phone: "+48 12" }, "input.phone"],
      ["addBillingContact", { userId: members[0]!.id, phone: "call me" }, "input.phone"],
      ["setRoleContact", { role: "SECURITY", email: "x@partner.example", title: "Line\nbreak" }, "input.title"],
      ["setRoleContact", { role: "SECURITY", email: "x@partner.example", title: "x".repeat(101) }, "input.title"],
      ["setRoleContact", { role: "SECURITY", email: "x@partner.example", title: "   " }, "input.title"],
    ];
    for (const [mutation, input, field] of refusals) {
      const error = failsWith(await run(admin.token, mutation, { accountId: account.id, ...input }), "BAD_USER_INPUT");
      expect(
        (error.extensions!.invalidFields as { field: string }[]).map((problem) => problem.field),
        `${mutation} ${JSON.stringify(input)}`,
      ).to.deep.equal([field]);
    }
    const { contacts, history } = await read(admin.token, account.id);
    expect(contacts).to.have.lengthOf(1);
    expect(history).to.have.lengthOf(1);
  });

  it("sets phones and titles of every kind of slot in one saveAccountContacts, and refuses details for someone who is not a billing contact", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2, "detailssave");
    const save = (input: Record<string, unknown>, version: number) =>
      server.graphql(
        `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { contactsVersion } } }`,
        { input: { accountId: account.id, expectedVersion: version, ...input } },
        admin.token,
      );
    ok(
      await save(
        {
          primaryContactDetails: { phone: "+48 601 234 567" },
          billingContactUserIds: [members[0]!.id],
          billingContactDetails: [{ userId: members[0]!.id, title: "Accounts payable" }],
          roleContacts: [{ role: "TECHNICAL_ADMIN", userId: members[1]!.id, phone: "+14155552671" }],
        },
        1,
      ),
    );
    const { contacts } = await read(admin.token, account.id);
    expect(contacts.map(({ slot, phone, title }) => [slot, phone, title])).to.deep.equal([
      ["PRIMARY", "+48601234567", null],
      ["BILLING", null, "Accounts payable"],
      ["TECHNICAL_ADMIN", "+14155552671", null],
    ]);
    const error = failsWith(
      await save({ billingContactDetails: [{ userId: members[1]!.id, phone: "+48601234567" }] }, 2),
      "BAD_USER_INPUT",
    );
    expect(error.extensions!.invalidFields).to.deep.include.members([
      { field: "input.billingContactDetails.0.userId", message: (error.extensions!.invalidFields as { message: string }[])[0]!.message },
    ]);
    const repeated = failsWith(
      await save(
        {
          billingContactDetails: [
            { userId: members[0]!.id, title: "Payables" },
            { userId: members[0]!.id, title: "Receivables" },
          ],
        },
        2,
      ),
      "BAD_USER_INPUT",
    );
    expect(repeated.extensions!.invalidFields).to.deep.equal([
      { field: "input.billingContactDetails", message: "billingContactDetails names the same member more than once." },
    ]);
    const clearing = failsWith(
      await save({ roleContacts: [{ role: "TECHNICAL_ADMIN", clear: true, phone: "+48601234567" }] }, 2),
      "BAD_USER_INPUT",
    );
    expect((clearing.extensions!.invalidFields as { field: string }[]).map((problem) => problem.field)).to.deep.equal([
      "input.roleContacts.0.clear",
    ]);
    const invalid = failsWith(
      await save({ roleContacts: [{ role: "SECURITY", email: "soc@partner.example", phone: "12" }] }, 2),
      "BAD_USER_INPUT",
    );
    expect((invalid.extensions!.invalidFields as { field: string }[]).map((problem) => problem.field)).to.deep.equal([
      "input.roleContacts.0.phone",
    ]);
    expect(await invariants()).to.deep.equal([]);
  });
});
