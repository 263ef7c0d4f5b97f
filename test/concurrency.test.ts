import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import pg from "pg";
import { accountWithMembers, failsWith, mutate, ok, readAccount, readHistory } from "./helpers/factories";
import { decodeGlobalId } from "../src/common/global-id";
import { testingOnPostgres } from "./helpers/postgres";

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

  /**
   * On PostgreSQL a change locks the account and reads it, with the caller's role, in one statement. A
   * change it had to wait for may have changed both: what it checks must be what that change committed.
   */
  (testingOnPostgres() ? it : it.skip)("checks the caller's role and the version as the change it waited for left them", async () => {
    const url = (server.db.dataSource.options as { url: string }).url;
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    /** Runs `statements` in a transaction that holds the account's lock while `request` starts and waits for it. */
    const whileLocked = async <T>(accountId: string, statements: [string, unknown[]][], request: () => Promise<T>): Promise<T> => {
      await other.query("BEGIN");
      await other.query(`UPDATE "accounts" SET "contactsVersion" = "contactsVersion" WHERE "id" = $1`, [accountId]);
      for (const [statement, values] of statements) await other.query(statement, values);
      const answer = request();
      for (let waited = 0; ; waited += 20) {
        const { rows } = await other.query(
          `SELECT COUNT(*)::int AS "waiting" FROM pg_stat_activity WHERE "wait_event_type" = 'Lock' AND "datname" = current_database()`,
        );
        if (rows[0].waiting > 0) break;
        if (waited > 10_000) throw new Error("The change never waited for the account's lock.");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.query("COMMIT");
      return answer;
    };
    try {
      const { admin, account, members } = await accountWithMembers(server, 2, "waits");
      const accountId = decodeGlobalId(account.id)!.key[0]!;
      const { contactsVersion } = await readAccount(server, admin.token, account.id);
      const bumped = await whileLocked(
        accountId,
        [[`UPDATE "accounts" SET "contactsVersion" = "contactsVersion" + 1 WHERE "id" = $1`, [accountId]]],
        () =>
          mutate(server, admin.token, "setPrimaryContact", {
            accountId: account.id,
            userId: members[0]!.id,
            expectedVersion: contactsVersion,
          }),
      );
      expect(failsWith(bumped, "VERSION_CONFLICT").extensions?.currentVersion).to.equal(contactsVersion + 1);
      const demoted = await whileLocked(
        accountId,
        [
          [
            `UPDATE "account_members" SET "role" = 'MEMBER' WHERE "accountId" = $1 AND "userId" = (SELECT "id" FROM "users" WHERE "email" = $2)`,
            [accountId, admin.email],
          ],
        ],
        () => mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[1]!.id }),
      );
      failsWith(demoted, "FORBIDDEN");
    } finally {
      await other.end();
    }
  });
});
