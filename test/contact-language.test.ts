import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, ok, signIn } from "./helpers/factories";
import { verificationTokenFor } from "./helpers/outbox";
import { NotificationDelivery, DeliveryKind } from "../src/notifications/notification-delivery.entity";

describe("a language per contact", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const run = (token: string, mutation: string, input: Record<string, unknown>) =>
    server.graphql(
      `mutation($input: ${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { account { id } } }`,
      { input },
      token,
    );
  const newest = (email: string, kind: DeliveryKind) =>
    server.db.read((m) => m.findOne(NotificationDelivery, { where: { email, kind }, order: { sequence: "DESC" } }));

  it("writes an outside contact's verification in the contact's language, and in the account's when the contact has none the service writes", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "lang");
    ok(
      await run(admin.token, "setRoleContact", {
        accountId: account.id,
        role: "SECURITY",
        email: "bezpieczenstwo@partner.example",
        languageTag: "pl-pl",
      }),
    );
    const polish = await newest("bezpieczenstwo@partner.example", DeliveryKind.VERIFICATION);
    expect(polish!.subject).to.match(/ds\. bezpieczeństwa/);
    const stored = ok(
      await server.graphql<{ account: { contacts: { slot: string; languageTag: string | null }[] } }>(
        `query($id: ID!) { account(id: $id) { contacts { slot languageTag } } }`,
        { id: account.id },
        admin.token,
      ),
    );
    expect(stored.account.contacts.find((contact) => contact.slot === "SECURITY")!.languageTag).to.equal("pl-PL");
    ok(
      await run(admin.token, "setRoleContact", {
        accountId: account.id,
        role: "SECURITY",
        email: "security@partner.example",
        languageTag: "pt-BR",
      }),
    );
    const english = await newest("security@partner.example", DeliveryKind.VERIFICATION);
    expect(english!.subject).to.match(/security contact/);
  });

  it("keeps an outside contact's phone, title and language on both sides of the history rows its owner writes by confirming or declining", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "answers");
    const details = { phone: "+48600999111", title: "CISO", languageTag: "pl" };
    const rowsOf = async () =>
      ok(
        await server.graphql<{ account: { contactHistory: { edges: { node: Record<string, string | null> }[] } } }>(
          `query($id: ID!) { account(id: $id) { contactHistory(first: 1) { edges { node {
             action previousPhone newPhone previousTitle newTitle previousLanguageTag newLanguageTag } } } } }`,
          { id: account.id },
          admin.token,
        ),
      ).account.contactHistory.edges.map(({ node }) => node);
    const expected = (action: string) => ({
      action,
      previousPhone: details.phone,
      newPhone: details.phone,
      previousTitle: details.title,
      newTitle: details.title,
      previousLanguageTag: details.languageTag,
      newLanguageTag: details.languageTag,
    });
    const answer = async (mutation: string, email: string) => {
      ok(await run(admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email, ...details }));
      const token = await verificationTokenFor(server, email);
      ok(await server.graphql(`mutation($token: String!) { ${mutation}(input: { token: $token }) { __typename } }`, { token }, null));
    };
    await answer("verifyContactEmail", "confirms@partner.example");
    expect(await rowsOf()).to.deep.equal([expected("VERIFIED")]);
    await answer("declineContactEmail", "declines@partner.example");
    expect(await rowsOf()).to.deep.equal([expected("DECLINED")]);
  });

  it("shows the confirmation page in the language the mail was written in: the contact's, else the account's", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "page");
    const pageLanguage = async (email: string, languageTag: string | null) => {
      ok(await run(admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email, languageTag }));
      const token = await verificationTokenFor(server, email);
      const page = await fetch(`${server.url.replace(/\/graphql$/, "")}/verify/${token}`, { headers: { "accept-language": "en" } });
      expect(page.status).to.equal(200);
      return page.headers.get("content-language");
    };
    expect(await pageLanguage("polski@partner.example", "pl-PL")).to.equal("pl");
    expect(await pageLanguage("nobody-says@partner.example", null)).to.equal("en");
    expect(await pageLanguage("brasil@partner.example", "pt-BR")).to.equal("en");
  });

  it("sends each recipient of a test message in their own language, falling back to the account's", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "langtest");
    await signIn(server, members[0]!.email);
    ok(await run(admin.token, "addBillingContact", { accountId: account.id, userId: members[0]!.id, languageTag: "pl" }));
    ok(
      await server.graphql(
        `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { deliveries { id } } }`,
        { input: { accountId: account.id, category: "INVOICE" } },
        admin.token,
      ),
    );
    const toBilling = await newest(members[0]!.email, DeliveryKind.TEST);
    const toPrimary = await newest(admin.email, DeliveryKind.TEST);
    expect(toPrimary!.body).to.match(/^This is a test message/);
    expect(toBilling!.body).to.not.match(/^This is a test message/);
    expect(toBilling!.subject).to.not.equal(toPrimary!.subject);
  });

  it("refuses a language tag that is not BCP 47, naming the field, and records a change of language alone as DETAILS", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "langbad");
    const error = failsWith(
      await run(admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id, languageTag: "not a language" }),
      "BAD_USER_INPUT",
    );
    expect((error.extensions!.invalidFields as { field: string }[]).map((problem) => problem.field)).to.deep.equal(["input.languageTag"]);
    ok(await run(admin.token, "setPrimaryContact", { accountId: account.id, userId: admin.id, languageTag: "en-gb" }));
    const history = ok(
      await server.graphql<{
        account: {
          contactHistory: { edges: { node: { action: string; previousLanguageTag: string | null; newLanguageTag: string | null } }[] };
        };
      }>(
        `query($id: ID!) { account(id: $id) { contactHistory(first: 1) { edges { node { action previousLanguageTag newLanguageTag } } } } }`,
        { id: account.id },
        admin.token,
      ),
    );
    expect(history.account.contactHistory.edges[0]!.node).to.deep.equal({
      action: "DETAILS",
      previousLanguageTag: null,
      newLanguageTag: "en-GB",
    });
  });
});
