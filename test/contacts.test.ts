import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, mutate, ok, readAccount, readHistory, signIn } from "./helpers/factories";

describe("contacts", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  describe("primary contact", () => {
    it("makes the account's creator its primary contact and records it", async () => {
      const { admin, account } = await accountWithMembers(server, 0);
      expect(account.primaryContact.id).to.equal(admin.id);
      const history = await readHistory(server, admin.token, account.id);
      expect(history).to.deep.equal([
        { slot: "PRIMARY", action: "SET", previousEmail: null, newEmail: admin.email, actor: { email: admin.email } },
      ]);
    });

    it("sets another member as primary, with one history row, and is idempotent", async () => {
      const { admin, account, members } = await accountWithMembers(server, 1);
      const first = ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id }));
      expect(first.setPrimaryContact!.primaryContact.email).to.equal(members[0]!.email);
      const again = ok(await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id }));
      expect(again.setPrimaryContact!.contactsVersion).to.equal(first.setPrimaryContact!.contactsVersion);
      const history = await readHistory(server, admin.token, account.id);
      expect(history.filter((row) => row.slot === "PRIMARY")).to.have.lengthOf(2);
      expect(history[0]).to.include({ slot: "PRIMARY", action: "SET", previousEmail: admin.email, newEmail: members[0]!.email });
    });

    it("refuses a user who is not a member with BAD_USER_INPUT", async () => {
      const { admin, account } = await accountWithMembers(server, 0);
      const outsider = await signIn(server, "outsider-primary@example.com");
      const error = failsWith(
        await mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: outsider.id }),
        "BAD_USER_INPUT",
      );
      expect(error.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.userId"]);
      expect((await readAccount(server, admin.token, account.id)).primaryContact.id).to.equal(admin.id);
    });
  });

  describe("billing contacts", () => {
    it("keeps billing contacts in the order added", async () => {
      const { admin, account, members } = await accountWithMembers(server, 3);
      for (const member of [members[2]!, members[0]!, members[1]!]) {
        ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
      }
      const state = await readAccount(server, admin.token, account.id);
      expect(state.billingContacts.map((user) => user.id)).to.deep.equal([members[2]!.id, members[0]!.id, members[1]!.id]);
    });

    it("refuses a fourth billing contact with BILLING_CONTACT_LIMIT", async () => {
      const { admin, account, members } = await accountWithMembers(server, 4);
      for (const member of members.slice(0, 3)) {
        ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
      }
      const error = failsWith(
        await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[3]!.id }),
        "BILLING_CONTACT_LIMIT",
      );
      expect(error.message).to.match(/at most 3/);
      const state = await readAccount(server, admin.token, account.id);
      expect(state.billingContacts).to.have.lengthOf(3);
      expect((await readHistory(server, admin.token, account.id)).filter((row) => row.slot === "BILLING")).to.have.lengthOf(3);
    });

    it("treats adding an existing billing contact and removing a non-contact as successful no-ops", async () => {
      const { admin, account, members } = await accountWithMembers(server, 2);
      const added = ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[0]!.id }));
      const again = ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[0]!.id }));
      expect(again.addBillingContact!.billingContacts).to.have.lengthOf(1);
      expect(again.addBillingContact!.contactsVersion).to.equal(added.addBillingContact!.contactsVersion);
      const removed = ok(await mutate(server, admin.token, "removeBillingContact", { accountId: account.id, userId: members[1]!.id }));
      expect(removed.removeBillingContact!.contactsVersion).to.equal(added.addBillingContact!.contactsVersion);
      expect((await readHistory(server, admin.token, account.id)).filter((row) => row.slot === "BILLING")).to.have.lengthOf(1);
    });

    it("removes a billing contact, keeps the others' order, and frees the place", async () => {
      const { admin, account, members } = await accountWithMembers(server, 4);
      for (const member of members.slice(0, 3)) {
        ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
      }
      ok(await mutate(server, admin.token, "removeBillingContact", { accountId: account.id, userId: members[0]!.id }));
      const result = ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[3]!.id }));
      expect(result.addBillingContact!.billingContacts.map((user) => user.id)).to.deep.equal([
        members[1]!.id,
        members[2]!.id,
        members[3]!.id,
      ]);
      const history = await readHistory(server, admin.token, account.id);
      expect(history[1]).to.include({ slot: "BILLING", action: "REMOVE", previousEmail: members[0]!.email, newEmail: null });
    });

    it("refuses a billing contact who is not a member with BAD_USER_INPUT", async () => {
      const { admin, account } = await accountWithMembers(server, 0);
      const outsider = await signIn(server, "outsider-billing@example.com");
      const error = failsWith(
        await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: outsider.id }),
        "BAD_USER_INPUT",
      );
      expect(error.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.userId"]);
      expect((await readAccount(server, admin.token, account.id)).billingContacts).to.deep.equal([]);
    });
  });
});
