import { expect } from "chai";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";
import {
  acceptInvitation,
  accountWithMembers,
  addMember,
  createAccount,
  failsWith,
  mutate,
  ok,
  readAccount,
  readHistory,
  signIn,
} from "./helpers/factories";

describe("members", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const MEMBERS = `members { totalCount edges { node { role displayName user { email name } } } }`;

  /**
   * Adds a member: someone new is invited and accepts, signed in with a token without a name, as a
   * person would. `data.addAccountMember` is the account after the change.
   */
  const addInput = async (input: Record<string, unknown>, token: string) => {
    const response = await server.graphql(
      `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id email } account { id ${MEMBERS} } } }`,
      { input },
      token,
    );
    const payload = response.data?.addAccountMember;
    if (payload?.invitation) {
      const person = await signIn(server, payload.invitation.email);
      await acceptInvitation(server, person, payload.invitation.id);
      response.data!.addAccountMember = ok(
        await server.graphql(`query($id: ID!) { account(id: $id) { ${MEMBERS} } }`, { id: payload.account.id }, token),
      ).account;
    } else if (payload) response.data!.addAccountMember = payload.account;
    return response;
  };
  const remove = (token: string, input: Record<string, unknown>) => mutate(server, token, "removeAccountMember", input);

  it("adds a member by email (creating the user, lower-cased) with MEMBER as the default role and the name given for this account", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const data = ok(await addInput({ accountId: account.id, email: "  Linus@Example.COM ".trim(), name: "Linus" }, admin.token));
    const added = data.addAccountMember.members.edges
      .map((edge: any) => edge.node)
      .find((node: any) => node.user.email === "linus@example.com");
    expect(added).to.deep.equal({ role: "MEMBER", displayName: "Linus", user: { email: "linus@example.com", name: null } });
    expect(data.addAccountMember.members.totalCount).to.equal(2);
  });

  it("changes an existing member's role instead of adding them twice", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    const data = ok(await addInput({ accountId: account.id, email: members[0]!.email, role: "ADMIN" }, admin.token));
    expect(data.addAccountMember.members.totalCount).to.equal(2);
    const roles = data.addAccountMember.members.edges.map((edge: any) => edge.node.role);
    expect(roles).to.deep.equal(["ADMIN", "ADMIN"]);
  });

  it("refuses a bad email, an over-long name and an empty name with BAD_USER_INPUT", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const invalidField = async (input: Record<string, unknown>) =>
      failsWith(await addInput({ accountId: account.id, ...input }, admin.token), "BAD_USER_INPUT").extensions!.invalidFields[0].field;
    expect(await invalidField({ email: "nobody" })).to.equal("input.email");
    expect(await invalidField({ email: "long@example.com", name: "x".repeat(201) })).to.equal("input.name");
    expect(await invalidField({ email: "blank@example.com", name: "   " })).to.equal("input.name");
    expect((await readAccount(server, admin.token, account.id)).id).to.equal(account.id);
  });

  it("lets a plain member read the account but not change it (FORBIDDEN), and writes nothing", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2);
    const reader = members[0]!;
    const state = await readAccount(server, reader.token, account.id);
    expect(state.viewerRole).to.equal("MEMBER");
    const attempts = [
      addInput({ accountId: account.id, email: "intruder@example.com" }, reader.token),
      addInput({ accountId: account.id, email: reader.email, role: "ADMIN" }, reader.token),
      remove(reader.token, { accountId: account.id, userId: members[1]!.id }),
      mutate(server, reader.token, "setPrimaryContact", { accountId: account.id, userId: reader.id }),
      mutate(server, reader.token, "addBillingContact", { accountId: account.id, userId: reader.id }),
      mutate(server, reader.token, "removeBillingContact", { accountId: account.id, userId: reader.id }),
      mutate(server, reader.token, "setRoleContact", { accountId: account.id, role: "SECURITY", userId: reader.id }),
      mutate(server, reader.token, "clearRoleContact", { accountId: account.id, role: "SECURITY" }),
    ];
    for (const response of await Promise.all(attempts)) failsWith(response, "FORBIDDEN");
    const after = await readAccount(server, admin.token, account.id);
    expect(after).to.deep.equal({ ...state, viewerRole: "ADMIN" });
    expect(await readHistory(server, admin.token, account.id)).to.have.lengthOf(1);
  });

  it("refuses to demote or remove the last admin with LAST_ADMIN", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    const demote = failsWith(await addInput({ accountId: account.id, email: admin.email, role: "MEMBER" }, admin.token), "LAST_ADMIN");
    expect(demote.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.role"]);
    ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id }));
    const removal = failsWith(await remove(admin.token, { accountId: account.id, userId: admin.id }), "LAST_ADMIN");
    expect(removal.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.userId"]);
    expect((await readAccount(server, admin.token, account.id)).viewerRole).to.equal("ADMIN");
  });

  it("lets an admin step down once another admin exists", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    ok(await addInput({ accountId: account.id, email: members[0]!.email, role: "ADMIN" }, admin.token));
    ok(await addInput({ accountId: account.id, email: admin.email, role: "MEMBER" }, admin.token));
    expect((await readAccount(server, admin.token, account.id)).viewerRole).to.equal("MEMBER");
  });

  it("keeps an existing member's role when addAccountMember leaves role out (an admin renamed stays ADMIN)", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    ok(await addInput({ accountId: account.id, email: members[0]!.email, role: "ADMIN" }, admin.token));
    ok(await addInput({ accountId: account.id, email: members[0]!.email, name: "Renamed" }, admin.token));
    ok(await addInput({ accountId: account.id, email: members[0]!.email, role: null }, admin.token));
    expect((await readAccount(server, members[0]!.token, account.id)).viewerRole).to.equal("ADMIN");
    const fresh = ok(await addInput({ accountId: account.id, email: "fresh@example.com" }, admin.token));
    const added = fresh.addAccountMember.members.edges
      .map((edge: any) => edge.node)
      .find((node: any) => node.user.email === "fresh@example.com");
    expect(added.role, "a new member without a role is a MEMBER").to.equal("MEMBER");
  });

  it("records joins, role changes, removals and leaving in memberHistory, newest first, with actor and roles", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2);
    const [promoted, leaver] = members as [typeof admin, typeof admin];
    ok(await addInput({ accountId: account.id, email: promoted.email, role: "ADMIN" }, admin.token));
    ok(await addInput({ accountId: account.id, email: promoted.email, role: "ADMIN" }, admin.token));
    ok(await addInput({ accountId: account.id, email: promoted.email, name: "Same role" }, admin.token));
    ok(
      await server.graphql(
        `mutation($input: LeaveAccountInput!) { leaveAccount(input: $input) { accountId } }`,
        { input: { accountId: account.id } },
        leaver.token,
      ),
    );
    ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: promoted.id }));
    ok(await remove(promoted.token, { accountId: account.id, userId: admin.id }));
    const history = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { memberHistory(first: 10) { totalCount nodes { id action email previousRole newRole actor { email } } } } }`,
        { id: account.id },
        promoted.token,
      ),
    ).account.memberHistory;
    const rows = history.nodes.map(({ id: _id, ...row }: any) => row);
    expect(rows.slice(0, 3)).to.deep.equal([
      { action: "REMOVED", email: admin.email, previousRole: "ADMIN", newRole: null, actor: { email: promoted.email } },
      { action: "LEFT", email: leaver.email, previousRole: "MEMBER", newRole: null, actor: { email: leaver.email } },
      { action: "ROLE_CHANGED", email: promoted.email, previousRole: "MEMBER", newRole: "ADMIN", actor: { email: admin.email } },
    ]);
    expect(rows.slice(3).map((row: any) => [row.action, row.email, row.newRole])).to.deep.equal([
      ["JOINED", leaver.email, "MEMBER"],
      ["JOINED", promoted.email, "MEMBER"],
      ["JOINED", admin.email, "ADMIN"],
    ]);
    expect(history.totalCount, "adding again with the same role writes nothing").to.equal(6);
    const node = ok(
      await server.graphql(
        `query($id: ID!) { node(id: $id) { ... on MemberChange { action } } }`,
        { id: history.nodes[0].id },
        promoted.token,
      ),
    );
    expect(node.node).to.deep.equal({ action: "REMOVED" });
    failsWith(await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: history.nodes[0].id }, admin.token), "NOT_FOUND");
  });

  it("refuses to remove the primary contact with PRIMARY_CONTACT_REQUIRED", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id }));
    failsWith(await remove(admin.token, { accountId: account.id, userId: members[0]!.id }), "PRIMARY_CONTACT_REQUIRED");
    expect((await readAccount(server, admin.token, account.id)).primaryContact.id).to.equal(members[0]!.id);
  });

  it("removes a member with their billing contact and roles, each in history, in one step", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2);
    const [leaving, staying] = [members[0]!, members[1]!];
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: leaving.id }));
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: staying.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", userId: leaving.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "DECISION_MAKER", userId: leaving.id }));
    const result = ok(await remove(admin.token, { accountId: account.id, userId: leaving.id })).removeAccountMember!;
    expect(result.billingContacts.map((user) => user.id)).to.deep.equal([staying.id]);
    expect(result.roleContacts).to.deep.equal([]);
    const history = await readHistory(server, admin.token, account.id);
    expect(history.slice(0, 3).map((row) => [row.slot, row.action, row.previousEmail])).to.have.deep.members([
      ["BILLING", "REMOVE", leaving.email],
      ["SECURITY", "CLEAR", leaving.email],
      ["DECISION_MAKER", "CLEAR", leaving.email],
    ]);
    const gone = await server.graphql(`query($id: ID!) { account(id: $id) { id } }`, { id: account.id }, leaving.token);
    failsWith(gone, "NOT_FOUND");
    expect(gone.data).to.deep.equal({ account: null });
  });

  it("refuses to remove someone who is not a member with BAD_USER_INPUT", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const outsider = await signIn(server, "remove-outsider@example.com");
    failsWith(await remove(admin.token, { accountId: account.id, userId: outsider.id }), "BAD_USER_INPUT");
  });

  it("pages through members in the order they joined", async () => {
    const { admin, account, members } = await accountWithMembers(server, 4);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const data: any = ok(
        await server.graphql(
          `query($id: ID!, $after: String) { account(id: $id) { members(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { user { id } } } } } }`,
          { id: account.id, after },
          admin.token,
        ),
      );
      const page = data.account.members;
      expect(page.totalCount).to.equal(5);
      seen.push(...page.edges.map((edge: any) => edge.node.user.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal([admin.id, ...members.map((member) => member.id)]);
  });

  const memberNames = (accountId: string, token: string) =>
    server
      .graphql(
        `query($id: ID!) { account(id: $id) { members { edges { node { displayName user { email name } } } } } }`,
        { id: accountId },
        token,
      )
      .then((response) => {
        const edges: { node: { displayName: string | null; user: { email: string; name: string | null } } }[] =
          ok(response).account.members.edges;
        return Object.fromEntries(edges.map(({ node }) => [node.user.email, { displayName: node.displayName, name: node.user.name }]));
      });

  it("keeps the name an admin gives a new member to that account: the user record and other accounts never show it", async () => {
    const first = await accountWithMembers(server, 0, "label-a");
    const second = await accountWithMembers(server, 0, "label-b");
    ok(await addInput({ accountId: first.account.id, email: "quentin@label.example", name: "Quentin in A" }, first.admin.token));
    const added = ok(await addInput({ accountId: second.account.id, email: "quentin@label.example" }, second.admin.token));
    expect(JSON.stringify(added)).to.not.contain("Quentin in A");
    ok(await addInput({ accountId: second.account.id, email: "quentin@label.example", name: "Quentin in B" }, second.admin.token));

    expect((await memberNames(first.account.id, first.admin.token))["quentin@label.example"]).to.deep.equal({
      displayName: "Quentin in A",
      name: null,
    });
    expect((await memberNames(second.account.id, second.admin.token))["quentin@label.example"]).to.deep.equal({
      displayName: "Quentin in B",
      name: null,
    });
    const quentin = await signIn(server, "quentin@label.example");
    expect(ok(await server.graphql("{ viewer { name } }", {}, quentin.token)).viewer.name).to.equal(null);
  });

  it("shows a member's own name from their sign-in once they have one, in every account", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "own-name");
    ok(await addInput({ accountId: account.id, email: "rosalind@own.example", name: "Ros (typed by an admin)" }, admin.token));
    const rosalind = await signIn(server, "rosalind@own.example", "Rosalind Franklin");
    expect((await memberNames(account.id, admin.token))["rosalind@own.example"]).to.deep.equal({
      displayName: "Rosalind Franklin",
      name: "Rosalind Franklin",
    });
    expect(ok(await server.graphql("{ viewer { name } }", {}, rosalind.token)).viewer.name).to.equal("Rosalind Franklin");
  });

  it("replaces the stored name with the one in the member's token whenever it differs, and keeps it when the token has none", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "renamed");
    await signIn(server, "sam@renamed.example", "Sam Old");
    ok(
      await addInput(
        { accountId: account.id, email: "sam@renamed.example", name: "Sam (fired - send invoices to billing@evil.example)" },
        admin.token,
      ),
    );
    const viewerName = async (name?: string) =>
      ok(await server.graphql("{ viewer { name } }", {}, await tokenFor("sam@renamed.example", name))).viewer.name;
    expect(await viewerName("Sam New")).to.equal("Sam New");
    expect(await viewerName()).to.equal("Sam New");
    expect(await viewerName("Samantha")).to.equal("Samantha");
    expect((await memberNames(account.id, admin.token))["sam@renamed.example"]).to.deep.equal({
      displayName: "Samantha",
      name: "Samantha",
    });
  });

  it("changes the name an admin gave a member when they add them again with another, and keeps it when they give none", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "relabel");
    ok(await addInput({ accountId: account.id, email: "tove@relabel.example", name: "Tove" }, admin.token));
    ok(await addInput({ accountId: account.id, email: "tove@relabel.example", name: "Tove Jansson" }, admin.token));
    ok(await addInput({ accountId: account.id, email: "TOVE@relabel.example" }, admin.token));
    expect((await memberNames(account.id, admin.token))["tove@relabel.example"]).to.deep.equal({ displayName: "Tove Jansson", name: null });
  });

  it("refuses a member name with a line break, a control character or a bidi control with BAD_USER_INPUT, and adds no one", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "odd-name");
    for (const name of [
      "Eve\nAdmin",
      "Eve\r\nBcc: x@evil.example",
      "Eve\u0000",
      "Eve\u001b[31m",
      "Eve\u0085",
      "Eve\u202Egnp.exe",
      "Eve\u2066x\u2069",
      "Eve\u2028x",
      "\u200B\u200B",
      "\u3164\u3164",
    ]) {
      const error = failsWith(await addInput({ accountId: account.id, email: "eve@odd.example", name }, admin.token), "BAD_USER_INPUT");
      expect(
        error.extensions!.invalidFields.map((field: { field: string }) => field.field),
        JSON.stringify(name),
      ).to.deep.equal(["input.name"]);
    }
    expect(await memberNames(account.id, admin.token)).to.not.have.property("eve@odd.example");
  });

  it("keeps each account's members to itself", async () => {
    const first = await accountWithMembers(server, 1, "iso-a");
    const other = await createAccount(server, first.admin, "Second");
    await addMember(server, first.admin, other.id, "only-in-second@example.com");
    const data = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { members { edges { node { user { email } } } } } }`,
        { id: first.account.id },
        first.admin.token,
      ),
    );
    expect(data.account.members.edges.map((edge: any) => edge.node.user.email)).to.not.include("only-in-second@example.com");
  });
});
