import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, addMember, createAccount, failsWith, mutate, ok, signIn, type TestUser } from "./helpers/factories";
import { verificationTokenFor } from "./helpers/outbox";
import { ASK_AGAIN_AFTER_DECLINE_DAYS } from "../src/verification/verification.service";

const CHANGE_FIELDS = `id version slot action previousEmail newEmail
  changedBy { __typename ... on User { id email } ... on ExternalContact { email } }
  actor { email }
  previousUser { id email } newUser { id email }`;

interface ChangeRow {
  id: string;
  version: number | null;
  slot: string;
  action: string;
  previousEmail: string | null;
  newEmail: string | null;
  changedBy: { __typename: string; id?: string; email: string };
  actor: { email: string };
  previousUser: { id: string; email: string } | null;
  newUser: { id: string; email: string } | null;
}

const HISTORY_SINCE = `query($id: ID!, $since: Int) { account(id: $id) { contactsVersion contactHistory(first: 100, sinceVersion: $since) { totalCount nodes { ${CHANGE_FIELDS} } } } }`;
const DECLINE = `mutation($token: String!) { declineContactEmail(input: { token: $token }) { verification { state } } }`;
const VERIFY = `mutation($token: String!) { verifyContactEmail(input: { token: $token }) { verification { state } } }`;
const RESEND = `mutation($input: ResendContactVerificationInput!) { resendContactVerification(input: $input) { account { contactsVersion roleContact(role: SECURITY) { verification { state } } } changes { ${CHANGE_FIELDS} } } }`;

const outsideAddress = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}@partner.example`;

describe("contact history: versions, actors and the rows a mutation wrote", () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const since = async (user: TestUser, accountId: string, version: number | null) =>
    ok(
      await server.graphql<{ account: { contactsVersion: number; contactHistory: { totalCount: number; nodes: ChangeRow[] } } }>(
        HISTORY_SINCE,
        { id: accountId, since: version },
        user.token,
      ),
    ).account;

  it("gives every row the contactsVersion its change produced, and lists only the changes after a version with sinceVersion", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "since");
    expect((await since(admin, account.id, null)).contactHistory.nodes.map((row) => row.version)).to.deep.equal([1]);
    const held = (await since(admin, account.id, null)).contactsVersion;

    ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id }));
    ok(
      await server.graphql(
        `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { id } } }`,
        {
          input: {
            accountId: account.id,
            expectedVersion: held + 1,
            primaryContactUserId: members[0]!.id,
            billingContactUserIds: [members[1]!.id, members[2]!.id],
            roleContacts: [{ role: "TECHNICAL_ADMIN", userId: members[2]!.id }],
          },
        },
        admin.token,
      ),
    );

    const after = await since(admin, account.id, held);
    expect(after.contactsVersion).to.equal(held + 2);
    expect(after.contactHistory.totalCount).to.equal(4);
    expect(after.contactHistory.nodes.map((row) => [row.version, row.slot, row.action])).to.deep.equal([
      [held + 2, "TECHNICAL_ADMIN", "SET"],
      [held + 2, "BILLING", "ADD"],
      [held + 2, "BILLING", "ADD"],
      [held + 1, "PRIMARY", "SET"],
    ]);
    expect((await since(admin, account.id, held + 1)).contactHistory.nodes).to.have.lengthOf(3);
    expect((await since(admin, account.id, held + 2)).contactHistory).to.deep.include({ totalCount: 0, nodes: [] });
    failsWith(await server.graphql(HISTORY_SINCE, { id: account.id, since: -1 }, admin.token), "BAD_USER_INPUT");
  });

  it("tells a stale save which version it held, so the client can ask for the changes since", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "conflict");
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[0]!.id }));
    const refused = failsWith(
      await mutate(server, admin.token, "clearRoleContact", {
        accountId: account.id,
        role: "SECURITY",
        expectedVersion: account.contactsVersion,
      }),
      "VERSION_CONFLICT",
    );
    expect(refused.extensions).to.deep.include({ currentVersion: account.contactsVersion + 1, expectedVersion: account.contactsVersion });
    const missed = await since(admin, account.id, refused.extensions!.expectedVersion as number);
    expect(missed.contactHistory.nodes.map((row) => [row.slot, row.action, row.newUser?.id])).to.deep.equal([
      ["BILLING", "ADD", members[0]!.id],
    ]);
  });

  it("links the members a row is about, and names an outside address as no user", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "links");
    const outside = outsideAddress("links");
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", userId: members[0]!.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: outside }));
    ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id }));
    const [primary, external, member] = (await since(admin, account.id, account.contactsVersion)).contactHistory.nodes;
    expect(primary).to.deep.include({
      previousUser: { id: admin.id, email: admin.email },
      newUser: { id: members[0]!.id, email: members[0]!.email },
    });
    expect(external).to.deep.include({
      previousEmail: members[0]!.email,
      previousUser: { id: members[0]!.id, email: members[0]!.email },
      newEmail: outside,
      newUser: null,
    });
    expect(member).to.deep.include({ previousUser: null, newUser: { id: members[0]!.id, email: members[0]!.email } });
    expect(member!.changedBy).to.deep.equal({ __typename: "User", id: admin.id, email: admin.email });
  });

  it("records a confirmation and a refusal as the outside address's own acts, each a new version", async () => {
    const admin = await signIn(server, `actor-admin-${Math.random().toString(36).slice(2, 8)}@example.com`);
    const confirming = await createAccount(server, admin, "Confirming");
    const declining = await createAccount(server, admin, "Declining");
    for (const [account, mutation, action] of [
      [confirming, VERIFY, "VERIFIED"],
      [declining, DECLINE, "DECLINED"],
    ] as const) {
      const email = outsideAddress(action.toLowerCase());
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
      const held = (await since(admin, account.id, null)).contactsVersion;
      ok(await server.graphql(mutation, { token: await verificationTokenFor(server, email) }, null));
      const after = await since(admin, account.id, held);
      expect(after.contactsVersion).to.equal(held + 1);
      expect(after.contactHistory.nodes).to.have.lengthOf(1);
      expect(after.contactHistory.nodes[0]).to.deep.include({
        version: held + 1,
        slot: "SECURITY",
        action,
        previousEmail: email,
        newEmail: email,
        changedBy: { __typename: "ExternalContact", email },
        // The deprecated field keeps answering a User for old clients: the admin who asked.
        actor: { email: admin.email },
      });
    }
  });

  it("returns the history rows a mutation wrote in its payload, and none when it changed nothing", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2, "payload");
    const SAVE = `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { contactsVersion } changes { ${CHANGE_FIELDS} } } }`;
    const input = {
      accountId: account.id,
      expectedVersion: account.contactsVersion,
      primaryContactUserId: members[0]!.id,
      billingContactUserIds: [members[1]!.id],
      roleContacts: [{ role: "DECISION_MAKER", userId: members[1]!.id }],
    };
    const saved = ok(await server.graphql(SAVE, { input }, admin.token)).saveAccountContacts;
    expect(saved.changes.map((row: ChangeRow) => [row.slot, row.action, row.version])).to.deep.equal([
      ["PRIMARY", "SET", saved.account.contactsVersion],
      ["BILLING", "ADD", saved.account.contactsVersion],
      ["DECISION_MAKER", "SET", saved.account.contactsVersion],
    ]);
    const history = (await since(admin, account.id, account.contactsVersion)).contactHistory.nodes;
    expect(saved.changes.map((row: ChangeRow) => row.id)).to.deep.equal(history.map((row) => row.id).reverse());
    expect(
      ok(await server.graphql(SAVE, { input: { ...input, expectedVersion: saved.account.contactsVersion } }, admin.token))
        .saveAccountContacts.changes,
    ).to.deep.equal([]);

    const created = ok(
      await server.graphql(
        `mutation { createAccount(input: { name: "Fresh" }) { changes { slot action version newUser { id } } } }`,
        {},
        admin.token,
      ),
    );
    expect(created.createAccount.changes).to.deep.equal([{ slot: "PRIMARY", action: "SET", version: 1, newUser: { id: admin.id } }]);

    const removed = ok(
      await server.graphql(
        `mutation($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) { changes { slot action previousUser { id } } } }`,
        { input: { accountId: account.id, userId: members[1]!.id } },
        admin.token,
      ),
    );
    expect(removed.removeAccountMember.changes).to.deep.equal([
      { slot: "BILLING", action: "REMOVE", previousUser: { id: members[1]!.id } },
      { slot: "DECISION_MAKER", action: "CLEAR", previousUser: { id: members[1]!.id } },
    ]);
  });

  describe("asking an address again after 'This is not me'", () => {
    it(`asks it once more through resendContactVerification, recorded in history, then refuses for ${ASK_AGAIN_AFTER_DECLINE_DAYS} days with ADDRESS_DECLINED`, async () => {
      const admin = await signIn(server, `again-admin-${Math.random().toString(36).slice(2, 8)}@example.com`);
      const account = await createAccount(server, admin, "Again");
      const email = outsideAddress("again");
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
      const first = await verificationTokenFor(server, email);
      ok(await server.graphql(DECLINE, { token: first }, null));

      const resent = ok(
        await server.graphql(RESEND, { input: { accountId: account.id, role: "SECURITY" } }, admin.token),
      ).resendContactVerification;
      expect(resent.account.roleContact.verification.state).to.equal("PENDING");
      expect(resent.changes).to.have.lengthOf(1);
      expect(resent.changes[0]).to.deep.include({
        slot: "SECURITY",
        action: "SET",
        previousEmail: email,
        newEmail: email,
        version: resent.account.contactsVersion,
      });
      const second = await verificationTokenFor(server, email);
      expect(second).to.not.equal(first);

      ok(await server.graphql(DECLINE, { token: second }, null));
      const refused = failsWith(
        await server.graphql(RESEND, { input: { accountId: account.id, role: "SECURITY" } }, admin.token),
        "ADDRESS_DECLINED",
      );
      expect(refused.extensions!.retryAfterSeconds).to.be.within(
        (ASK_AGAIN_AFTER_DECLINE_DAYS - 1) * 86_400,
        ASK_AGAIN_AFTER_DECLINE_DAYS * 86_400,
      );
      expect(refused.message).to.include(`${ASK_AGAIN_AFTER_DECLINE_DAYS} days`);
      // Setting another address and then this one back is the same request, and bound the same way.
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: outsideAddress("other") }));
      const setBack = `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`;
      const polish = await server.graphql(setBack, { input: { accountId: account.id, role: "SECURITY", email } }, admin.token, {
        "accept-language": "pl",
      });
      expect(failsWith(polish, "ADDRESS_DECLINED").message).to.include(`najwyżej raz na ${ASK_AGAIN_AFTER_DECLINE_DAYS} dni`);
      expect(await verificationTokenFor(server, email)).to.equal(second);
    });

    it("no longer bounds an address that confirmed itself after it was asked again", async () => {
      const admin = await signIn(server, `changed-mind-${Math.random().toString(36).slice(2, 8)}@example.com`);
      const account = await createAccount(server, admin, "Changed mind");
      const email = outsideAddress("changed-mind");
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
      ok(await server.graphql(DECLINE, { token: await verificationTokenFor(server, email) }, null));
      ok(await server.graphql(RESEND, { input: { accountId: account.id, role: "SECURITY" } }, admin.token));
      ok(await server.graphql(VERIFY, { token: await verificationTokenFor(server, email) }, null));
      ok(
        await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: outsideAddress("between") }),
      );
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
    });

    it("leaves an address that never declined to the ordinary resend", async () => {
      const admin = await signIn(server, `plain-admin-${Math.random().toString(36).slice(2, 8)}@example.com`);
      const account = await createAccount(server, admin, "Plain");
      const email = outsideAddress("plain");
      ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
      for (let round = 0; round < 2; round++) {
        const resent = ok(
          await server.graphql(RESEND, { input: { accountId: account.id, role: "SECURITY" } }, admin.token),
        ).resendContactVerification;
        expect(resent.changes).to.deep.equal([]);
      }
    });
  });

  describe("Account.viewerCanAdminister", () => {
    const CHANGE_SOMETHING = `mutation($input: ClearRoleContactInput!) { clearRoleContact(input: $input) { account { id } } }`;

    it("answers, for every kind of caller, exactly what the server then allows", async () => {
      const admin = await signIn(server, `perm-admin-${Math.random().toString(36).slice(2, 8)}@example.com`);
      const account = await createAccount(server, admin, "Permissions");
      const secondAdmin = await addMember(
        server,
        admin,
        account.id,
        `perm-admin2-${Math.random().toString(36).slice(2, 8)}@example.com`,
        "ADMIN",
      );
      const member = await addMember(
        server,
        admin,
        account.id,
        `perm-member-${Math.random().toString(36).slice(2, 8)}@example.com`,
        "MEMBER",
      );
      const stranger = await signIn(server, `perm-stranger-${Math.random().toString(36).slice(2, 8)}@example.com`);

      for (const [caller, role] of [
        [admin, "ADMIN"],
        [secondAdmin, "ADMIN"],
        [member, "MEMBER"],
        [stranger, null],
      ] as const) {
        const read = await server.graphql(
          `query($id: ID!) { node(id: $id) { ... on Account { viewerRole viewerCanAdminister } } }`,
          { id: account.id },
          caller.token,
        );
        const attempt = await server.graphql(CHANGE_SOMETHING, { input: { accountId: account.id, role: "TECHNICAL_ADMIN" } }, caller.token);
        if (role === null) {
          failsWith(read, "NOT_FOUND");
          failsWith(attempt, "NOT_FOUND");
          continue;
        }
        const { viewerRole, viewerCanAdminister } = ok(read).node;
        expect(viewerRole).to.equal(role);
        if (viewerCanAdminister) ok(attempt);
        else failsWith(attempt, "FORBIDDEN");
        expect(viewerCanAdminister, role).to.equal(role === "ADMIN");
      }
    });
  });
});
