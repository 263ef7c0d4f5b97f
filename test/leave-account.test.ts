import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, addMember, failsWith, mutate, ok, readAccount, readHistory, signIn } from "./helpers/factories";

const LEAVE = `mutation($input: LeaveAccountInput!) { leaveAccount(input: $input) { accountId removedMemberId } }`;

describe("leaving an account", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const leave = (token: string, accountId: string, language?: string) =>
    server.graphql(LEAVE, { input: { accountId } }, token, language ? { "accept-language": language } : undefined);

  it("lets a member someone added leave on their own, clearing their billing place and roles in the history", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "leaver");
    const [member] = members;
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member!.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "TECHNICAL_ADMIN", userId: member!.id }));

    const left = ok(await leave(member!.token, account.id)).leaveAccount;
    expect(left.accountId).to.equal(account.id);

    failsWith(await server.graphql(`query($id: ID!) { account(id: $id) { id } }`, { id: account.id }, member!.token), "NOT_FOUND");
    const after = await readAccount(server, admin.token, account.id);
    expect(after.billingContacts).to.deep.equal([]);
    expect(after.roleContacts.find((contact) => contact.role === "TECHNICAL_ADMIN")?.user ?? null).to.equal(null);
    const history = await readHistory(server, admin.token, account.id);
    expect(history.slice(0, 2).map((row) => [row.action, row.actor.email])).to.have.deep.members([
      ["REMOVE", member!.email],
      ["CLEAR", member!.email],
    ]);
    const viewerAccounts = ok(await server.graphql(`{ accounts(first: 10) { totalCount } }`, {}, member!.token)).accounts;
    expect(viewerAccounts.totalCount).to.equal(0);
  });

  it("keeps the primary contact until an admin names another, and the last admin for good, changing nothing", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "primary");
    const [member] = members;
    ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: member!.id }));
    const before = await readAccount(server, admin.token, account.id);

    const primary = await leave(member!.token, account.id, "pl");
    expect(failsWith(primary, "PRIMARY_CONTACT_REQUIRED").message).to.include("Jesteś głównym kontaktem konta");
    failsWith(await leave(admin.token, account.id), "LAST_ADMIN");
    expect(await readAccount(server, admin.token, account.id)).to.deep.equal(before);
  });

  it("lets an admin leave while another admin remains", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "admins");
    const second = await addMember(server, admin, account.id, `second-${Math.random().toString(36).slice(2, 8)}@example.com`, "ADMIN");
    ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: second.id }));
    ok(await leave(admin.token, account.id));
    expect((await readAccount(server, second.token, account.id)).viewerRole).to.equal("ADMIN");
  });

  it("answers NOT_FOUND to someone who is not a member, as for an account that does not exist", async () => {
    const { account } = await accountWithMembers(server, 0, "outsider");
    const stranger = await signIn(server, `stranger-${Math.random().toString(36).slice(2, 8)}@example.com`);
    const foreign = await leave(stranger.token, account.id);
    const missing = await leave(stranger.token, "QWNjb3VudDowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA");
    expect(failsWith(foreign, "NOT_FOUND").message).to.equal(failsWith(missing, "NOT_FOUND").message);
  });
});
