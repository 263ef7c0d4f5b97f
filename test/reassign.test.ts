import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, addMember, failsWith, mutate, ok, readAccount, readHistory, type TestUser } from "./helpers/factories";
import { checkContactInvariants } from "./helpers/invariants";

const REMOVE = `mutation($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) {
  account {
    contactsVersion primaryContact { id } billingContacts { id } roleContacts { role user { id } }
    members(first: 50) { edges { node { user { id } } } }
  }
  removedUserId
} }`;

const SLOTS = `query($accountId: ID!) { viewer { contactSlots(accountId: $accountId) } }`;
const MEMBER_SLOTS = `query($id: ID!) { account(id: $id) { members(first: 50) { edges { node { user { id contactSlots(accountId: $id) } } } } } }`;

describe("removing a member who holds contacts (reassignTo) and User.contactSlots", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const remove = (admin: TestUser, accountId: string, userId: string, reassignTo?: string) =>
    server.graphql(REMOVE, { input: { accountId, userId, ...(reassignTo ? { reassignTo } : {}) } }, admin.token);

  /** An account where `leaving` is primary, the middle of three billing contacts, and holds two roles. */
  async function accountWithLeaver() {
    const { admin, account, members } = await accountWithMembers(server, 4, "leave");
    const [leaving, first, last, successor] = members as [TestUser, TestUser, TestUser, TestUser];
    const set = async (name: string, input: Record<string, unknown>) =>
      ok(await mutate(server, admin.token, name, { accountId: account.id, ...input }));
    await set("setPrimaryContact", { userId: leaving.id });
    for (const member of [first, leaving, last]) {
      await set("addBillingContact", { userId: member.id });
    }
    await set("setRoleContact", { role: "SECURITY", userId: leaving.id });
    await set("setRoleContact", { role: "TECHNICAL_ADMIN", userId: leaving.id });
    await set("setRoleContact", { role: "DECISION_MAKER", userId: first.id });
    const state = await readAccount(server, admin.token, account.id);
    return { admin, account: state, leaving, first, last, successor };
  }

  it("hands every slot, primary included, to reassignTo in one change, the successor after the remaining billing contacts", async () => {
    const { admin, account, leaving, first, last, successor } = await accountWithLeaver();
    expect(account.primaryContact.id).to.equal(leaving.id);
    const historyBefore = (await readHistory(server, admin.token, account.id)).length;
    const payload = ok(await remove(admin, account.id, leaving.id, successor.id)).removeAccountMember;
    expect(payload.removedUserId).to.equal(leaving.id);
    const result = payload.account;
    expect(result.contactsVersion).to.equal(account.contactsVersion + 1);
    expect(result.primaryContact.id).to.equal(successor.id);
    expect(result.billingContacts.map((user: { id: string }) => user.id)).to.deep.equal([first.id, last.id, successor.id]);
    expect(result.roleContacts).to.deep.equal([
      { role: "DECISION_MAKER", user: { id: first.id } },
      { role: "SECURITY", user: { id: successor.id } },
      { role: "TECHNICAL_ADMIN", user: { id: successor.id } },
    ]);
    expect(result.members.edges.map((edge: { node: { user: { id: string } } }) => edge.node.user.id)).to.not.include(leaving.id);
    const added = (await readHistory(server, admin.token, account.id)).slice(0, -historyBefore);
    expect(added.map((row) => `${row.slot} ${row.action} ${row.previousEmail} ${row.newEmail}`).sort()).to.deep.equal(
      [
        `PRIMARY SET ${leaving.email} ${successor.email}`,
        `BILLING REMOVE ${leaving.email} null`,
        `BILLING ADD null ${successor.email}`,
        `SECURITY SET ${leaving.email} ${successor.email}`,
        `TECHNICAL_ADMIN SET ${leaving.email} ${successor.email}`,
      ].sort(),
    );
  });

  it("lists nobody twice when the successor is already a billing contact, and never passes the cap", async () => {
    const { admin, account, leaving, first, last } = await accountWithLeaver();
    const result = ok(await remove(admin, account.id, leaving.id, last.id)).removeAccountMember.account;
    expect(result.billingContacts.map((user: { id: string }) => user.id)).to.deep.equal([first.id, last.id]);
    expect(result.primaryContact.id).to.equal(last.id);
    const history = await readHistory(server, admin.token, account.id);
    expect(history.filter((row) => row.slot === "BILLING" && row.action === "ADD" && row.newEmail === last.email)).to.have.lengthOf(1);
  });

  it("refuses a reassignTo who is not a member, or who is the member leaving, and changes nothing", async () => {
    const { admin, account, leaving } = await accountWithLeaver();
    const outsider = await accountWithMembers(server, 0, "leave-out");
    for (const reassignTo of [outsider.admin.id, leaving.id, "not-an-id", account.id]) {
      const error = failsWith(await remove(admin, account.id, leaving.id, reassignTo), "BAD_USER_INPUT");
      expect(
        error.extensions!.invalidFields.map((entry: { field: string }) => entry.field),
        reassignTo,
      ).to.deep.equal(["input.reassignTo"]);
    }
    const after = await readAccount(server, admin.token, account.id);
    expect(after).to.deep.equal(account);
  });

  it("keeps the contact rules without reassignTo: the primary contact cannot leave, others take their slots with them", async () => {
    const { admin, account, leaving, first } = await accountWithLeaver();
    failsWith(await remove(admin, account.id, leaving.id), "PRIMARY_CONTACT_REQUIRED");
    const result = ok(await remove(admin, account.id, first.id)).removeAccountMember.account;
    expect(result.billingContacts.map((user: { id: string }) => user.id)).to.not.include(first.id);
    expect(result.roleContacts.map((role: { role: string }) => role.role)).to.not.include("DECISION_MAKER");
  });

  it("still refuses to remove the last admin, even with reassignTo", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "lastadmin");
    failsWith(await remove(admin, account.id, admin.id, members[0]!.id), "LAST_ADMIN");
    expect((await readAccount(server, admin.token, account.id)).primaryContact.id).to.equal(admin.id);
  });

  it("lets a second admin who holds the primary slot leave, passing it on", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "adminleave");
    const other = await addMember(server, admin, account.id, `adminleave-2-${Math.random().toString(36).slice(2, 8)}@example.com`, "ADMIN");
    ok(await remove(other, account.id, admin.id, other.id));
    const state = await readAccount(server, other.token, account.id);
    expect(state.primaryContact.id).to.equal(other.id);
  });

  it("tells a screen which slots a member holds (User.contactSlots), in slot order", async () => {
    const { admin, account, leaving, first, last, successor } = await accountWithLeaver();
    const data = ok(await server.graphql(MEMBER_SLOTS, { id: account.id }, admin.token));
    const slots = new Map(
      data.account.members.edges.map((edge: { node: { user: { id: string; contactSlots: string[] } } }) => [
        edge.node.user.id,
        edge.node.user.contactSlots,
      ]),
    );
    expect(slots.get(leaving.id)).to.deep.equal(["PRIMARY", "BILLING", "SECURITY", "TECHNICAL_ADMIN"]);
    expect(slots.get(first.id)).to.deep.equal(["BILLING", "DECISION_MAKER"]);
    expect(slots.get(last.id)).to.deep.equal(["BILLING"]);
    expect(slots.get(successor.id)).to.deep.equal([]);
    expect(slots.get(admin.id)).to.deep.equal([]);
    expect(ok(await server.graphql(SLOTS, { accountId: account.id }, leaving.token)).viewer.contactSlots).to.have.lengthOf(4);
  });

  it("answers NOT_FOUND for contactSlots of an account the caller is not a member of", async () => {
    const { account } = await accountWithLeaver();
    const outsider = await accountWithMembers(server, 0, "slots-out");
    failsWith(await server.graphql(SLOTS, { accountId: account.id }, outsider.admin.token), "NOT_FOUND");
  });

  it("leaves a history that replays to exactly the contacts every reassignment left", async () => {
    for (let round = 0; round < 3; round++) {
      const { admin, account, leaving, successor } = await accountWithLeaver();
      ok(await remove(admin, account.id, leaving.id, successor.id));
    }
    const report = await checkContactInvariants((sql) => server.db.read((m) => m.query(sql)));
    expect(report.historyRows).to.be.greaterThan(0);
    expect(report.problems).to.deep.equal([]);
  });
});
