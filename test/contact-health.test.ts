import { expect } from "chai";
import { Database } from "../src/database";
import { DeliveryState, DeliveryStatus } from "../src/notifications/notification-delivery.entity";
import { ContactVerification } from "../src/verification/contact-verification.entity";
import { StatementCounter } from "./helpers/statement-counter";
import { freshDatabaseUrl, startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, mutate, ok, type AccountState, type TestUser } from "./helpers/factories";
import { acceptFromLink, verificationTokenFor } from "./helpers/outbox";
import { decodeGlobalId } from "../src/common/global-id";
import { ContactIssueKind } from "../src/health/contact-health.enums";
import { CONTACT_ROLE_ORDER } from "../src/contacts/contact.enums";

/** The database key behind an API id, for writing rows straight to the tables. */
const rowId = (id: string) => decodeGlobalId(id)!.key[0]!;

const HEALTH = `query($id: ID!) { account(id: $id) { contactHealth { missingRoles billingContactsFree needsAttention issues { slot email kind } } } }`;
const ATTENTION = `query($first: Int, $after: String) { accountsNeedingAttention(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id name contactHealth { missingRoles billingContactsFree issues { slot email kind } }
    roleContacts { role verification { state verifiedAt } } } }
} }`;

interface Health {
  missingRoles: string[];
  billingContactsFree: number;
  needsAttention: boolean;
  issues: { slot: string; email: string; kind: string }[];
}

describe("contact health", () => {
  let server: TestServer;
  let counter: StatementCounter;
  let db: Database;
  before(async () => {
    counter = new StatementCounter();
    db = await Database.open({ databaseUrl: await freshDatabaseUrl(), logger: counter });
    server = await startTestServer({ db, env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(async () => {
    await server.close();
    await db.close();
  });

  const health = async (user: TestUser, id: string): Promise<Health> =>
    ok(await server.graphql(HEALTH, { id }, user.token)).account.contactHealth;
  const set = async (admin: TestUser, accountId: string, name: string, input: Record<string, unknown>) =>
    ok(await mutate(server, admin.token, name, { accountId, ...input }))[name] as AccountState;

  /** An account with every role held by a member and all three billing places taken. */
  async function healthyAccount(prefix: string) {
    const { admin, account, members } = await accountWithMembers(server, 3, prefix);
    for (const member of members) await set(admin, account.id, "addBillingContact", { userId: member.id });
    for (const role of CONTACT_ROLE_ORDER) {
      await set(admin, account.id, "setRoleContact", { role, userId: members[0]!.id });
    }
    return { admin, account, members };
  }

  it("reports unset roles as missingRoles and free billing places, not as issues", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "fresh");
    expect(await health(admin, account.id)).to.deep.equal({
      missingRoles: CONTACT_ROLE_ORDER,
      billingContactsFree: 3,
      needsAttention: true,
      issues: [],
    });
    await set(admin, account.id, "addBillingContact", { userId: members[0]!.id });
    await set(admin, account.id, "setRoleContact", { role: "IMPLEMENTATION", userId: members[0]!.id });
    const after = await health(members[0]!, account.id);
    expect(after.missingRoles).to.deep.equal(CONTACT_ROLE_ORDER.filter((role) => role !== "IMPLEMENTATION"));
    expect(after.billingContactsFree).to.equal(2);
  });

  it("finds nothing wrong with an account whose roles are all held by members", async () => {
    const { admin, account } = await healthyAccount("healthy");
    expect(await health(admin, account.id)).to.deep.equal({ missingRoles: [], billingContactsFree: 0, needsAttention: false, issues: [] });
  });

  it("reports an external security contact as UNVERIFIED_EXTERNAL until verified, and VERIFICATION_STALE after 365 days", async () => {
    const { admin, account, members } = await healthyAccount("verify");
    const email = `sec-${Math.random().toString(36).slice(2, 8)}@partner.example`;
    await set(admin, account.id, "setRoleContact", { role: "SECURITY", email });
    expect((await health(admin, account.id)).issues).to.deep.equal([{ slot: "SECURITY", email, kind: "UNVERIFIED_EXTERNAL" }]);
    const token = await verificationTokenFor(server, email);
    ok(
      await server.graphql(
        `mutation($token: String!) { verifyContactEmail(input: { token: $token }) { verification { state } } }`,
        { token },
        null,
      ),
    );
    expect(await health(admin, account.id)).to.deep.include({ issues: [], needsAttention: false });
    const longAgo = new Date(Date.now() - 366 * 24 * 3600 * 1000);
    await server.db.write((m) =>
      m.update(ContactVerification, { accountId: rowId(account.id), role: "SECURITY" as never }, { verifiedAt: longAgo }),
    );
    expect((await health(members[0]!, account.id)).issues).to.deep.equal([{ slot: "SECURITY", email, kind: "VERIFICATION_STALE" }]);
  });

  it("reports DELIVERY_FAILED for every slot held by an address whose last delivery failed, until one succeeds", async () => {
    const { admin, account, members } = await healthyAccount("bounce");
    const failing = members[0]!.email; // billing contact and every role
    const record = (email: string, state: DeliveryState.SENT | DeliveryState.FAILED) =>
      server.db.write((m) =>
        m.upsert(DeliveryStatus, { accountId: rowId(account.id), email, state, at: new Date(), lastError: null }, ["accountId", "email"]),
      );
    await record(failing, DeliveryState.FAILED);
    await record("nobody-holds-this@example.com", DeliveryState.FAILED);
    const issues = (await health(admin, account.id)).issues;
    expect(issues.map((issue) => `${issue.slot} ${issue.kind}`)).to.deep.equal([
      "BILLING DELIVERY_FAILED",
      ...CONTACT_ROLE_ORDER.map((role) => `${role} DELIVERY_FAILED`),
    ]);
    expect(issues.every((issue) => issue.email === failing)).to.equal(true);
    await record(failing, DeliveryState.SENT);
    expect((await health(admin, account.id)).issues).to.deep.equal([]);
  });

  describe("accountsNeedingAttention", () => {
    it("lists only the caller's accounts with a missing role or an issue, agreeing with contactHealth, page by page", async () => {
      const { admin, account: healthy } = await healthyAccount("console");
      const owner = admin;
      const created: string[] = [];
      for (const name of ["Missing roles", "Unverified", "Bounced"]) {
        const data = ok(
          await server.graphql(
            `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`,
            { input: { name } },
            owner.token,
          ),
        );
        created.push(data.createAccount.account.id);
      }
      const [, unverified, bounced] = created as [string, string, string];
      for (const id of [unverified, bounced]) {
        for (const role of CONTACT_ROLE_ORDER) {
          await set(owner, id, "setRoleContact", { role, userId: owner.id });
        }
      }
      await set(owner, unverified, "setRoleContact", {
        role: "SECURITY",
        email: `x-${Math.random().toString(36).slice(2, 8)}@outside.example`,
      });
      await server.db.write((m) =>
        m.insert(DeliveryStatus, {
          accountId: rowId(bounced),
          email: owner.email,
          state: DeliveryState.FAILED,
          at: new Date(),
          lastError: "550 no such user",
        }),
      );
      // Someone else's troubled account is not listed.
      await accountWithMembers(server, 0, "someone-else");

      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: any = ok(await server.graphql(ATTENTION, { first: 1, after }, owner.token)).accountsNeedingAttention;
        expect(page.totalCount).to.equal(3);
        for (const edge of page.edges) {
          seen.push(edge.node.id);
          const node = edge.node;
          expect(node.contactHealth.missingRoles.length + node.contactHealth.issues.length, node.name).to.be.greaterThan(0);
        }
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        pages++;
      } while (after && pages < 10);
      expect(seen).to.deep.equal(created);
      expect(seen).to.not.include(healthy.id);
    });

    it("lists an account with only one issue, of any kind, exactly when contactHealth reports that issue", async () => {
      // One way to give an otherwise healthy account each kind of issue: a kind without one does not compile.
      const giveIssue: Record<ContactIssueKind, (admin: TestUser, accountId: string) => Promise<void>> = {
        [ContactIssueKind.UNVERIFIED_EXTERNAL]: async (admin, accountId) => {
          await set(admin, accountId, "setRoleContact", {
            role: "SECURITY",
            email: `u-${Math.random().toString(36).slice(2, 8)}@outside.example`,
          });
        },
        [ContactIssueKind.DECLINED_EXTERNAL]: async (admin, accountId) => {
          const email = `d-${Math.random().toString(36).slice(2, 8)}@outside.example`;
          await set(admin, accountId, "setRoleContact", { role: "SECURITY", email });
          const token = await verificationTokenFor(server, email);
          ok(
            await server.graphql(
              `mutation($token: String!) { declineContactEmail(input: { token: $token }) { verification { state } } }`,
              { token },
              null,
            ),
          );
        },
        [ContactIssueKind.VERIFICATION_STALE]: async (admin, accountId) => {
          const email = `s-${Math.random().toString(36).slice(2, 8)}@outside.example`;
          await set(admin, accountId, "setRoleContact", { role: "SECURITY", email });
          const token = await verificationTokenFor(server, email);
          ok(
            await server.graphql(
              `mutation($token: String!) { verifyContactEmail(input: { token: $token }) { verification { state } } }`,
              { token },
              null,
            ),
          );
          const longAgo = new Date(Date.now() - 366 * 24 * 3600 * 1000);
          await server.db.write((m) =>
            m.update(ContactVerification, { accountId: rowId(accountId), role: "SECURITY" as never }, { verifiedAt: longAgo }),
          );
        },
        [ContactIssueKind.NEVER_SIGNED_IN]: async (admin, accountId) => {
          const email = `n-${Math.random().toString(36).slice(2, 8)}@example.com`;
          const added = ok(
            await server.graphql(
              `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { member { user { id } } } }`,
              { input: { accountId, email } },
              admin.token,
            ),
          );
          await acceptFromLink(server, email);
          await set(admin, accountId, "setRoleContact", { role: "DECISION_MAKER", userId: added.addAccountMember.member.user.id });
        },
        [ContactIssueKind.DELIVERY_FAILED]: async (admin, accountId) => {
          await server.db.write((m) =>
            m.insert(DeliveryStatus, {
              accountId: rowId(accountId),
              email: admin.email,
              state: DeliveryState.FAILED,
              at: new Date(),
              lastError: "550",
            }),
          );
        },
        [ContactIssueKind.DOMAIN_NOT_ALLOWED]: async (admin, accountId) => {
          // A confirmed outside address (so no other issue), then a list that leaves its domain out.
          const email = `d-${Math.random().toString(36).slice(2, 8)}@outside.example`;
          await set(admin, accountId, "setRoleContact", { role: "SECURITY", email });
          const token = await verificationTokenFor(server, email);
          ok(
            await server.graphql(
              `mutation($token: String!) { verifyContactEmail(input: { token: $token }) { verification { state } } }`,
              { token },
              null,
            ),
          );
          await set(admin, accountId, "setAllowedContactDomains", { domains: ["example.com"] });
        },
      };
      for (const kind of Object.values(ContactIssueKind)) {
        const { admin, account } = await healthyAccount(kind.toLowerCase());
        const listed = async () =>
          ok(await server.graphql(ATTENTION, { first: 10 }, admin.token)).accountsNeedingAttention.edges.map((edge: any) => edge.node.id);
        expect(await listed(), `${kind}: the healthy account`).to.deep.equal([]);
        await giveIssue[kind](admin, account.id);
        expect([...new Set((await health(admin, account.id)).issues.map((issue) => issue.kind))], kind).to.deep.equal([kind]);
        expect(await listed(), kind).to.deep.equal([account.id]);
      }
    });

    it("costs the same few statements for 2 accounts as for 12 (batched, no query per account)", async () => {
      const statementsFor = async (accountCount: number) => {
        const { admin, account } = await accountWithMembers(server, 1, `count${accountCount}`);
        await set(admin, account.id, "setRoleContact", { role: "SECURITY", email: `c${accountCount}@outside.example` });
        for (let index = 1; index < accountCount; index++) {
          const data = ok(
            await server.graphql(
              `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`,
              { input: { name: `A${index}` } },
              admin.token,
            ),
          );
          await set(admin, data.createAccount.account.id, "setRoleContact", {
            role: "SECURITY",
            email: `c${accountCount}-${index}@outside.example`,
          });
        }
        // Warm the caller's user record so both runs start from the same place.
        ok(await server.graphql(`{ viewer { id } }`, {}, admin.token));
        const { result, statements } = await counter.during(() => server.graphql(ATTENTION, { first: 50 }, admin.token));
        const page = ok(result).accountsNeedingAttention;
        expect(page.edges).to.have.lengthOf(accountCount);
        expect(page.edges.every((edge: any) => edge.node.contactHealth.issues[0]?.kind === "UNVERIFIED_EXTERNAL")).to.equal(true);
        return statements;
      };
      const few = await statementsFor(2);
      const many = await statementsFor(12);
      expect(many, `2 accounts: ${few} statements, 12 accounts: ${many}`).to.equal(few);
      expect(many).to.be.at.most(10);
      console.log(`      accountsNeedingAttention with contactHealth and verification: ${few} statements for 2 accounts, ${many} for 12`);
    });
  });
});
