import { expect } from "chai";
import { ContactVerification } from "../src/verification/contact-verification.entity";
import { OutboxMessage } from "../src/outbox/outbox-message.entity";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, mutate, ok } from "./helpers/factories";
import { verificationTokenFor } from "./helpers/outbox";

const VERIFY = `mutation($token: String!) { verifyContactEmail(token: $token) { role email state verifiedAt } }`;
const SECURITY = `query($id: ID!) { account(id: $id) { roleContact(role: SECURITY) { email isExternal verification { state verifiedAt } } } }`;
const RESEND = `mutation($input: ResendContactVerificationInput!) { resendContactVerification(input: $input) { id } }`;

describe("verified external security contacts", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const verification = async (token: string, accountId: string) => ok(await server.graphql(SECURITY, { id: accountId }, token)).account.roleContact;
  const messagesTo = (email: string) => server.db.read((m) => m.find(OutboxMessage, { where: { email }, order: { sequence: "ASC" } }));

  async function externalSecurity(prefix: string) {
    const { admin, account, members } = await accountWithMembers(server, 1, prefix);
    const email = `${prefix}-${account.id.slice(0, 8)}@partner.example`;
    ok(await mutate(server, admin.token, "setRoleContact", "SetRoleContactInput", { accountId: account.id, role: "SECURITY", email }));
    return { admin, account, members, email };
  }

  it("starts an external security contact PENDING and queues one verification message that will carry a token", async () => {
    const { admin, account, email } = await externalSecurity("pending");
    expect(await verification(admin.token, account.id)).to.deep.equal({ email, isExternal: true, verification: { state: "PENDING", verifiedAt: null } });
    const messages = await messagesTo(email);
    expect(messages).to.have.lengthOf(1);
    expect(messages[0]).to.include({ kind: "VERIFICATION", state: "PENDING", accountId: account.id });
    // The message holds neither the token nor its hash: the worker derives the token as it sends it.
    const token = await verificationTokenFor(server, email);
    expect(messages[0]!.body).to.not.include(token);
    const row = await server.db.read((m) => m.findOneByOrFail(ContactVerification, { accountId: account.id }));
    expect(row.tokenHash).to.match(/^[0-9a-f]{64}$/);
    expect(messages[0]!.body).to.not.include(row.tokenHash!);
    expect(messages[0]!.tokenNonce).to.be.a("string").and.not.equal(token);
  });

  it("verifies the address with the token, without signing in, and only once", async () => {
    const { admin, account, email } = await externalSecurity("once");
    const token = await verificationTokenFor(server, email);
    const verified = ok(await server.graphql(VERIFY, { token }, null)).verifyContactEmail;
    expect(verified).to.include({ role: "SECURITY", email, state: "VERIFIED" });
    expect(Date.now() - Date.parse(verified.verifiedAt)).to.be.within(0, 60_000);
    expect((await verification(admin.token, account.id)).verification).to.deep.equal({ state: "VERIFIED", verifiedAt: verified.verifiedAt });
    failsWith(await server.graphql(VERIFY, { token }, null), "BAD_USER_INPUT");
  });

  it("refuses an unknown or expired token with BAD_USER_INPUT and leaves the contact PENDING", async () => {
    const { admin, account, email } = await externalSecurity("expired");
    failsWith(await server.graphql(VERIFY, { token: "x".repeat(43) }, null), "BAD_USER_INPUT");
    failsWith(await server.graphql(VERIFY, { token: "short" }, null), "BAD_USER_INPUT");
    const token = await verificationTokenFor(server, email);
    await server.db.write((m) => m.update(ContactVerification, { accountId: account.id }, { tokenExpiresAt: new Date(Date.now() - 1000) }));
    const error = failsWith(await server.graphql(VERIFY, { token }, null), "BAD_USER_INPUT");
    expect(error.message).to.match(/expired/);
    expect((await verification(admin.token, account.id)).verification.state).to.equal("PENDING");
  });

  it("starts over when the address changes: the old token stops working and a new message goes to the new address", async () => {
    const { admin, account, email } = await externalSecurity("change");
    const oldToken = await verificationTokenFor(server, email);
    ok(await server.graphql(VERIFY, { token: oldToken }, null));
    const next = `next-${email}`;
    ok(await mutate(server, admin.token, "setRoleContact", "SetRoleContactInput", { accountId: account.id, role: "SECURITY", email: next }));
    expect((await verification(admin.token, account.id)).verification).to.deep.equal({ state: "PENDING", verifiedAt: null });
    expect(await messagesTo(next)).to.have.lengthOf(1);
    const newToken = await verificationTokenFor(server, next);
    expect(newToken).to.not.equal(oldToken);
    failsWith(await server.graphql(VERIFY, { token: oldToken }, null), "BAD_USER_INPUT");
    expect(ok(await server.graphql(VERIFY, { token: newToken }, null)).verifyContactEmail.email).to.equal(next);
  });

  it("sends nothing new when the same address is set again (idempotent)", async () => {
    const { admin, account, email } = await externalSecurity("same");
    ok(await mutate(server, admin.token, "setRoleContact", "SetRoleContactInput", { accountId: account.id, role: "SECURITY", email: email.toUpperCase() }));
    expect(await messagesTo(email)).to.have.lengthOf(1);
  });

  it("drops the verification when a member takes the role or it is cleared, so a pending token is useless", async () => {
    const { admin, account, members, email } = await externalSecurity("member");
    const token = await verificationTokenFor(server, email);
    ok(await mutate(server, admin.token, "setRoleContact", "SetRoleContactInput", { accountId: account.id, role: "SECURITY", userId: members[0]!.id }));
    expect(await verification(admin.token, account.id)).to.deep.include({ isExternal: false, verification: null });
    failsWith(await server.graphql(VERIFY, { token }, null), "BAD_USER_INPUT");

    ok(await mutate(server, admin.token, "setRoleContact", "SetRoleContactInput", { accountId: account.id, role: "SECURITY", email }));
    const second = await verificationTokenFor(server, email);
    ok(await mutate(server, admin.token, "clearRoleContact", "ClearRoleContactInput", { accountId: account.id, role: "SECURITY" }));
    expect(await server.db.read((m) => m.countBy(ContactVerification, { accountId: account.id }))).to.equal(0);
    failsWith(await server.graphql(VERIFY, { token: second }, null), "BAD_USER_INPUT");
  });

  it("queues no message when the change that would send it fails", async () => {
    const { admin, account, members } = await accountWithMembers(server, 4, "rollback");
    const email = `rollback-${account.id.slice(0, 8)}@partner.example`;
    const input = {
      accountId: account.id,
      expectedVersion: account.contactsVersion,
      primaryContactUserId: admin.id,
      billingContactUserIds: members.map((member) => member.id),
      roleContacts: [{ role: "SECURITY", email }],
    };
    failsWith(await server.graphql(`mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { id } }`, { input }, admin.token), "BILLING_CONTACT_LIMIT");
    expect(await messagesTo(email)).to.have.lengthOf(0);
    expect(await server.db.read((m) => m.countBy(ContactVerification, { accountId: account.id }))).to.equal(0);
  });

  it("resends a new token on request (an admin only), replacing the old one", async () => {
    const { admin, account, members, email } = await externalSecurity("resend");
    const first = await verificationTokenFor(server, email);
    failsWith(await server.graphql(RESEND, { input: { accountId: account.id } }, members[0]!.token), "FORBIDDEN");
    ok(await server.graphql(RESEND, { input: { accountId: account.id } }, admin.token));
    const second = await verificationTokenFor(server, email);
    expect(second).to.not.equal(first);
    failsWith(await server.graphql(VERIFY, { token: first }, null), "BAD_USER_INPUT");
    ok(await server.graphql(VERIFY, { token: second }, null));
    failsWith(await server.graphql(RESEND, { input: { accountId: account.id, role: "DECISION_MAKER" } }, admin.token), "BAD_USER_INPUT");
  });

  it("shows no verification for a member contact", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "plain");
    ok(await mutate(server, admin.token, "setRoleContact", "SetRoleContactInput", { accountId: account.id, role: "SECURITY", userId: members[0]!.id }));
    expect(await verification(admin.token, account.id)).to.deep.include({ isExternal: false, verification: null });
  });
});
