import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Sql } from "sql-template-tag";
import { ContactIssueKind } from "../src/health/contact-health.enums";
import { CONTACT_ISSUES } from "../src/health/needs-attention.queries";
import { DeliveryState, DeliveryStatus } from "../src/notifications/notification-delivery.entity";
import { ContactVerification } from "../src/verification/contact-verification.entity";
import { decodeGlobalId } from "../src/common/global-id";
import { CONTACT_ROLE_ORDER, type ContactRoleKind } from "../src/contacts/contact.enums";
import { startTestServer, type TestServer } from "./helpers/server";
import { addMember, createAccount, mutate, ok, signIn, type TestUser } from "./helpers/factories";
import { acceptFromLink, verificationTokenFor } from "./helpers/outbox";

/** The database key behind an API id, for writing rows straight to the tables. */
const rowId = (id: string) => decodeGlobalId(id)!.key[0]!;
const DAY_MS = 24 * 3600 * 1000;
const unique = () => Math.random().toString(36).slice(2, 8);

const HEALTH = `query($id: ID!) { account(id: $id) { contactHealth { missingRoles billingContactsFree needsAttention issues { slot email kind } } } }`;
const LISTED = `query { accountsNeedingAttention(first: 50) { totalCount edges { node { id } } } }`;

type Issue = { slot: string; email: string; kind: string };
/** Who is given a role: a member, or (SECURITY only) an outside address. */
type Holder = { userId: string } | { email: string };

describe("contact health rules: Account.contactHealth and accountsNeedingAttention agree", () => {
  let server: TestServer;
  let admin: TestUser;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    admin = await signIn(server, `rules-admin-${unique()}@example.com`, "Admin");
  });
  after(() => server.close());

  const set = async (accountId: string, name: string, input: Record<string, unknown>) =>
    ok(await mutate(server, admin.token, name, { accountId, ...input }));
  const answer = async (mutation: "verifyContactEmail" | "declineContactEmail", email: string) => {
    const token = await verificationTokenFor(server, email);
    ok(
      await server.graphql(
        `mutation($token: String!) { ${mutation}(input: { token: $token }) { verification { state } } }`,
        { token },
        null,
      ),
    );
  };
  const delivery = (accountId: string, email: string, state: DeliveryState.SENT | DeliveryState.FAILED) =>
    server.db.write((m) =>
      m.upsert(DeliveryStatus, { accountId: rowId(accountId), email, state, at: new Date(), lastError: null }, ["accountId", "email"]),
    );
  const verifiedDaysAgo = (accountId: string, days: number) =>
    server.db.write((m) =>
      m.update(
        ContactVerification,
        { accountId: rowId(accountId), role: "SECURITY" as never },
        { verifiedAt: new Date(Date.now() - days * DAY_MS) },
      ),
    );

  /** A member added by an admin who has accepted from the mail's link and never signed in. */
  async function neverSignedIn(accountId: string): Promise<{ id: string; email: string }> {
    const email = `never-${unique()}@example.com`;
    const added = ok(
      await server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { member { user { id } } } }`,
        { input: { accountId, email } },
        admin.token,
      ),
    );
    await acceptFromLink(server, email);
    return { id: added.addAccountMember.member.user.id, email };
  }

  /**
   * An account of the admin's with two members: billing contacts m0 then m1, DECISION_MAKER held by m1
   * and every other role (SECURITY too) by m0, unless `fill` is told otherwise.
   */
  async function account(name: string) {
    const { id } = await createAccount(server, admin, name);
    const m0 = await addMember(server, admin, id, `m0-${unique()}@example.com`);
    const m1 = await addMember(server, admin, id, `m1-${unique()}@example.com`);
    /** Gives the billing places and the roles, each role as `roles` says (null: nobody) or else as described above. */
    const fill = async (roles: Partial<Record<ContactRoleKind, Holder | null>> = {}, billing = [m0.id, m1.id]) => {
      for (const userId of billing) await set(id, "addBillingContact", { userId });
      for (const role of CONTACT_ROLE_ORDER) {
        const holder = role in roles ? roles[role] : { userId: role === "DECISION_MAKER" ? m1.id : m0.id };
        if (holder) await set(id, "setRoleContact", { role, ...holder });
      }
    };
    return { id, m0, m1, fill };
  }

  const issue = (slot: string, email: string, ...kinds: string[]): Issue[] => kinds.map((kind) => ({ slot, email, kind }));

  /** Each case: how the account is made, and the issues contactHealth must list for it, in order. */
  const cases: { name: string; make(): Promise<{ id: string; issues: Issue[]; missingRoles?: ContactRoleKind[] }> }[] = [
    {
      name: "every role held by a member",
      make: async () => {
        const a = await account("healthy");
        await a.fill();
        return { id: a.id, issues: [] };
      },
    },
    {
      name: "no role held",
      make: async () => {
        const a = await account("no roles");
        await a.fill({ DECISION_MAKER: null, IMPLEMENTATION: null, SECURITY: null, TECHNICAL_ADMIN: null });
        return { id: a.id, issues: [], missingRoles: [...CONTACT_ROLE_ORDER] };
      },
    },
    {
      name: "one role missing, no billing contact",
      make: async () => {
        const a = await account("one missing");
        await a.fill({ TECHNICAL_ADMIN: null }, []);
        return { id: a.id, issues: [], missingRoles: ["TECHNICAL_ADMIN"] };
      },
    },
    {
      name: "an outside address not yet confirmed",
      make: async () => {
        const a = await account("unverified");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        return { id: a.id, issues: issue("SECURITY", email, "UNVERIFIED_EXTERNAL") };
      },
    },
    {
      name: "an outside address confirmed",
      make: async () => {
        const a = await account("verified");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("verifyContactEmail", email);
        return { id: a.id, issues: [] };
      },
    },
    {
      name: "an outside address whose verification confirmed another address",
      make: async () => {
        const a = await account("verified elsewhere");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("verifyContactEmail", email);
        await server.db.write((m) =>
          m.update(
            ContactVerification,
            { accountId: rowId(a.id), role: "SECURITY" as never },
            { email: `old-${unique()}@partner.example` },
          ),
        );
        return { id: a.id, issues: issue("SECURITY", email, "UNVERIFIED_EXTERNAL") };
      },
    },
    {
      name: "an outside address its owner declined",
      make: async () => {
        const a = await account("declined");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("declineContactEmail", email);
        return { id: a.id, issues: issue("SECURITY", email, "DECLINED_EXTERNAL") };
      },
    },
    {
      name: "an outside address confirmed 366 days ago",
      make: async () => {
        const a = await account("stale");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("verifyContactEmail", email);
        await verifiedDaysAgo(a.id, 366);
        return { id: a.id, issues: issue("SECURITY", email, "VERIFICATION_STALE") };
      },
    },
    {
      name: "an outside address confirmed 364 days ago",
      make: async () => {
        const a = await account("nearly stale");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("verifyContactEmail", email);
        await verifiedDaysAgo(a.id, 364);
        return { id: a.id, issues: [] };
      },
    },
    {
      name: "a member who never signed in holding the second billing place and a role",
      make: async () => {
        const a = await account("never signed in");
        const never = await neverSignedIn(a.id);
        await a.fill({ DECISION_MAKER: { userId: never.id } }, [a.m0.id, never.id]);
        return {
          id: a.id,
          issues: [...issue("BILLING", never.email, "NEVER_SIGNED_IN"), ...issue("DECISION_MAKER", never.email, "NEVER_SIGNED_IN")],
        };
      },
    },
    {
      name: "a member who never signed in holding nothing",
      make: async () => {
        const a = await account("never signed in, no slot");
        await neverSignedIn(a.id);
        await a.fill();
        return { id: a.id, issues: [] };
      },
    },
    {
      name: "a member who never signed in and whose mail bounced, holding most slots",
      make: async () => {
        const a = await account("never signed in and bounced");
        const never = await neverSignedIn(a.id);
        const holds = { userId: never.id };
        await a.fill({ IMPLEMENTATION: holds, SECURITY: holds, TECHNICAL_ADMIN: holds }, [never.id, a.m1.id]);
        await delivery(a.id, never.email, DeliveryState.FAILED);
        const both = (slot: string) => issue(slot, never.email, "NEVER_SIGNED_IN", "DELIVERY_FAILED");
        return { id: a.id, issues: [...both("BILLING"), ...both("IMPLEMENTATION"), ...both("SECURITY"), ...both("TECHNICAL_ADMIN")] };
      },
    },
    {
      name: "failed deliveries to nobody holding a slot, to a holder in another account, and one since delivered",
      make: async () => {
        const a = await account("failures elsewhere");
        const other = await account("failures elsewhere, the other account");
        await a.fill();
        await delivery(a.id, `nobody-${unique()}@example.com`, DeliveryState.FAILED);
        await delivery(other.id, a.m0.email, DeliveryState.FAILED);
        await delivery(a.id, a.m1.email, DeliveryState.FAILED);
        await delivery(a.id, a.m1.email, DeliveryState.SENT);
        // `other` holds no roles: listed for its missing roles only.
        return { id: a.id, issues: [] };
      },
    },
    {
      name: "a bounced outside address and a bounced member",
      make: async () => {
        const a = await account("bounced");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("verifyContactEmail", email);
        await delivery(a.id, email, DeliveryState.FAILED);
        await delivery(a.id, a.m1.email, DeliveryState.FAILED);
        return {
          id: a.id,
          issues: [
            ...issue("BILLING", a.m1.email, "DELIVERY_FAILED"),
            ...issue("DECISION_MAKER", a.m1.email, "DELIVERY_FAILED"),
            ...issue("SECURITY", email, "DELIVERY_FAILED"),
          ],
        };
      },
    },
    {
      name: "a confirmed outside address whose domain the list leaves out, members at other domains",
      make: async () => {
        const a = await account("off the list");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("verifyContactEmail", email);
        await set(a.id, "setAllowedContactDomains", { domains: ["allowed.example"] });
        return { id: a.id, issues: issue("SECURITY", email, "DOMAIN_NOT_ALLOWED") };
      },
    },
    {
      name: "a confirmed outside address at a subdomain of a listed domain",
      make: async () => {
        const a = await account("subdomain");
        const email = `sec-${unique()}@mail.partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("verifyContactEmail", email);
        await set(a.id, "setAllowedContactDomains", { domains: ["partner.example"] });
        return { id: a.id, issues: issue("SECURITY", email, "DOMAIN_NOT_ALLOWED") };
      },
    },
    {
      name: "a confirmed outside address on the list",
      make: async () => {
        const a = await account("on the list");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("verifyContactEmail", email);
        await set(a.id, "setAllowedContactDomains", { domains: ["other.example", "partner.example"] });
        return { id: a.id, issues: [] };
      },
    },
    {
      name: "an unconfirmed, bounced outside address off the list",
      make: async () => {
        const a = await account("everything on one address");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await set(a.id, "setAllowedContactDomains", { domains: ["allowed.example"] });
        await delivery(a.id, email, DeliveryState.FAILED);
        return { id: a.id, issues: issue("SECURITY", email, "UNVERIFIED_EXTERNAL", "DELIVERY_FAILED", "DOMAIN_NOT_ALLOWED") };
      },
    },
    {
      name: "a declined, bounced outside address",
      make: async () => {
        const a = await account("declined and bounced");
        const email = `sec-${unique()}@partner.example`;
        await a.fill({ SECURITY: { email } });
        await answer("declineContactEmail", email);
        await delivery(a.id, email, DeliveryState.FAILED);
        return { id: a.id, issues: issue("SECURITY", email, "DECLINED_EXTERNAL", "DELIVERY_FAILED") };
      },
    },
  ];

  it("lists exactly the accounts whose contactHealth needs attention, each with its issues in slot order", async () => {
    const made: { name: string; id: string; issues: Issue[]; missingRoles: ContactRoleKind[] }[] = [];
    for (const each of cases) {
      const result = await each.make();
      made.push({ name: each.name, missingRoles: [], ...result });
    }
    const listed = ok(await server.graphql(LISTED, {}, admin.token)).accountsNeedingAttention;
    const listedIds = new Set(listed.edges.map((edge: { node: { id: string } }) => edge.node.id));
    expect(listed.totalCount).to.equal(listedIds.size);
    let needing = 0;
    for (const expected of made) {
      const health = ok(await server.graphql(HEALTH, { id: expected.id }, admin.token)).account.contactHealth;
      expect(health.issues, expected.name).to.deep.equal(expected.issues);
      expect(health.missingRoles, expected.name).to.deep.equal(expected.missingRoles);
      expect(health.needsAttention, expected.name).to.equal(health.issues.length > 0 || health.missingRoles.length > 0);
      expect(listedIds.has(expected.id), `${expected.name}: listed by accountsNeedingAttention`).to.equal(health.needsAttention);
      if (health.needsAttention) needing++;
    }
    // The accounts made only to hold another account's failed delivery have no roles, so they are listed too.
    expect(listedIds.size).to.equal(needing + 1);
    // Every kind of issue, and an account with none, are among the cases.
    const kinds = new Set(made.flatMap((expected) => expected.issues.map((found) => found.kind)));
    expect([...kinds].sort()).to.deep.equal(Object.values(ContactIssueKind).sort());
    expect(made.some((expected) => expected.issues.length === 0 && expected.missingRoles.length === 0)).to.equal(true);
  });
});

describe("contact health rules: one declaration per issue kind", () => {
  const SRC = path.resolve(__dirname, "..", "..", "src");

  it("has exactly one condition for each ContactIssueKind and none for anything else", () => {
    expect(Object.keys(CONTACT_ISSUES).sort()).to.deep.equal(Object.values(ContactIssueKind).sort());
    for (const [kind, condition] of Object.entries(CONTACT_ISSUES)) {
      const written = condition({ staleBefore: new Date() });
      expect(written, kind).to.be.instanceOf(Sql);
      expect(written.sql, kind).to.match(/"r"\./);
    }
  });

  it("names each kind in src/ only where it is declared (the enum) and defined (CONTACT_ISSUES), once each", () => {
    const sources = (folder: string): string[] =>
      fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const file = path.join(folder, entry.name);
        return entry.isDirectory() ? sources(file) : file.endsWith(".ts") ? [file] : [];
      });
    const named = new Map<string, string[]>();
    for (const file of sources(SRC)) {
      const text = fs.readFileSync(file, "utf8");
      for (const match of text.matchAll(/ContactIssueKind\.([A-Z_]+)/g)) {
        named.set(match[1]!, [...(named.get(match[1]!) ?? []), path.relative(SRC, file)]);
      }
    }
    for (const kind of Object.values(ContactIssueKind)) {
      expect(named.get(kind), kind).to.deep.equal(["health/needs-attention.queries.ts"]);
    }
    expect([...named.keys()].sort()).to.deep.equal(Object.values(ContactIssueKind).sort());
  });
});
