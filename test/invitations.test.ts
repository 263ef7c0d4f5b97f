import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, createAccount, failsWith, mutate, ok, readAccount, signIn, type TestUser } from "./helpers/factories";
import { invitationTokenFor, verificationTokenFor } from "./helpers/outbox";

const INVITE = `mutation($input: AddAccountMemberInput!) {
  addAccountMember(input: $input) { member { role accepted user { id } } invitation { id email role displayName expired invitedBy { email } accountName } account { members { totalCount } } }
}`;

describe("invitations", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const invite = async (admin: TestUser, accountId: string, email: string, extra: Record<string, unknown> = {}) =>
    ok(await server.graphql(INVITE, { input: { accountId, email, ...extra } }, admin.token)).addAccountMember;
  const invitationsOf = async (token: string, accountId: string) =>
    server.graphql(`query($id: ID!) { account(id: $id) { invitations { totalCount nodes { id email role } } } }`, { id: accountId }, token);
  const viewerInvitations = async (token: string) =>
    ok(await server.graphql(`{ viewerInvitations { totalCount nodes { id accountName role invitedBy { email } } } }`, {}, token))
      .viewerInvitations;

  it("invites someone new instead of making them a member: they see nothing of the account and are not in its members", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const added = await invite(admin, account.id, "Newcomer@Example.com", { role: "ADMIN", name: "New Comer" });
    expect(added.member).to.deep.include({ role: "ADMIN", accepted: false });
    expect(added.invitation).to.deep.include({
      email: "newcomer@example.com",
      role: "ADMIN",
      displayName: "New Comer",
      expired: false,
      accountName: account.name,
    });
    expect(added.invitation.invitedBy.email).to.equal(admin.email);
    expect(added.account.members.totalCount, "not a member yet").to.equal(1);
    const newcomer = await signIn(server, "newcomer@example.com");
    failsWith(await server.graphql(`query($id: ID!) { account(id: $id) { id } }`, { id: account.id }, newcomer.token), "NOT_FOUND");
    const listed = ok(await invitationsOf(admin.token, account.id)).account.invitations;
    expect(listed.totalCount).to.equal(1);
    expect(listed.nodes[0]).to.deep.equal({ id: added.invitation.id, email: "newcomer@example.com", role: "ADMIN" });
  });

  it("lets no invited person hold a contact slot before they accept, with INVITATION_PENDING naming the field", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const added = await invite(admin, account.id, "pending-slot@example.com");
    const userId = added.member.user.id;
    for (const [mutation, input, field] of [
      ["addBillingContact", { accountId: account.id, userId }, "input.userId"],
      ["setPrimaryContact", { accountId: account.id, userId }, "input.userId"],
      ["setRoleContact", { accountId: account.id, role: "TECHNICAL_ADMIN", userId }, "input.userId"],
    ] as const) {
      const error = failsWith(await mutate(server, admin.token, mutation, input), "INVITATION_PENDING");
      expect(
        error.extensions!.invalidFields.map((entry: { field: string }) => entry.field),
        mutation,
      ).to.deep.equal([field]);
    }
    const saved = await server.graphql(
      `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { id } } }`,
      {
        input: {
          accountId: account.id,
          expectedVersion: account.contactsVersion,
          primaryContactUserId: admin.id,
          billingContactUserIds: [userId],
          roleContacts: [],
        },
      },
      admin.token,
    );
    expect(failsWith(saved, "INVITATION_PENDING").extensions!.invalidFields[0].field).to.match(/^input\.billingContactUserIds/);
    const after = await readAccount(server, admin.token, account.id);
    expect(after.billingContacts).to.deep.equal([]);
    expect(after.primaryContact.id).to.equal(admin.id);
  });

  it("makes the person a member with the invited role and name once they accept, signed in, recorded as their own JOINED", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const added = await invite(admin, account.id, "accepts@example.com", { role: "ADMIN", name: "Ada" });
    const person = await signIn(server, "accepts@example.com");
    const mine = await viewerInvitations(person.token);
    expect(mine.nodes).to.deep.equal([
      { id: added.invitation.id, accountName: account.name, role: "ADMIN", invitedBy: { email: admin.email } },
    ]);
    const accepted = ok(
      await server.graphql(
        `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { account { id viewerRole } member { role accepted displayName } } }`,
        { input: { invitationId: added.invitation.id } },
        person.token,
      ),
    ).acceptInvitation;
    expect(accepted.account).to.deep.equal({ id: account.id, viewerRole: "ADMIN" });
    expect(accepted.member).to.deep.equal({ role: "ADMIN", accepted: true, displayName: "Ada" });
    expect((await viewerInvitations(person.token)).totalCount).to.equal(0);
    expect(ok(await invitationsOf(admin.token, account.id)).account.invitations.totalCount).to.equal(0);
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: person.id }));
    const history = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { memberHistory(first: 1) { nodes { action email newRole actor { email } } } } }`,
        { id: account.id },
        admin.token,
      ),
    );
    expect(history.account.memberHistory.nodes[0]).to.deep.equal({
      action: "JOINED",
      email: person.email,
      newRole: "ADMIN",
      actor: { email: person.email },
    });
  });

  it("gives a slot held by the new member's address as an outside address to the member, recorded, and voids its pending confirmation", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const email = "joins-later@partner.example";
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email, phone: "+48 601 234 567" }));
    const token = await verificationTokenFor(server, email);
    const READ = `query($id: ID!) { account(id: $id) {
      contactsVersion
      roleContact(role: SECURITY) { email isExternal user { email } verification { state } }
      contacts { slot email phone user { email } }
      contactHealth { issues { slot kind } }
      contactHistory(first: 1) { nodes { slot action previousEmail newEmail newPhone } }
    } }`;
    const before = ok(await server.graphql(READ, { id: account.id }, admin.token)).account;
    expect(before.roleContact).to.deep.equal({ email, isExternal: true, user: null, verification: { state: "PENDING" } });
    expect(before.contactHealth.issues).to.deep.equal([{ slot: "SECURITY", kind: "UNVERIFIED_EXTERNAL" }]);

    const added = await invite(admin, account.id, email);
    const person = await signIn(server, email);
    ok(
      await server.graphql(
        `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { accepted } } }`,
        { input: { invitationId: added.invitation.id } },
        person.token,
      ),
    );

    const after = ok(await server.graphql(READ, { id: account.id }, admin.token)).account;
    expect(after.roleContact).to.deep.equal({ email, isExternal: false, user: { email }, verification: null });
    expect(after.contacts.find((contact: { slot: string }) => contact.slot === "SECURITY")).to.deep.equal({
      slot: "SECURITY",
      email,
      phone: "+48601234567",
      user: { email },
    });
    expect(after.contactHealth.issues).to.deep.equal([]);
    expect(after.contactsVersion).to.equal(before.contactsVersion + 1);
    expect(after.contactHistory.nodes).to.deep.equal([
      { slot: "SECURITY", action: "SET", previousEmail: email, newEmail: email, newPhone: "+48601234567" },
    ]);
    const verified = await server.graphql(
      `mutation($token: String!) { verifyContactEmail(input: { token: $token }) { verification { state } } }`,
      {
        token,
      },
    );
    failsWith(verified, "BAD_USER_INPUT");
  });

  it("leaves a slot whose role the new member declined as declined, not theirs", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const email = "said-not-me@partner.example";
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
    const token = await verificationTokenFor(server, email);
    ok(
      await server.graphql(`mutation($token: String!) { declineContactEmail(input: { token: $token }) { verification { state } } }`, {
        token,
      }),
    );
    const READ = `query($id: ID!) { account(id: $id) {
      contactsVersion
      roleContact(role: SECURITY) { email isExternal user { email } verification { state } }
    } }`;
    const before = ok(await server.graphql(READ, { id: account.id }, admin.token)).account;

    const added = await invite(admin, account.id, email);
    const person = await signIn(server, email);
    ok(
      await server.graphql(
        `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { accepted } } }`,
        { input: { invitationId: added.invitation.id } },
        person.token,
      ),
    );

    const after = ok(await server.graphql(READ, { id: account.id }, admin.token)).account;
    expect(after.roleContact).to.deep.equal({ email, isExternal: true, user: null, verification: { state: "DECLINED" } });
    expect(after.contactsVersion).to.equal(before.contactsVersion);
  });

  it("refuses to let anyone but the invited person accept or see the invitation (NOT_FOUND), and keeps it", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    const added = await invite(admin, account.id, "target@example.com");
    const stranger = await signIn(server, "stranger@example.com");
    for (const caller of [stranger, members[0]!, admin]) {
      failsWith(
        await server.graphql(
          `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { role } } }`,
          { input: { invitationId: added.invitation.id } },
          caller.token,
        ),
        "NOT_FOUND",
      );
    }
    failsWith(await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: added.invitation.id }, stranger.token), "NOT_FOUND");
    failsWith(
      await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: added.invitation.id }, members[0]!.token),
      "NOT_FOUND",
    );
    ok(await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: added.invitation.id }, admin.token));
    failsWith(await invitationsOf(members[0]!.token, account.id), "FORBIDDEN");
    expect(ok(await invitationsOf(admin.token, account.id)).account.invitations.totalCount).to.equal(1);
  });

  it("lets the person decline, and an admin withdraw; either way they never become a member", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    const declined = await invite(admin, account.id, "declines@example.com");
    const decliner = await signIn(server, "declines@example.com");
    ok(
      await server.graphql(
        `mutation($input: DeclineInvitationInput!) { declineInvitation(input: $input) { declinedInvitationId } }`,
        { input: { invitationId: declined.invitation.id } },
        decliner.token,
      ),
    );
    failsWith(await server.graphql(`query($id: ID!) { account(id: $id) { id } }`, { id: account.id }, decliner.token), "NOT_FOUND");

    const withdrawn = await invite(admin, account.id, "withdrawn@example.com");
    const WITHDRAW = `mutation($input: WithdrawInvitationInput!) { withdrawInvitation(input: $input) { withdrawnInvitationId } }`;
    failsWith(await server.graphql(WITHDRAW, { input: { invitationId: withdrawn.invitation.id } }, members[0]!.token), "FORBIDDEN");
    ok(await server.graphql(WITHDRAW, { input: { invitationId: withdrawn.invitation.id } }, admin.token));
    const person = await signIn(server, "withdrawn@example.com");
    failsWith(
      await server.graphql(
        `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { role } } }`,
        { input: { invitationId: withdrawn.invitation.id } },
        person.token,
      ),
      "NOT_FOUND",
    );
    expect(ok(await invitationsOf(admin.token, account.id)).account.invitations.totalCount).to.equal(0);
    expect((await readAccount(server, admin.token, account.id)).id).to.equal(account.id);
  });

  it("asks for consent per account: a member of the admin's other account is still only invited", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    const other = await createAccount(server, admin, "Second account");
    const added = await invite(admin, other.id, members[0]!.email);
    expect(added.member.accepted).to.equal(false);
    failsWith(
      await mutate(server, admin.token, "addBillingContact", { accountId: other.id, userId: members[0]!.id }),
      "INVITATION_PENDING",
    );
    expect((await readAccount(server, members[0]!.token, account.id)).id).to.equal(account.id);
  });

  it("updates a pending invitation's role when invited again, without a second message", async () => {
    const { admin, account } = await accountWithMembers(server, 0);
    const first = await invite(admin, account.id, "again@example.com");
    const token = await invitationTokenFor(server, "again@example.com");
    const second = await invite(admin, account.id, "again@example.com", { role: "ADMIN" });
    expect(second.invitation).to.deep.include({ id: first.invitation.id, role: "ADMIN" });
    expect(await invitationTokenFor(server, "again@example.com"), "the same link").to.equal(token);
    const deliveries = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { notificationDeliveries { nodes { kind email } } } }`,
        { id: account.id },
        admin.token,
      ),
    );
    expect(deliveries.account.notificationDeliveries.nodes).to.deep.equal([{ kind: "INVITATION", email: "again@example.com" }]);
  });

  describe("the page the invitation message links to", () => {
    const base = () => server.url.replace(/\/graphql$/, "");
    const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${base()}/invitation`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(form),
        redirect: "manual",
      });

    it("shows the invitation on GET and changes nothing, with the confirmation page's headers and no cookie", async () => {
      const { admin, account } = await accountWithMembers(server, 0);
      await invite(admin, account.id, "page-get@example.com");
      const token = await invitationTokenFor(server, "page-get@example.com");
      const response = await fetch(`${base()}/invitation/${token}`);
      expect(response.status).to.equal(200);
      const body = await response.text();
      expect(body).to.include("page-get@example.com").and.include(account.name).and.include(`name="token" value="${token}"`);
      expect(response.headers.get("content-security-policy")).to.include("default-src 'none'");
      expect(response.headers.get("referrer-policy")).to.equal("no-referrer");
      expect(response.headers.get("cache-control")).to.equal("no-store");
      expect(response.headers.get("set-cookie")).to.equal(null);
      expect(ok(await invitationsOf(admin.token, account.id)).account.invitations.totalCount, "still pending").to.equal(1);
    });

    it("accepts with the token in a same-site POST, refuses a cross-site one, and refuses the used token after", async () => {
      const { admin, account } = await accountWithMembers(server, 0);
      await invite(admin, account.id, "page-post@example.com");
      const token = await invitationTokenFor(server, "page-post@example.com");
      expect((await post({ token, answer: "accept" }, { origin: "https://evil.example" })).status).to.equal(403);
      expect((await post({ token, answer: "accept" }, { "sec-fetch-site": "cross-site" })).status).to.equal(403);
      expect(ok(await invitationsOf(admin.token, account.id)).account.invitations.totalCount, "nothing answered").to.equal(1);
      const accepted = await post({ token, answer: "accept" }, { origin: "null", "sec-fetch-site": "same-origin" });
      expect(accepted.status).to.equal(200);
      expect(accepted.headers.get("set-cookie")).to.equal(null);
      const person = await signIn(server, "page-post@example.com");
      expect((await readAccount(server, person.token, account.id)).viewerRole).to.equal("MEMBER");
      expect((await post({ token, answer: "decline" })).status).to.equal(404);
    });

    it("writes the page in the account's language", async () => {
      const admin = await signIn(server, "pl-admin@example.com");
      const created = ok(
        await server.graphql(`mutation { createAccount(input: { name: "Polskie", locale: PL }) { account { id } } }`, {}, admin.token),
      );
      await invite(admin, created.createAccount.account.id, "pl-invitee@example.com");
      const token = await invitationTokenFor(server, "pl-invitee@example.com");
      const body = await (await fetch(`${base()}/invitation/${token}`)).text();
      expect(body).to.include("Przyjmij").and.include('lang="pl"');
    });
  });
});
