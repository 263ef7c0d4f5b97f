import { expect } from "chai";
import pg from "pg";
import { ContactVerification } from "../src/verification/contact-verification.entity";
import { NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, mutate, ok } from "./helpers/factories";
import { verificationTokenFor } from "./helpers/outbox";
import { testingOnPostgres } from "./helpers/postgres";
import { hashToken } from "../src/verification/verification-tokens";
import { decodeGlobalId } from "../src/common/global-id";

const VERIFY = `mutation($token: String!) { verifyContactEmail(input: { token: $token }) { verification { role email state verifiedAt } } }`;
const SECURITY = `query($id: ID!) { account(id: $id) { roleContact(role: SECURITY) { email isExternal verification { state verifiedAt } } } }`;
const RESEND = `mutation($input: ResendContactVerificationInput!) { resendContactVerification(input: $input) { account { id } } }`;

/** The database key behind an API id, for reading and writing rows straight in the tables. */
const rowId = (id: string) => decodeGlobalId(id)!.key[0]!;

describe("verified external security contacts", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const verification = async (token: string, accountId: string) =>
    ok(await server.graphql(SECURITY, { id: accountId }, token)).account.roleContact;
  /** Verifies a token without signing in; `data.verifyContactEmail` is the verification. */
  const verify = async (token: string) => {
    const response = await server.graphql(VERIFY, { token }, null);
    if (response.data?.verifyContactEmail) response.data.verifyContactEmail = response.data.verifyContactEmail.verification;
    return response;
  };
  const messagesTo = (email: string) =>
    server.db.read((m) => m.find(NotificationDelivery, { where: { email }, order: { sequence: "ASC" } }));

  async function externalSecurity(prefix: string) {
    const { admin, account, members } = await accountWithMembers(server, 1, prefix);
    const email = `${prefix}-${Math.random().toString(36).slice(2, 8)}@partner.example`;
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
    return { admin, account, members, email };
  }

  it("starts an external security contact PENDING and queues one verification message that will carry a token", async () => {
    const { admin, account, email } = await externalSecurity("pending");
    expect(await verification(admin.token, account.id)).to.deep.equal({
      email,
      isExternal: true,
      verification: { state: "PENDING", verifiedAt: null },
    });
    const messages = await messagesTo(email);
    expect(messages).to.have.lengthOf(1);
    expect(messages[0]).to.include({ kind: "VERIFICATION", state: "PENDING", accountId: rowId(account.id) });
    // The message holds neither the token nor its hash: the worker derives the token as it sends it.
    const token = await verificationTokenFor(server, email);
    expect(messages[0]!.body).to.not.include(token);
    const row = await server.db.read((m) => m.findOneByOrFail(ContactVerification, { accountId: rowId(account.id) }));
    expect(row.tokenHash).to.match(/^[0-9a-f]{64}$/);
    expect(messages[0]!.body).to.not.include(row.tokenHash!);
    expect(messages[0]!.tokenNonce).to.be.a("string").and.not.equal(token);
  });

  it("verifies the address with the token, without signing in, and only once", async () => {
    const { admin, account, email } = await externalSecurity("once");
    const token = await verificationTokenFor(server, email);
    const verified = ok(await verify(token)).verifyContactEmail;
    expect(verified).to.include({ role: "SECURITY", email, state: "VERIFIED" });
    expect(Date.now() - Date.parse(verified.verifiedAt)).to.be.within(0, 60_000);
    expect((await verification(admin.token, account.id)).verification).to.deep.equal({
      state: "VERIFIED",
      verifiedAt: verified.verifiedAt,
    });
    failsWith(await verify(token), "BAD_USER_INPUT");
  });

  it("refuses an unknown or expired token with BAD_USER_INPUT and leaves the contact PENDING", async () => {
    const { admin, account, email } = await externalSecurity("expired");
    failsWith(await verify("x".repeat(43)), "BAD_USER_INPUT");
    failsWith(await verify("short"), "BAD_USER_INPUT");
    const token = await verificationTokenFor(server, email);
    await server.db.write((m) =>
      m.update(ContactVerification, { accountId: rowId(account.id) }, { tokenExpiresAt: new Date(Date.now() - 1000) }),
    );
    const error = failsWith(await verify(token), "BAD_USER_INPUT");
    expect(error.message).to.match(/expired/);
    expect((await verification(admin.token, account.id)).verification.state).to.equal("PENDING");
  });

  it("starts over when the address changes: the old token stops working and a new message goes to the new address", async () => {
    const { admin, account, email } = await externalSecurity("change");
    const oldToken = await verificationTokenFor(server, email);
    ok(await verify(oldToken));
    const next = `next-${email}`;
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: next }));
    expect((await verification(admin.token, account.id)).verification).to.deep.equal({ state: "PENDING", verifiedAt: null });
    expect(await messagesTo(next)).to.have.lengthOf(1);
    const newToken = await verificationTokenFor(server, next);
    expect(newToken).to.not.equal(oldToken);
    failsWith(await verify(oldToken), "BAD_USER_INPUT");
    expect(ok(await verify(newToken)).verifyContactEmail.email).to.equal(next);
  });

  it("sends nothing new when the same address is set again (idempotent)", async () => {
    const { admin, account, email } = await externalSecurity("same");
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: email.toUpperCase() }));
    expect(await messagesTo(email)).to.have.lengthOf(1);
  });

  it("drops the verification when a member takes the role or it is cleared, so a pending token is useless", async () => {
    const { admin, account, members, email } = await externalSecurity("member");
    const token = await verificationTokenFor(server, email);
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", userId: members[0]!.id }));
    expect(await verification(admin.token, account.id)).to.deep.include({ isExternal: false, verification: null });
    failsWith(await verify(token), "BAD_USER_INPUT");

    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
    const second = await verificationTokenFor(server, email);
    ok(await mutate(server, admin.token, "clearRoleContact", { accountId: account.id, role: "SECURITY" }));
    expect(await server.db.read((m) => m.countBy(ContactVerification, { accountId: rowId(account.id) }))).to.equal(0);
    failsWith(await verify(second), "BAD_USER_INPUT");
  });

  it("queues no message when the change that would send it fails", async () => {
    const { admin, account, members } = await accountWithMembers(server, 4, "rollback");
    const email = `rollback-${Math.random().toString(36).slice(2, 8)}@partner.example`;
    const input = {
      accountId: account.id,
      expectedVersion: account.contactsVersion,
      primaryContactUserId: admin.id,
      billingContactUserIds: members.map((member) => member.id),
      roleContacts: [{ role: "SECURITY", email }],
    };
    failsWith(
      await server.graphql(
        `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { id } } }`,
        { input },
        admin.token,
      ),
      "BILLING_CONTACT_LIMIT",
    );
    expect(await messagesTo(email)).to.have.lengthOf(0);
    expect(await server.db.read((m) => m.countBy(ContactVerification, { accountId: rowId(account.id) }))).to.equal(0);
  });

  it("resends a new token on request (an admin only), replacing the old one", async () => {
    const { admin, account, members, email } = await externalSecurity("resend");
    const first = await verificationTokenFor(server, email);
    failsWith(await server.graphql(RESEND, { input: { accountId: account.id } }, members[0]!.token), "FORBIDDEN");
    ok(await server.graphql(RESEND, { input: { accountId: account.id } }, admin.token));
    const second = await verificationTokenFor(server, email);
    expect(second).to.not.equal(first);
    failsWith(await verify(first), "BAD_USER_INPUT");
    ok(await verify(second));
    const notExternal = failsWith(
      await server.graphql(RESEND, { input: { accountId: account.id, role: "DECISION_MAKER" } }, admin.token),
      "BAD_USER_INPUT",
    );
    expect(notExternal.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.role"]);
  });

  it("refuses the token, changing nothing, when the verification it found no longer matches as it is updated", async () => {
    const { admin, account, email } = await externalSecurity("guard");
    const token = await verificationTokenFor(server, email);
    // A trigger makes the update match nothing, as a concurrent change of address would.
    const postgres = server.db.driver === "postgres";
    const create = postgres
      ? [
          `CREATE FUNCTION "skip_row_update"() RETURNS trigger AS $$ BEGIN RETURN NULL; END $$ LANGUAGE plpgsql`,
          `CREATE TRIGGER "skip_verification_updates" BEFORE UPDATE ON "contact_verifications" FOR EACH ROW EXECUTE FUNCTION "skip_row_update"()`,
        ]
      : [`CREATE TRIGGER "skip_verification_updates" BEFORE UPDATE ON "contact_verifications" BEGIN SELECT RAISE(IGNORE); END`];
    const drop = postgres
      ? [`DROP TRIGGER "skip_verification_updates" ON "contact_verifications"`, `DROP FUNCTION "skip_row_update"()`]
      : [`DROP TRIGGER "skip_verification_updates"`];
    await server.db.write(async (m) => {
      for (const statement of create) await m.query(statement);
    });
    try {
      const error = failsWith(await verify(token), "BAD_USER_INPUT");
      expect(error.message).to.match(/not valid/);
      expect(error.extensions!.invalidFields).to.deep.equal([{ field: "input.token", message: error.message }]);
    } finally {
      await server.db.write(async (m) => {
        for (const statement of drop) await m.query(statement);
      });
    }
    expect((await verification(admin.token, account.id)).verification.state).to.equal("PENDING");
    // Nothing was used up: the same token still works.
    expect(ok(await verify(token)).verifyContactEmail.state).to.equal("VERIFIED");
  });

  (testingOnPostgres() ? it : it.skip)(
    "on PostgreSQL, an old token cannot verify the address that replaced it between lookup and update",
    async () => {
      const url = (server.db.dataSource.options as { url: string }).url;
      // Two ways the row can change under the check: rewritten in place, or replaced as setRoleContact does.
      const changes = {
        "rewritten in place": [
          `UPDATE "contact_verifications" SET "email" = $2, "tokenHash" = $3, "state" = 'PENDING', "verifiedAt" = NULL WHERE "accountId" = $1 AND "role" = 'SECURITY'`,
        ],
        replaced: [
          `DELETE FROM "contact_verifications" WHERE "accountId" = $1 AND "role" = 'SECURITY' AND "email" <> $2 AND "tokenHash" <> $3`,
          `INSERT INTO "contact_verifications" ("accountId", "role", "email", "state", "tokenHash", "tokenExpiresAt", "requestedAt")
         VALUES ($1, 'SECURITY', $2, 'PENDING', $3, now() + interval '7 days', now())`,
        ],
      };
      for (const [how, statements] of Object.entries(changes)) {
        const { admin, account, email } = await externalSecurity(`race-${how.length}`);
        const oldToken = await verificationTokenFor(server, email);
        const next = `next-${email}`;
        const other = new pg.Client({ connectionString: url });
        await other.connect();
        try {
          // The other transaction changes the address and holds its row lock until it commits.
          await other.query("BEGIN");
          await other.query(`UPDATE "contact_slots" SET "email" = $2 WHERE "accountId" = $1 AND "slot" = 'SECURITY'`, [
            rowId(account.id),
            next,
          ]);
          for (const statement of statements)
            await other.query(statement, [rowId(account.id), next, hashToken(`another token for ${next}`)]);
          // verifyContactEmail finds the old row (the change is not committed), then waits for the lock to update it.
          const verifying = verify(oldToken);
          for (let waited = 0; ; waited += 20) {
            const { rows } = await other.query(
              `SELECT COUNT(*)::int AS "waiting" FROM pg_stat_activity WHERE "wait_event_type" = 'Lock' AND "datname" = current_database()`,
            );
            if (rows[0].waiting > 0) break;
            if (waited > 10_000) throw new Error(`verifyContactEmail never waited for the row lock (${how})`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await other.query("COMMIT");
          const error = failsWith(await verifying, "BAD_USER_INPUT");
          expect(error.message, how).to.match(/not valid/);
        } finally {
          await other.end();
        }
        expect(await verification(admin.token, account.id), how).to.deep.equal({
          email: next,
          isExternal: true,
          verification: { state: "PENDING", verifiedAt: null },
        });
      }
    },
  );

  it("shows no verification for a member contact", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "plain");
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", userId: members[0]!.id }));
    expect(await verification(admin.token, account.id)).to.deep.include({ isExternal: false, verification: null });
  });
});
