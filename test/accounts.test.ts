import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, createAccount, failsWith, mutate, ok, readHistory, signIn } from "./helpers/factories";
import { globalId } from "../src/common/global-id";

describe("accounts", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const create = async (token: string, name: unknown) => {
    const response = await server.graphql(
      `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id name viewerRole primaryContact { email } } } }`,
      { input: { name } },
      token,
    );
    if (response.data?.createAccount) response.data.createAccount = response.data.createAccount.account;
    return response;
  };

  it("creates an account whose creator is its admin and primary contact", async () => {
    const owner = await signIn(server, "founder@example.com", "Founder");
    const data = ok(await create(owner.token, "  Initech  "));
    expect(data.createAccount).to.include({ name: "Initech", viewerRole: "ADMIN" });
    expect(data.createAccount.primaryContact.email).to.equal("founder@example.com");
  });

  it("refuses an empty, blank or over-long name with BAD_USER_INPUT naming the field", async () => {
    const owner = await signIn(server, "names@example.com");
    for (const name of ["", "   ", "x".repeat(201)]) {
      const error = failsWith(await create(owner.token, name), "BAD_USER_INPUT");
      expect(error.extensions!.invalidFields[0].field).to.equal("input.name");
    }
    ok(await create(owner.token, "x".repeat(200)));
    const listed = ok(await server.graphql("{ accounts { totalCount } }", {}, owner.token));
    expect(listed.accounts.totalCount).to.equal(1);
  });

  it("refuses a name with a line break, a control character or a bidi control with BAD_USER_INPUT, and creates nothing", async () => {
    const owner = await signIn(server, "odd-names@example.com");
    for (const name of [
      "Initech\nInvoices",
      "Initech\r",
      "Init\u0000ech",
      "\u001b]8;;https://evil.example\u0007Initech",
      "Initech\u007f",
      "Initech\u202Ecod.exe",
      "\u2067Initech\u2069",
      "Initech\u2029",
      "\u200B",
    ]) {
      const error = failsWith(await create(owner.token, name), "BAD_USER_INPUT");
      expect(
        error.extensions!.invalidFields.map((field: { field: string }) => field.field),
        JSON.stringify(name),
      ).to.deep.equal(["input.name"]);
    }
    const listed = ok(await server.graphql("{ accounts { totalCount } }", {}, owner.token));
    expect(listed.accounts.totalCount).to.equal(0);
  });

  it("keeps the letters of any script, accents and emoji in a name, stored in one Unicode form", async () => {
    const owner = await signIn(server, "scripts@example.com");
    for (const name of ["Zoë Ångström AB", "株式会社 名前", "مرحبا", "👩‍👩‍👧‍👦 Family Co"])
      expect(ok(await create(owner.token, name)).createAccount.name).to.equal(name);
    expect(ok(await create(owner.token, "Zoe\u0308 AB")).createAccount.name).to.equal("Zo\u00eb AB");
  });

  it("refuses a name of the wrong type before anything runs", async () => {
    const owner = await signIn(server, "types@example.com");
    const response = await create(owner.token, 42);
    expect(response.errors?.[0]?.extensions?.code).to.equal("BAD_USER_INPUT");
  });

  it("shows an account to its members only: NOT_FOUND for anyone else, exactly like a missing one", async () => {
    const { account } = await accountWithMembers(server, 0, "tenant");
    const stranger = await signIn(server, "stranger@example.com");
    const lookUp = async (id: string) => {
      const response = await server.graphql(`query($id: ID!) { account(id: $id) { name } }`, { id }, stranger.token);
      expect(response.data).to.deep.equal({ account: null });
      return failsWith(response, "NOT_FOUND");
    };
    const foreign = await lookUp(account.id);
    const missing = await lookUp(globalId("Account", "00000000-0000-4000-8000-000000000000"));
    expect(foreign.message).to.equal(missing.message);
    const listed = ok(await server.graphql("{ accounts { totalCount edges { node { id } } } }", {}, stranger.token));
    expect(listed.accounts).to.deep.equal({ totalCount: 0, edges: [] });
  });

  it("refuses every change to another tenant's account with NOT_FOUND and writes nothing", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "victim");
    const attacker = await signIn(server, "attacker@example.com");
    const own = await createAccount(server, attacker, "Attacker Inc");
    const attempts = [
      mutate(server, attacker.token, "setPrimaryContact", { accountId: account.id, userId: attacker.id }),
      mutate(server, attacker.token, "addBillingContact", { accountId: account.id, userId: members[0]!.id }),
      mutate(server, attacker.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: "evil@attacker.example" }),
      mutate(server, attacker.token, "clearRoleContact", { accountId: account.id, role: "SECURITY" }),
      mutate(server, attacker.token, "removeAccountMember", { accountId: account.id, userId: members[0]!.id }),
      server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { account { id } } }`,
        { input: { accountId: account.id, email: attacker.email, role: "ADMIN" } },
        attacker.token,
      ),
    ];
    for (const response of await Promise.all(attempts)) failsWith(response, "NOT_FOUND");
    // Their own account's members cannot be used to reach into someone else's either.
    failsWith(await mutate(server, attacker.token, "setPrimaryContact", { accountId: own.id, userId: admin.id }), "BAD_USER_INPUT");
    expect(await readHistory(server, admin.token, account.id)).to.have.lengthOf(1);
  });

  it("answers ids that are not ids as ids that name nothing: NOT_FOUND", async () => {
    const owner = await signIn(server, "ids@example.com");
    failsWith(await server.graphql(`{ account(id: "1 OR 1=1") { id } }`, {}, owner.token), "NOT_FOUND");
    failsWith(await mutate(server, owner.token, "setPrimaryContact", { accountId: "abc", userId: owner.id }), "NOT_FOUND");
  });

  it("pages through the caller's accounts with opaque cursors", async () => {
    const owner = await signIn(server, "pager@example.com");
    const names = ["A1", "A2", "A3", "A4", "A5"];
    for (const name of names) await createAccount(server, owner, name);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const data: any = ok(
        await server.graphql(
          `query($after: String) { accounts(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { name } } } }`,
          { after },
          owner.token,
        ),
      );
      expect(data.accounts.totalCount).to.equal(5);
      seen.push(...data.accounts.edges.map((edge: any) => edge.node.name));
      if (!data.accounts.pageInfo.hasNextPage) break;
      expect(data.accounts.pageInfo.endCursor).to.equal(data.accounts.edges.at(-1).cursor);
      after = data.accounts.pageInfo.endCursor;
    }
    expect(seen).to.deep.equal(names);
  });

  it("refuses `first` outside 1..100 and cursors it did not issue with BAD_USER_INPUT", async () => {
    const owner = await signIn(server, "limits@example.com");
    for (const first of [0, -1, 101])
      failsWith(
        await server.graphql(`query($first: Int) { accounts(first: $first) { totalCount } }`, { first }, owner.token),
        "BAD_USER_INPUT",
      );
    for (const after of ["garbage", "WyJ4Il0", Buffer.from(JSON.stringify(["not-a-date", "x"])).toString("base64url"), "a".repeat(600)]) {
      failsWith(
        await server.graphql(`query($after: String) { accounts(after: $after) { totalCount } }`, { after }, owner.token),
        "BAD_USER_INPUT",
      );
    }
    const { account, admin } = await accountWithMembers(server, 0, "hist");
    failsWith(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { contactHistory(first: 101) { totalCount } } }`,
        { id: account.id },
        admin.token,
      ),
      "BAD_USER_INPUT",
    );
    failsWith(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { members(after: "WyJ4Il0") { totalCount } } }`,
        { id: account.id },
        admin.token,
      ),
      "BAD_USER_INPUT",
    );
    const defaults = ok(
      await server.graphql("query($first: Int) { accounts(first: $first) { totalCount } }", { first: null }, owner.token),
    );
    expect(defaults.accounts.totalCount).to.equal(0);
  });

  it("pages through contact history newest first", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "hp");
    for (const member of members) ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
    const query = `query($id: ID!, $after: String) { account(id: $id) { contactHistory(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id slot newEmail } } } } }`;
    const first: any = ok(await server.graphql(query, { id: account.id }, admin.token)).account.contactHistory;
    expect(first.totalCount).to.equal(4);
    expect(first.edges.map((edge: any) => edge.node.newEmail)).to.deep.equal([members[2]!.email, members[1]!.email, members[0]!.email]);
    const second: any = ok(await server.graphql(query, { id: account.id, after: first.pageInfo.endCursor }, admin.token)).account
      .contactHistory;
    expect(second.edges.map((edge: any) => edge.node.slot)).to.deep.equal(["PRIMARY"]);
    expect(second.pageInfo).to.deep.equal({ hasNextPage: false, endCursor: second.pageInfo.endCursor });
  });

  it("moves contactsVersion and updatedAt with each contact change", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "ver");
    const before = ok(
      await server.graphql(`query($id: ID!) { account(id: $id) { contactsVersion updatedAt createdAt } }`, { id: account.id }, admin.token),
    ).account;
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[0]!.id }));
    const after = ok(
      await server.graphql(`query($id: ID!) { account(id: $id) { contactsVersion updatedAt createdAt } }`, { id: account.id }, admin.token),
    ).account;
    expect(after.contactsVersion).to.equal(before.contactsVersion + 1);
    expect(new Date(after.updatedAt).getTime()).to.be.at.least(new Date(before.updatedAt).getTime());
    expect(after.createdAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  });
});
