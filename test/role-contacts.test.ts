import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, mutate, ok, readAccount, readHistory, signIn } from "./helpers/factories";

describe("role contacts", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const setRole = (token: string, input: Record<string, unknown>) => mutate(server, token, "setRoleContact", input);
  const clearRole = (token: string, input: Record<string, unknown>) => mutate(server, token, "clearRoleContact", input);

  it("gives each role to a member and lists the set roles in ContactRoleKind order", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3);
    ok(await setRole(admin.token, { accountId: account.id, role: "TECHNICAL_ADMIN", userId: members[0]!.id }));
    ok(await setRole(admin.token, { accountId: account.id, role: "DECISION_MAKER", userId: members[1]!.id }));
    const result = ok(await setRole(admin.token, { accountId: account.id, role: "IMPLEMENTATION", userId: members[2]!.id }));
    expect(result.setRoleContact!.roleContacts.map((contact) => [contact.role, contact.user?.id, contact.isExternal])).to.deep.equal([
      ["DECISION_MAKER", members[1]!.id, false],
      ["IMPLEMENTATION", members[2]!.id, false],
      ["TECHNICAL_ADMIN", members[0]!.id, false],
    ]);
    const single = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { set: roleContact(role: DECISION_MAKER) { email updatedBy { email } } unset: roleContact(role: SECURITY) { email } } }`,
        { id: account.id },
        admin.token,
      ),
    );
    expect(single.account.set).to.deep.equal({ email: members[1]!.email, updatedBy: { email: admin.email } });
    expect(single.account.unset).to.equal(null);
  });

  it("replaces a role's contact with one history row holding both addresses", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2);
    ok(await setRole(admin.token, { accountId: account.id, role: "DECISION_MAKER", userId: members[0]!.id }));
    ok(await setRole(admin.token, { accountId: account.id, role: "DECISION_MAKER", userId: members[1]!.id }));
    const [latest] = await readHistory(server, admin.token, account.id);
    expect(latest).to.deep.include({
      slot: "DECISION_MAKER",
      action: "SET",
      previousEmail: members[0]!.email,
      newEmail: members[1]!.email,
    });
    const state = await readAccount(server, admin.token, account.id);
    expect(state.roleContacts).to.have.lengthOf(1);
  });

  it("accepts an outside email address for SECURITY, lower-cased and marked external", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const result = ok(await setRole(admin.token, { accountId: account.id, role: "SECURITY", email: "SOC@Partner.Example" }));
    expect(result.setRoleContact!.roleContacts).to.deep.equal([
      { role: "SECURITY", email: "soc@partner.example", isExternal: true, user: null, updatedBy: { email: admin.email } },
    ]);
  });

  it("stores the member when SECURITY is given a member's email address", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    const result = ok(await setRole(admin.token, { accountId: account.id, role: "SECURITY", email: members[0]!.email.toUpperCase() }));
    const [security] = result.setRoleContact!.roleContacts;
    expect(security).to.deep.include({ isExternal: false, email: members[0]!.email });
    expect(security!.user!.id).to.equal(members[0]!.id);
  });

  it("refuses an email address for any role but SECURITY with BAD_USER_INPUT", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    for (const role of ["DECISION_MAKER", "IMPLEMENTATION", "TECHNICAL_ADMIN"]) {
      failsWith(await setRole(admin.token, { accountId: account.id, role, email: "someone@outside.example" }), "BAD_USER_INPUT");
    }
    expect((await readAccount(server, admin.token, account.id)).roleContacts).to.deep.equal([]);
  });

  it("refuses both or neither of userId and email with BAD_USER_INPUT", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    failsWith(await setRole(admin.token, { accountId: account.id, role: "SECURITY" }), "BAD_USER_INPUT");
    failsWith(
      await setRole(admin.token, { accountId: account.id, role: "SECURITY", userId: members[0]!.id, email: "x@outside.example" }),
      "BAD_USER_INPUT",
    );
  });

  it("refuses an invalid email address and a non-member with BAD_USER_INPUT", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const outsider = await signIn(server, "role-outsider@example.com");
    const invalid = failsWith(
      await setRole(admin.token, { accountId: account.id, role: "SECURITY", email: "not an email" }),
      "BAD_USER_INPUT",
    );
    expect(invalid.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.email"]);
    failsWith(await setRole(admin.token, { accountId: account.id, role: "TECHNICAL_ADMIN", userId: outsider.id }), "BAD_USER_INPUT");
  });

  it("is idempotent: setting the same contact again or clearing an unset role writes nothing", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    const first = ok(await setRole(admin.token, { accountId: account.id, role: "IMPLEMENTATION", userId: members[0]!.id }));
    const again = ok(await setRole(admin.token, { accountId: account.id, role: "IMPLEMENTATION", userId: members[0]!.id }));
    const external = ok(await setRole(admin.token, { accountId: account.id, role: "SECURITY", email: "sec@outside.example" }));
    const externalAgain = ok(await setRole(admin.token, { accountId: account.id, role: "SECURITY", email: "SEC@outside.example" }));
    const clearUnset = ok(await clearRole(admin.token, { accountId: account.id, role: "DECISION_MAKER" }));
    expect(again.setRoleContact!.contactsVersion).to.equal(first.setRoleContact!.contactsVersion);
    expect(externalAgain.setRoleContact!.contactsVersion).to.equal(external.setRoleContact!.contactsVersion);
    expect(clearUnset.clearRoleContact!.contactsVersion).to.equal(external.setRoleContact!.contactsVersion);
    const history = await readHistory(server, admin.token, account.id);
    expect(history.map((row) => row.slot)).to.deep.equal(["SECURITY", "IMPLEMENTATION", "PRIMARY"]);
  });

  it("clears a role with one CLEAR history row", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    ok(await setRole(admin.token, { accountId: account.id, role: "TECHNICAL_ADMIN", userId: members[0]!.id }));
    const result = ok(await clearRole(admin.token, { accountId: account.id, role: "TECHNICAL_ADMIN" }));
    expect(result.clearRoleContact!.roleContacts).to.deep.equal([]);
    const [latest] = await readHistory(server, admin.token, account.id);
    expect(latest).to.deep.include({ slot: "TECHNICAL_ADMIN", action: "CLEAR", previousEmail: members[0]!.email, newEmail: null });
  });
});
