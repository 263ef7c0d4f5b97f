import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, mutate, ok, readAccount, readHistory } from "./helpers/factories";
import { decodeGlobalId } from "../src/common/global-id";

describe("concurrent requests to one server", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it("ends 16 parallel addBillingContact calls for 8 members with exactly 3 billing contacts and 3 history rows", async () => {
    const { admin, account, members } = await accountWithMembers(server, 8, "race");
    const calls = [...members, ...members].map((member) =>
      mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }).then((response) => ({
        member,
        response,
      })),
    );
    const results = await Promise.all(calls);
    const state = await readAccount(server, admin.token, account.id);
    const winners = new Set(state.billingContacts.map((user) => user.id));
    expect(winners.size).to.equal(3);
    expect(state.billingContacts).to.have.lengthOf(3);
    for (const { member, response } of results) {
      if (winners.has(member.id)) {
        expect(response.errors, JSON.stringify(response.errors)).to.equal(undefined);
      } else {
        expect(response.errors?.map((error) => error.extensions?.code)).to.deep.equal(["BILLING_CONTACT_LIMIT"]);
      }
    }
    const billingHistory = (await readHistory(server, admin.token, account.id)).filter((row) => row.slot === "BILLING");
    expect(billingHistory).to.have.lengthOf(3);
    expect(new Set(billingHistory.map((row) => row.newEmail))).to.deep.equal(new Set(state.billingContacts.map((user) => user.email)));
  });

  it("keeps the primary contact a member while it is set and its holder removed at once", async () => {
    const { admin, account, members } = await accountWithMembers(server, 6, "prim");
    const calls = members.flatMap((member) => [
      mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: member.id }),
      mutate(server, admin.token, "removeAccountMember", { accountId: account.id, userId: member.id }),
    ]);
    const codes = (await Promise.all(calls)).flatMap((response) => response.errors?.map((error) => error.extensions?.code) ?? []);
    expect(
      codes.every((code) => code === "PRIMARY_CONTACT_REQUIRED" || code === "BAD_USER_INPUT"),
      codes.join(),
    ).to.equal(true);
    const data = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { primaryContact { id } members(first: 100) { edges { node { user { id } } } } } }`,
        { id: account.id },
        admin.token,
      ),
    );
    const memberIds = data.account.members.edges.map((edge: any) => edge.node.user.id);
    expect(memberIds).to.include(data.account.primaryContact.id);
  });

  it("never demotes both of two admins who demote each other at once", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "admins");
    const other = members[0]!;
    ok(
      await server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { account { id } } }`,
        { input: { accountId: account.id, email: other.email, role: "ADMIN" } },
        admin.token,
      ),
    );
    const demote = (token: string, email: string) =>
      server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { account { id } } }`,
        { input: { accountId: account.id, email, role: "MEMBER" } },
        token,
      );
    const results = await Promise.all([demote(admin.token, other.email), demote(other.token, admin.email)]);
    const codes = results.map((response) => response.errors?.[0]?.extensions?.code ?? "OK").sort();
    // One demotion wins; the other caller is then no longer an admin (FORBIDDEN) or would leave none (LAST_ADMIN).
    expect(codes[0]).to.match(/FORBIDDEN|LAST_ADMIN/);
    expect(codes[1]).to.equal("OK");
    const accountRowId = decodeGlobalId(account.id)!.key[0];
    const roles = await server.db.read((m) => m.query(`SELECT "role" FROM "account_members" WHERE "accountId" = '${accountRowId}'`));
    expect(roles.filter((row: { role: string }) => row.role === "ADMIN")).to.have.lengthOf(1);
  });

  it("keeps one contact per role while many admins set it at once", async () => {
    const { admin, account, members } = await accountWithMembers(server, 5, "roles");
    const results = await Promise.all(
      members.map((member) =>
        mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "TECHNICAL_ADMIN", userId: member.id }),
      ),
    );
    for (const response of results) ok(response);
    const state = await readAccount(server, admin.token, account.id);
    expect(state.roleContacts).to.have.lengthOf(1);
    const history = (await readHistory(server, admin.token, account.id)).filter((row) => row.slot === "TECHNICAL_ADMIN");
    expect(history).to.have.lengthOf(5);
    expect(history[0]!.newEmail).to.equal(state.roleContacts[0]!.email);
  });
});
