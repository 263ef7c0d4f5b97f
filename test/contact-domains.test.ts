import { expect } from "chai";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, ok, readAccount, readHistory, signIn, type TestUser } from "./helpers/factories";
import { verificationTokenFor } from "./helpers/outbox";
import { decodeGlobalId } from "../src/common/global-id";
import { AccountEvent } from "../src/events/account-event.entity";
import { CONTACT_DOMAINS_MAX, normaliseContactDomain } from "../src/accounts/contact-domains";
import { Database, MIGRATIONS } from "../src/database";
import { selectRows, sql } from "../src/common/sql";

/** The database key behind an API id. */
const rowId = (id: string) => decodeGlobalId(id)!.key[0]!;

const SET_DOMAINS = `mutation($input: SetAllowedContactDomainsInput!) {
  setAllowedContactDomains(input: $input) { account { id allowedContactDomains updatedAt } }
}`;
const READ = `query($id: ID!) { account(id: $id) {
  allowedContactDomains contactsVersion
  settingChanges { nodes { setting previousValue newValue actor { email } } }
  roleContacts { role email }
} }`;
const SET_ROLE = `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { contactsVersion } } }`;
const SAVE = `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { contactsVersion } } }`;
const HEALTH = `query($id: ID!) { account(id: $id) { contactHealth { needsAttention issues { slot email kind } } } }`;
const ATTENTION = `{ accountsNeedingAttention(first: 50) { edges { node { id } } } }`;

interface AccountRead {
  allowedContactDomains: string[];
  contactsVersion: number;
  settingChanges: { nodes: { setting: string; previousValue: string | null; newValue: string | null; actor: { email: string } }[] };
  roleContacts: { role: string; email: string }[];
}

describe("allowed contact domains", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const read = async (user: TestUser, id: string): Promise<AccountRead> =>
    ok(await server.graphql<{ account: AccountRead }>(READ, { id }, user.token)).account;
  const setDomains = (user: TestUser, accountId: string, domains: unknown) =>
    server.graphql(SET_DOMAINS, { input: { accountId, domains } }, user.token);
  const allow = async (user: TestUser, accountId: string, domains: string[]): Promise<string[]> =>
    ok(await setDomains(user, accountId, domains)).setAllowedContactDomains.account.allowedContactDomains;
  const setSecurity = (admin: TestUser, accountId: string, email: string) =>
    server.graphql(SET_ROLE, { input: { accountId, role: "SECURITY", email } }, admin.token);
  const saveSecurity = (admin: TestUser, accountId: string, expectedVersion: number, email: string, extra: Record<string, unknown> = {}) =>
    server.graphql(
      SAVE,
      {
        input: {
          accountId,
          expectedVersion,
          roleContacts: [
            { role: "IMPLEMENTATION", clear: true },
            { role: "SECURITY", email },
          ],
          ...extra,
        },
      },
      admin.token,
    );
  const events = (accountId: string) =>
    server.db.read((manager) => manager.find(AccountEvent, { where: { accountId: rowId(accountId) }, order: { sequence: "ASC" } }));

  it("starts empty, and an admin sets a list that members read, recorded in settingChanges and the change log", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "setlist");
    expect((await read(members[0]!, account.id)).allowedContactDomains).to.deep.equal([]);
    const before = await events(account.id);

    expect(await allow(admin, account.id, ["example.org", "example.com"])).to.deep.equal(["example.com", "example.org"]);
    const seen = await read(members[0]!, account.id);
    expect(seen.allowedContactDomains).to.deep.equal(["example.com", "example.org"]);
    expect(seen.settingChanges.nodes).to.deep.equal([
      { setting: "ALLOWED_CONTACT_DOMAINS", previousValue: null, newValue: "example.com example.org", actor: { email: admin.email } },
    ]);
    const after = await events(account.id);
    expect(after).to.have.lengthOf(before.length + 1);
    expect(after.at(-1)!.kinds).to.equal("account.settings.changed");
    expect(after.at(-1)!.contactsVersion, "a settings change leaves contactsVersion").to.equal(seen.contactsVersion);

    // The same list (in another order, with a repeat) changes nothing; an empty one lifts the restriction.
    expect(await allow(admin, account.id, ["EXAMPLE.org", "example.com", "example.com"])).to.deep.equal(["example.com", "example.org"]);
    expect((await read(admin, account.id)).settingChanges.nodes).to.have.lengthOf(1);
    expect(await events(account.id)).to.have.lengthOf(after.length);
    expect(await allow(admin, account.id, [])).to.deep.equal([]);
    expect((await read(admin, account.id)).settingChanges.nodes[0]).to.deep.include({
      previousValue: "example.com example.org",
      newValue: null,
    });
  });

  it("normalises case, a trailing dot and internationalised names to the stored ASCII form", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "norm");
    expect(await allow(admin, account.id, ["Example.COM.", "Bücher.example", "ＥＸＡＭＰＬＥ.net"])).to.deep.equal([
      "example.com",
      "example.net",
      "xn--bcher-kva.example",
    ]);
    // An address at the Unicode form of a listed name is the same domain, and is accepted.
    ok(await setSecurity(admin, account.id, "anna@BÜCHER.example"));
    expect((await read(admin, account.id)).roleContacts).to.deep.include({ role: "SECURITY", email: "anna@xn--bcher-kva.example" });
  });

  it("refuses what is not a domain name, and more than the maximum, naming the field", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "bad");
    const refusals: [unknown[], string][] = [
      [["example.com", "*.example.com"], "input.domains.1"],
      [["anna@example.com"], "input.domains.0"],
      [["localhost"], "input.domains.0"],
      [["192.168.0.1"], "input.domains.0"],
      [["under_score.example"], "input.domains.0"],
      [["example.com/path"], "input.domains.0"],
      [[""], "input.domains.0"],
      [["example..com"], "input.domains.0"],
      [["xn--zz.example"], "input.domains.0"],
      [[`${"a".repeat(64)}.example`], "input.domains.0"],
      [Array.from({ length: CONTACT_DOMAINS_MAX + 1 }, (_, index) => `d${index}.example`), "input.domains"],
    ];
    for (const [domains, field] of refusals) {
      const error = failsWith(await setDomains(admin, account.id, domains), "BAD_USER_INPUT");
      expect(error.extensions?.invalidFields, JSON.stringify(domains)).to.deep.equal([
        { field, message: (error.extensions!.invalidFields as { message: string }[])[0]!.message },
      ]);
    }
    expect(
      await allow(
        admin,
        account.id,
        Array.from({ length: CONTACT_DOMAINS_MAX }, (_, index) => `d${index}.example`),
      ),
    ).to.have.lengthOf(CONTACT_DOMAINS_MAX);
    expect(
      normaliseContactDomain(`${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.com`),
      "longer than 253",
    ).to.equal(null);
  });

  it("refuses a member who is not an admin with FORBIDDEN, and another tenant with NOT_FOUND, reading nothing of the list", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "perm");
    await allow(admin, account.id, ["secret-partner.example"]);
    failsWith(await setDomains(members[0]!, account.id, ["example.com"]), "FORBIDDEN");
    const stranger = await signIn(server, `stranger-${Math.random().toString(36).slice(2, 8)}@other.example`);
    const denied = await setDomains(stranger, account.id, []);
    failsWith(denied, "NOT_FOUND");
    expect(JSON.stringify(denied)).not.to.contain("secret-partner");
    const peek = await server.graphql(READ, { id: account.id }, stranger.token);
    failsWith(peek, "NOT_FOUND");
    expect(peek.data?.account).to.equal(null);
    expect(JSON.stringify(peek)).not.to.contain("secret-partner");
    const node = await server.graphql(
      `query($id: ID!) { node(id: $id) { ... on Account { allowedContactDomains } } }`,
      { id: account.id },
      stranger.token,
    );
    expect(JSON.stringify(node)).not.to.contain("secret-partner");
    expect((await read(admin, account.id)).allowedContactDomains, "the refused calls changed nothing").to.deep.equal([
      "secret-partner.example",
    ]);
  });

  it("refuses an outside address off the list on setRoleContact with CONTACT_DOMAIN_NOT_ALLOWED on input.email, writing nothing", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "single");
    await allow(admin, account.id, ["example.com"]);
    const before = await read(admin, account.id);
    const history = await readHistory(server, admin.token, account.id);
    const eventCount = (await events(account.id)).length;
    for (const email of ["sec@evil-example.com", "sec@example.com.evil.net", "sec@mail.example.com", "sec@example.co", "sec@exаmple.com"]) {
      const error = failsWith(await setSecurity(admin, account.id, email), "CONTACT_DOMAIN_NOT_ALLOWED");
      expect(
        (error.extensions!.invalidFields as { field: string }[]).map((entry) => entry.field),
        email,
      ).to.deep.equal(["input.email"]);
    }
    // The same address in other spellings is still the same (refused) domain.
    for (const email of ["sec@EVIL-example.com", "  sec@evil-example.com  "])
      failsWith(await setSecurity(admin, account.id, email), "CONTACT_DOMAIN_NOT_ALLOWED");
    failsWith(await setSecurity(admin, account.id, "sec@example.com."), "BAD_USER_INPUT");
    expect(await read(admin, account.id)).to.deep.equal(before);
    expect(await readHistory(server, admin.token, account.id)).to.deep.equal(history);
    expect(await events(account.id)).to.have.lengthOf(eventCount);

    ok(await setSecurity(admin, account.id, "Sec@Example.COM"));
    expect((await read(admin, account.id)).roleContacts).to.deep.include({ role: "SECURITY", email: "sec@example.com" });
  });

  it("refuses it on saveAccountContacts with the field of that role, leaving every slot of the form unsaved", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "multi");
    ok(await server.graphql(SET_ROLE, { input: { accountId: account.id, role: "IMPLEMENTATION", userId: members[0]!.id } }, admin.token));
    await allow(admin, account.id, ["example.com"]);
    const before = await read(admin, account.id);
    const history = await readHistory(server, admin.token, account.id);

    const refused = await saveSecurity(admin, account.id, before.contactsVersion, "sec@evil-example.com", {
      primaryContactUserId: members[0]!.id,
    });
    const error = failsWith(refused, "CONTACT_DOMAIN_NOT_ALLOWED");
    expect((error.extensions!.invalidFields as { field: string }[]).map((entry) => entry.field)).to.deep.equal([
      "input.roleContacts.1.email",
    ]);
    expect(refused.data?.saveAccountContacts ?? null).to.equal(null);
    const after = await read(admin, account.id);
    expect(after, "neither the primary contact nor the cleared role changed").to.deep.equal(before);
    expect((await readAccount(server, admin.token, account.id)).primaryContact.id).to.equal(admin.id);
    expect(await readHistory(server, admin.token, account.id)).to.deep.equal(history);

    ok(await saveSecurity(admin, account.id, before.contactsVersion, "sec@example.com"));
    expect((await read(admin, account.id)).roleContacts).to.deep.equal([{ role: "SECURITY", email: "sec@example.com" }]);
  });

  it("never restricts a member's own address, by userId or by email", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "member");
    await allow(admin, account.id, ["allowed.example"]);
    ok(await server.graphql(SET_ROLE, { input: { accountId: account.id, role: "SECURITY", userId: members[0]!.id } }, admin.token));
    ok(await setSecurity(admin, account.id, admin.email));
    expect((await read(admin, account.id)).roleContacts).to.deep.equal([{ role: "SECURITY", email: admin.email }]);
  });

  it("keeps an outside address set before the list, and reports it in contact health as DOMAIN_NOT_ALLOWED until it is fixed", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "health");
    // Every member-only role held, so nothing but the domain can make the account need attention.
    for (const role of ["DECISION_MAKER", "IMPLEMENTATION", "TECHNICAL_ADMIN"]) {
      ok(await server.graphql(SET_ROLE, { input: { accountId: account.id, role, userId: admin.id } }, admin.token));
    }
    const email = `sec-${Math.random().toString(36).slice(2, 8)}@partner.example`;
    ok(await setSecurity(admin, account.id, email));
    ok(
      await server.graphql(
        `mutation($token: String!) { verifyContactEmail(input: { token: $token }) { verification { state } } }`,
        { token: await verificationTokenFor(server, email) },
        null,
      ),
    );
    const issuesOf = async () =>
      ok(await server.graphql(HEALTH, { id: account.id }, admin.token)).account.contactHealth.issues as {
        kind: string;
        email: string;
        slot: string;
      }[];
    const listed = async () =>
      ok(await server.graphql(ATTENTION, {}, admin.token)).accountsNeedingAttention.edges.some(
        (edge: { node: { id: string } }) => edge.node.id === account.id,
      );
    expect(await issuesOf()).to.deep.equal([]);
    expect(await listed()).to.equal(false);

    await allow(admin, account.id, ["er.example", "mail.partner.example", "partner.example.com"]);
    expect((await read(admin, account.id)).roleContacts, "the address is kept").to.deep.include({ role: "SECURITY", email });
    expect(await issuesOf()).to.deep.equal([{ slot: "SECURITY", email, kind: "DOMAIN_NOT_ALLOWED" }]);
    expect(await listed(), "accountsNeedingAttention agrees").to.equal(true);

    // A form that leaves the slot as it is still saves; setting the address anew is refused.
    const version = (await read(admin, account.id)).contactsVersion;
    ok(
      await server.graphql(
        SAVE,
        { input: { accountId: account.id, expectedVersion: version, roleContacts: [{ role: "SECURITY", email }] } },
        admin.token,
      ),
    );
    failsWith(
      await server.graphql(SET_ROLE, { input: { accountId: account.id, role: "SECURITY", email: `other-${email}` } }, admin.token),
      "CONTACT_DOMAIN_NOT_ALLOWED",
    );
    const resent = failsWith(
      await server.graphql(
        `mutation($input: ResendContactVerificationInput!) { resendContactVerification(input: $input) { account { id } } }`,
        { input: { accountId: account.id, role: "SECURITY" } },
        admin.token,
      ),
      "CONTACT_DOMAIN_NOT_ALLOWED",
    );
    expect(
      (resent.extensions!.invalidFields as { field: string }[]).map((entry) => entry.field),
      "an address off the list is not asked again",
    ).to.deep.equal(["input.role"]);

    await allow(admin, account.id, ["partner.example"]);
    expect(await issuesOf()).to.deep.equal([]);
    expect(await listed()).to.equal(false);
    await allow(admin, account.id, []);
    expect(await issuesOf(), "no list, no restriction").to.deep.equal([]);
  });

  describe("the migration", () => {
    it("reverts to the schema before it, keeping the language history, and applies again", async () => {
      const url = await freshDatabaseUrl();
      const db = await Database.open({ databaseUrl: url });
      const migrated = await startTestServer({ db, env: { MUTATION_RATE_LIMIT: "0" } });
      try {
        const admin = await signIn(migrated, `migration-${Math.random().toString(36).slice(2, 8)}@example.com`);
        const account = ok(
          await migrated.graphql(`mutation { createAccount(input: { name: "Migrated" }) { account { id } } }`, {}, admin.token),
        ).createAccount.account;
        ok(
          await migrated.graphql(
            `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`,
            { input: { accountId: account.id, locale: "PL" } },
            admin.token,
          ),
        );
        const long = Array.from({ length: CONTACT_DOMAINS_MAX }, (_, index) => `${"d".repeat(60)}${index}.example`);
        ok(await migrated.graphql(SET_DOMAINS, { input: { accountId: account.id, domains: long } }, admin.token));
        const [stored] = await selectRows(
          db,
          sql`SELECT "newValue" FROM "account_setting_changes" WHERE "setting" = 'ALLOWED_CONTACT_DOMAINS'`,
        );
        expect((stored!.newValue as string).length, "a whole list is kept, longer than 200 characters").to.be.greaterThan(1000);

        expect(MIGRATIONS.at(-1)!.name).to.equal("AllowedContactDomains1797500000000");
        await db.dataSource.undoLastMigration({ transaction: "all" });
        expect(await selectRows(db, sql`SELECT "setting", "newValue" FROM "account_setting_changes"`)).to.deep.equal([
          { setting: "LOCALE", newValue: "pl" },
        ]);
        let table = true;
        await selectRows(db, sql`SELECT 1 FROM "account_contact_domains"`).catch(() => (table = false));
        expect(table, "account_contact_domains is dropped").to.equal(false);
        let refused = false;
        await db.dataSource
          .query(
            `INSERT INTO "account_setting_changes" ("accountId", "at", "actorId", "setting") VALUES ($1, $2, $3, 'ALLOWED_CONTACT_DOMAINS')`.replace(
              /\$\d/g,
              db.driver === "postgres" ? (m) => m : () => "?",
            ),
            [rowId(account.id), new Date(), admin.id],
          )
          .catch(() => (refused = true));
        expect(refused, "the reverted CHECK names only LOCALE").to.equal(true);

        expect(await db.migrate()).to.deep.equal(["AllowedContactDomains1797500000000"]);
        ok(await migrated.graphql(SET_DOMAINS, { input: { accountId: account.id, domains: ["example.com"] } }, admin.token));
      } finally {
        await migrated.close();
        await db.close();
        await dropTestDatabase(url);
      }
    });
  });
});
