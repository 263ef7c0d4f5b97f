import { expect } from "chai";
import { TEST_JWT_SECRET, startTestServer, type TestServer } from "./helpers/server";
import { TestSmtpServer, waitFor } from "./helpers/smtp";
import { addMember, createAccount, failsWith, mutate, ok, readAccount, readHistory, signIn, type TestUser } from "./helpers/factories";
import { verificationTokenFor } from "./helpers/outbox";
import { DeliveryKind, NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { DeliveryWorker } from "../src/notifications/delivery.worker";
import { smtpTransport } from "../src/notifications/mail-transport";
import { ContactVerification } from "../src/verification/contact-verification.entity";
import { createLogger } from "../src/observability/logger";
import { ConfigError, loadConfig } from "../src/config";
import { decodeGlobalId } from "../src/common/global-id";
import { CONFIRMATION_PAGE_TEXT, PAGE_LOCALES } from "../src/verification/confirmation-page.text";
import { Account } from "../src/accounts/account.entity";
import { Random } from "./helpers/random";

const VERIFICATION = `query($id: ID!) { account(id: $id) {
  roleContact(role: SECURITY) { email verification { state verifiedAt declinedAt } }
  contactHealth { issues { slot email kind } }
} }`;
const SEND = `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { deliveries { email state skipReason } } }`;
const DECLINE = `mutation($token: String!) { declineContactEmail(input: { token: $token }) { verification { state declinedAt } } }`;
const VERIFY = `mutation($token: String!) { verifyContactEmail(input: { token: $token }) { verification { state } } }`;

interface PageResponse {
  status: number;
  headers: Headers;
  body: string;
}

const rowId = (id: string) => decodeGlobalId(id)!.key[0]!;
const outsideAddress = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 8)}@partner.example`;

describe("confirmation page", () => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let worker: DeliveryWorker;
  let base: string;
  const logLines: string[] = [];

  before(async () => {
    smtp = new TestSmtpServer();
    const smtpUrl = await smtp.start();
    const logger = createLogger("info", { write: (line: string) => void logLines.push(line) });
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0", SMTP_URL: smtpUrl }, logger });
    base = server.url.replace(/\/graphql$/, "");
    worker = new DeliveryWorker(server.db, smtpTransport(smtpUrl, "contact-points <no-reply@test.example>"), {
      pollMs: 20,
      maxAttempts: 2,
      retryBaseMs: 20,
      tokens: server.app.outbox.tokens,
    });
    worker.start();
  });
  after(async () => {
    await worker.stop();
    await server.close();
    await smtp.close();
  });

  const get = async (url: string, headers: Record<string, string> = {}): Promise<PageResponse> => {
    const response = await fetch(url, { headers, redirect: "manual" });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  const post = async (form: Record<string, string>, headers: Record<string, string> = {}): Promise<PageResponse> => {
    const response = await fetch(`${base}/verify`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form).toString(),
      redirect: "manual",
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };
  const security = async (admin: TestUser, accountId: string) =>
    ok(await server.graphql(VERIFICATION, { id: accountId }, admin.token)).account;

  /** Names an outside security contact and waits for the verification mail the SMTP server receives; returns the link in it. */
  async function askOutsideAddress(
    admin: TestUser,
    accountId: string,
    email: string,
  ): Promise<{ link: string; token: string; text: string }> {
    const before = smtp.to(email).length;
    ok(await mutate(server, admin.token, "setRoleContact", { accountId, role: "SECURITY", email }));
    const mail = await waitFor(`the verification mail to ${email}`, () => smtp.to(email)[before]);
    const link = /https?:\/\/\S+\/verify\/[A-Za-z0-9_-]{43}/.exec(mail.mail.text)?.[0];
    expect(link, mail.mail.text).to.be.a("string");
    return { link: link!, token: link!.split("/").pop()!, text: mail.mail.text };
  }

  async function outsideContact(prefix: string, accountName?: string, adminName?: string) {
    const admin = await signIn(server, `${prefix}-admin-${Math.random().toString(36).slice(2, 8)}@example.com`, adminName ?? "Ada Admin");
    const account = await createAccount(server, admin, accountName ?? `${prefix} Company`);
    const email = outsideAddress(prefix);
    return { admin, account, email, ...(await askOutsideAddress(admin, account.id, email)) };
  }

  function expectPageHeaders(page: PageResponse) {
    expect(page.headers.get("content-type")).to.match(/^text\/html; charset=utf-8/);
    expect(page.headers.get("referrer-policy")).to.equal("no-referrer");
    expect(page.headers.get("cache-control")).to.equal("no-store");
    expect(page.headers.get("x-content-type-options")).to.equal("nosniff");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).to.include("default-src 'none'");
    expect(csp).to.match(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).to.include("form-action 'self'");
    expect(csp).to.include("frame-ancestors 'none'");
    expect(csp).to.not.include("script-src");
  }

  it("links the verification mail to this server's page, and keeps the token line for API users", async () => {
    const { link, token, text } = await outsideContact("mail");
    expect(link).to.equal(`${base}/verify/${token}`);
    expect(text).to.include("verifyContactEmail");
    expect(text.split(token)).to.have.lengthOf(3);
  });

  it("shows who asks, for which account and role, until when — and opening it (GET, HEAD, again and again) changes nothing", async () => {
    const { admin, account, email, link } = await outsideContact("show", "Harbour Logistics", "Ada Admin");
    for (let attempt = 0; attempt < 3; attempt++) {
      const page = await get(link);
      expect(page.status).to.equal(200);
      expectPageHeaders(page);
      expect(page.body).to.include("&quot;Harbour Logistics&quot;");
      expect(page.body).to.include("security contact");
      // Who asked, by the address they signed in with: a name is whatever the admin's sign-in claims.
      expect(page.body).to.include(`<dd id="asked-by">${admin.email}</dd>`);
      expect(page.body).to.not.include("Ada Admin");
      expect(page.body).to.include(email);
      expect(page.body).to.match(/<dd id="expires">[A-Z][a-z]+ \d{1,2}, \d{4} at \d{2}:\d{2} UTC<\/dd>/);
      expect(page.body).to.include('value="confirm"');
      expect(page.body).to.include('value="decline"');
      expect(page.body).to.not.match(/<script/i);
    }
    const head = await fetch(link, { method: "HEAD" });
    expect(head.status).to.equal(200);
    const after = await security(admin, account.id);
    expect(after.roleContact.verification).to.deep.equal({ state: "PENDING", verifiedAt: null, declinedAt: null });
  });

  it("confirms on the button press (a form POST with the token), and a replayed POST answers 'already confirmed' without changing anything", async () => {
    const { admin, account, token } = await outsideContact("confirm");
    const answered = await post({ token, answer: "confirm" });
    expect(answered.status).to.equal(200);
    expectPageHeaders(answered);
    expect(answered.body).to.include(CONFIRMATION_PAGE_TEXT.en.confirmedTitle);
    const confirmed = (await security(admin, account.id)).roleContact.verification;
    expect(confirmed.state).to.equal("VERIFIED");

    const replayed = await post({ token, answer: "confirm" });
    expect(replayed.status).to.equal(200);
    expect(replayed.body).to.include(CONFIRMATION_PAGE_TEXT.en.alreadyConfirmedTitle);
    const declinedAfter = await post({ token, answer: "decline" });
    expect(declinedAfter.body).to.include(CONFIRMATION_PAGE_TEXT.en.alreadyConfirmedTitle);
    expect((await security(admin, account.id)).roleContact.verification).to.deep.equal(confirmed);
    expect((await get(`${base}/verify/${token}`)).body).to.include(CONFIRMATION_PAGE_TEXT.en.alreadyConfirmedTitle);
    failsWith(await server.graphql(VERIFY, { token }, null), "BAD_USER_INPUT");
  });

  it("takes the token with spaces or a line break around it, as verifyContactEmail does", async () => {
    const { admin, account, token } = await outsideContact("padded");
    const answered = await post({ token: ` ${token}\r\n`, answer: "confirm" });
    expect(answered.body).to.include(CONFIRMATION_PAGE_TEXT.en.confirmedTitle);
    expect((await security(admin, account.id)).roleContact.verification.state).to.equal("VERIFIED");
  });

  it("'This is not me' makes the contact DECLINED: health reports it, history records it, and the address gets no more mail until an admin sets it again", async () => {
    const { admin, account, email, token } = await outsideContact("decline");
    const answered = await post({ token, answer: "decline" });
    expect(answered.status).to.equal(200);
    expect(answered.body).to.include(CONFIRMATION_PAGE_TEXT.en.declinedTitle);

    const after = await security(admin, account.id);
    expect(after.roleContact.verification.state).to.equal("DECLINED");
    expect(after.roleContact.verification.declinedAt).to.be.a("string");
    expect(after.contactHealth.issues).to.deep.include({ slot: "SECURITY", email, kind: "DECLINED_EXTERNAL" });
    expect(after.contactHealth.issues.filter((issue: { kind: string }) => issue.kind === "UNVERIFIED_EXTERNAL")).to.deep.equal([]);
    const [latest] = await readHistory(server, admin.token, account.id);
    expect(latest).to.deep.equal({
      slot: "SECURITY",
      action: "DECLINED",
      previousEmail: email,
      newEmail: email,
      actor: { email: admin.email },
    });

    const mailsSoFar = smtp.to(email).length;
    const sent = ok(await server.graphql(SEND, { input: { accountId: account.id, category: "SECURITY" } }, admin.token))
      .sendTestNotification.deliveries;
    expect(sent.find((delivery: { email: string }) => delivery.email === email)).to.deep.equal({
      email,
      state: "SKIPPED",
      skipReason: "ADDRESS_NOT_VERIFIED",
    });
    // Give the delivery worker time to send anything it was (wrongly) given.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.to(email)).to.have.lengthOf(mailsSoFar);
    expect((await post({ token, answer: "confirm" })).body).to.include(CONFIRMATION_PAGE_TEXT.en.alreadyDeclinedTitle);
    expect((await security(admin, account.id)).roleContact.verification.state).to.equal("DECLINED");

    // A settings form saved with the slot as it was (the address sent back unchanged) does not ask again.
    const before = await readAccount(server, admin.token, account.id);
    const historyBefore = await readHistory(server, admin.token, account.id);
    const member = await addMember(server, admin, account.id, outsideAddress("billing-member"));
    ok(
      await server.graphql(
        `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { id } } }`,
        {
          input: {
            accountId: account.id,
            expectedVersion: before.contactsVersion,
            primaryContactUserId: before.primaryContact.id,
            billingContactUserIds: [member.id],
            roleContacts: [{ role: "SECURITY", email }],
          },
        },
        admin.token,
      ),
    );
    expect((await security(admin, account.id)).roleContact.verification.state).to.equal("DECLINED");
    const historyAfter = await readHistory(server, admin.token, account.id);
    expect(historyAfter.slice(0, historyAfter.length - historyBefore.length).map((row) => row.slot)).to.deep.equal(["BILLING"]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.to(email)).to.have.lengthOf(mailsSoFar);

    // Setting the same address again asks its owner anew, with a new link.
    const again = await askOutsideAddress(admin, account.id, email);
    expect(again.token).to.not.equal(token);
    expect((await security(admin, account.id)).roleContact.verification.state).to.equal("PENDING");
    expect((await get(`${base}/verify/${token}`)).status).to.equal(404);
    expect((await get(again.link)).status).to.equal(200);

    // Asked again once, the address is not asked a third time within the bound, by either way.
    expect((await post({ token: again.token, answer: "decline" })).status).to.equal(200);
    const mailsAfterAgain = smtp.to(email).length;
    const declined = failsWith(
      await mutate(server, admin.token, "resendContactVerification", { accountId: account.id, role: "SECURITY" }),
      "ADDRESS_DECLINED",
    );
    expect(declined.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["input.role"]);
    failsWith(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }), "ADDRESS_DECLINED");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(smtp.to(email)).to.have.lengthOf(mailsAfterAgain);
  });

  it("offers declineContactEmail beside verifyContactEmail, refusing an unknown or used token with BAD_USER_INPUT", async () => {
    const { admin, account, token } = await outsideContact("mutation");
    const declined = ok(await server.graphql(DECLINE, { token }, null)).declineContactEmail.verification;
    expect(declined.state).to.equal("DECLINED");
    expect(failsWith(await server.graphql(DECLINE, { token }, null), "BAD_USER_INPUT").extensions?.invalidFields?.[0]?.field).to.equal(
      "input.token",
    );
    failsWith(await server.graphql(DECLINE, { token: "x".repeat(43) }, null), "BAD_USER_INPUT");
    expect((await security(admin, account.id)).roleContact.verification.state).to.equal("DECLINED");
  });

  it("says so, changing nothing, for an unknown, expired or replaced link", async () => {
    const unknown = await get(`${base}/verify/${"A".repeat(43)}`);
    expect(unknown.status).to.equal(404);
    expectPageHeaders(unknown);
    expect(unknown.body).to.include(CONFIRMATION_PAGE_TEXT.en.unknownTitle);
    expect((await post({ token: "A".repeat(43), answer: "confirm" })).status).to.equal(404);

    const { admin, account, token } = await outsideContact("expired");
    await server.db.write((manager) =>
      manager.update(
        ContactVerification,
        { accountId: rowId(account.id), role: "SECURITY" as never },
        { tokenExpiresAt: new Date(Date.now() - 1000) },
      ),
    );
    const expired = await get(`${base}/verify/${token}`);
    expect(expired.status).to.equal(410);
    expect(expired.body).to.include(CONFIRMATION_PAGE_TEXT.en.expiredTitle);
    expect(expired.body).to.not.include('value="confirm"');
    const pressed = await post({ token, answer: "confirm" });
    expect(pressed.status).to.equal(410);
    expect((await security(admin, account.id)).roleContact.verification.state).to.equal("PENDING");

    const replaced = await outsideContact("replaced");
    await askOutsideAddress(replaced.admin, replaced.account.id, outsideAddress("newer"));
    expect((await get(replaced.link)).status).to.equal(404);
    expect((await post({ token: replaced.token, answer: "decline" })).status).to.equal(404);
  });

  it("shows the page in Polish with ?lang=pl, with the seed's role name, and answers in Polish", async () => {
    const { token, link } = await outsideContact("polish");
    const page = await get(`${link}?lang=pl`);
    expect(page.status).to.equal(200);
    expect(page.body).to.include('<html lang="pl">');
    expect(page.body).to.include("osoba kontaktowa ds. bezpieczeństwa");
    expect(page.body).to.include(CONFIRMATION_PAGE_TEXT.pl.confirm);
    expect(page.body).to.include(CONFIRMATION_PAGE_TEXT.pl.decline);
    expect(page.body).to.include('name="lang" value="pl"');
    const answered = await post({ token, answer: "confirm", lang: "pl" });
    expect(answered.body).to.include(CONFIRMATION_PAGE_TEXT.pl.confirmedTitle);
    expect(answered.headers.get("content-language")).to.equal("pl");
  });

  it("shows the page in the account's language, whatever the browser prefers; the reader's own choice and an unknown link's Accept-Language come next", async () => {
    const admin = await signIn(server, `locale-admin-${Math.random().toString(36).slice(2, 8)}@example.com`, "Ada Admin");
    const account = ok(
      await server.graphql(
        `mutation { createAccount(input: { name: "Hurtownia Testowa", locale: PL }) { account { id locale } } }`,
        {},
        admin.token,
      ),
    ).createAccount.account;
    expect(account.locale).to.equal("PL");
    const { link, token, text } = await askOutsideAddress(admin, account.id, outsideAddress("locale"));
    expect(text).to.include("osoba kontaktowa ds. bezpieczeństwa");
    const page = await get(link, { "accept-language": "en-GB,en;q=0.9" });
    expect(page.body).to.include('<html lang="pl">');
    expect(page.headers.get("content-language")).to.equal("pl");
    expect((await get(`${link}?lang=en`)).body).to.include('<html lang="en">');
    const answered = await post({ token, answer: "confirm" }, { "accept-language": "en" });
    expect(answered.body).to.include(CONFIRMATION_PAGE_TEXT.pl.confirmedTitle);
    const unknown = await get(`${base}/verify/${"x".repeat(43)}`, { "accept-language": "pl-PL,pl;q=0.9" });
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.include(CONFIRMATION_PAGE_TEXT.pl.unknownTitle);
  });

  it("has every text in both languages", () => {
    const keys = (locale: (typeof PAGE_LOCALES)[number]) => Object.keys(CONFIRMATION_PAGE_TEXT[locale]).sort();
    expect(keys("pl")).to.deep.equal(keys("en"));
    for (const key of keys("en") as (keyof typeof CONFIRMATION_PAGE_TEXT.en)[]) {
      const en = CONFIRMATION_PAGE_TEXT.en[key];
      const pl = CONFIRMATION_PAGE_TEXT.pl[key];
      const sample = (text: unknown) =>
        typeof text === "function" ? (text as (...args: unknown[]) => string)("x@example.com", "r") : text;
      expect(sample(pl), key).to.not.equal(sample(en));
    }
  });

  describe("against an attacker", () => {
    it("escapes HTML in the account's name (quotes and <script> included), and never shows the admin's self-chosen name", async () => {
      const hostile = `<script>alert(1)</script>"><img src=x onerror=alert(2)>'`;
      const { link } = await outsideContact("inject", `Evil ${hostile}`, `Mallory ${hostile}`);
      const page = await get(link);
      expect(page.status).to.equal(200);
      expect(page.body).to.not.include("<script>alert");
      expect(page.body).to.not.include("<img");
      expect(page.body).to.not.match(/<[a-z]+ [^>]*onerror/i);
      expect(page.body).to.include("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(page.body).to.include("&#39;");
      expect(page.body).to.not.include("Mallory");
      // Every tag in the page is one the template wrote.
      const tags = new Set([...page.body.matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((match) => match[1]!.toLowerCase()));
      expect([...tags].sort()).to.deep.equal(
        [
          "body",
          "button",
          "dd",
          "dl",
          "dt",
          "form",
          "h1",
          "head",
          "html",
          "input",
          "main",
          "meta",
          "nav",
          "p",
          "style",
          "a",
          "title",
        ].sort(),
      );
    });

    it("renders any account name, however crafted, as text in its one place: no tag or attribute of its own", async () => {
      const { account, link } = await outsideContact("fuzz");
      const random = new Random(20261127);
      // Control characters but NUL, which PostgreSQL text cannot hold.
      const alphabet = [
        ..."abc <>&\"'=/`;:()",
        "<script>",
        "</dd>",
        "<!--",
        "-->",
        "<![CDATA[",
        "&lt;",
        "&#x3c;",
        "\u0001",
        "\u2028",
        "\u202E",
        "onerror=",
        "javascript:",
        "<img src=x",
      ];
      const expectedTags = [
        "a",
        "body",
        "button",
        "dd",
        "dl",
        "dt",
        "form",
        "h1",
        "head",
        "html",
        "input",
        "main",
        "meta",
        "nav",
        "p",
        "style",
        "title",
      ];
      for (let round = 0; round < 60; round++) {
        const name = `N${Array.from({ length: random.int(1, 30) }, () => random.pick(alphabet)).join("")}`;
        await server.db.write((manager) => manager.update(Account, { id: rowId(account.id) }, { name }));
        const page = await get(link);
        const why = `${JSON.stringify(name)} (seed ${random.seed}, round ${round})`;
        expect(page.status, why).to.equal(200);
        const tags = [...new Set([...page.body.matchAll(/<\/?([a-zA-Z0-9]+)/g)].map((match) => match[1]!.toLowerCase()))].sort();
        expect(tags, why).to.deep.equal(expectedTags);
        expect(page.body, why).to.not.match(/<!--|<!\[CDATA/);
        for (const tag of page.body.match(/<[a-zA-Z][^>]*>/g) ?? []) expect(tag, why).to.not.match(/\son[a-z]+=|javascript:/i);
        const shown = /<dd id="account-name">([^<]*)<\/dd>/.exec(page.body)?.[1];
        expect(shown, why).to.be.a("string");
        const decoded = shown!
          .replace(/&quot;/g, '"')
          .replace(/&#39;/g, "'")
          .replace(/&lt;/g, "<")
          .replace(/&gt;/g, ">")
          .replace(/&amp;/g, "&");
        expect(decoded, why).to.equal(
          `"${name
            .replace(/[\p{C}\p{Zl}\p{Zp}]+/gu, " ")
            .replace(/\s+/g, " ")
            .trim()}"`,
        );
      }
    });

    it("writes no token to the server's log: the page's path is logged redacted", async () => {
      const { token } = await outsideContact("logs");
      const from = logLines.length;
      await get(`${base}/verify/${token}`);
      await get(`${base}/verify/${token}?lang=pl`);
      await get(`${base}/verify/${"B".repeat(43)}`);
      await post({ token, answer: "decline" });
      await post({ token, answer: "confirm" });
      const written = logLines.slice(from);
      expect(written.join("\n")).to.not.include(token);
      expect(written.join("\n")).to.not.include("B".repeat(43));
      const pages = written
        .map((line) => JSON.parse(line) as { msg: string; path?: string; method?: string })
        .filter((line) => line.msg === "Page request");
      expect(pages.map((line) => `${line.method} ${line.path}`)).to.deep.equal([
        "GET /verify/[redacted]",
        "GET /verify/[redacted]",
        "GET /verify/[redacted]",
        "POST /verify",
        "POST /verify",
      ]);
    });

    it("lets a link scanner open the link as often as it likes without answering it", async () => {
      const { admin, account, link } = await outsideContact("scanner");
      const scanner = { "user-agent": "Mozilla/5.0 (compatible; SafeLinks scanner)", accept: "*/*" };
      for (let attempt = 0; attempt < 5; attempt++) expect((await get(link, scanner)).status).to.equal(200);
      expect((await fetch(link, { method: "HEAD", headers: scanner })).status).to.equal(200);
      expect((await fetch(link, { method: "OPTIONS", headers: scanner })).status).to.not.equal(500);
      expect((await security(admin, account.id)).roleContact.verification.state).to.equal("PENDING");
    });

    it("changes nothing for a POST with a wrong token, none, or no answer, and one account's token only ever answers for that account", async () => {
      const first = await outsideContact("first");
      const second = await outsideContact("second");
      expect(
        (await post({ token: `${first.token.slice(0, -1)}${first.token.endsWith("A") ? "B" : "A"}`, answer: "confirm" })).status,
      ).to.equal(404);
      expect((await post({ answer: "confirm" })).status).to.equal(404);
      expect((await post({ token: first.token })).status).to.equal(400);
      expect((await post({ token: first.token, answer: "yes please" })).status).to.equal(400);
      expect((await post({ token: second.token, answer: "decline" })).status).to.equal(200);
      expect((await security(first.admin, first.account.id)).roleContact.verification.state).to.equal("PENDING");
      expect((await security(second.admin, second.account.id)).roleContact.verification.state).to.equal("DECLINED");
    });

    it("refuses a POST another site's page made the browser send (Origin, Sec-Fetch-Site), and accepts this page's own", async () => {
      const { admin, account, token } = await outsideContact("csrf");
      const refused = await post({ token, answer: "decline" }, { origin: "https://evil.example" });
      expect(refused.status).to.equal(403);
      expectPageHeaders(refused);
      expect((await post({ token, answer: "decline" }, { "sec-fetch-site": "cross-site" })).status).to.equal(403);
      expect((await post({ token, answer: "decline" }, { "sec-fetch-site": "same-site" })).status).to.equal(403);
      expect((await security(admin, account.id)).roleContact.verification.state).to.equal("PENDING");
      // Under no-referrer a browser names the page's origin as "null".
      const own = await post({ token, answer: "confirm" }, { origin: "null", "sec-fetch-site": "same-origin" });
      expect(own.status).to.equal(200);
      expect((await security(admin, account.id)).roleContact.verification.state).to.equal("VERIFIED");
    });

    it("rate-limits the page per client address as the GraphQL endpoint limits mutations", async () => {
      const limited = await startTestServer({ env: { MUTATION_RATE_LIMIT: "3", MUTATION_RATE_WINDOW_SECONDS: "600" } });
      try {
        const url = `${limited.url.replace(/\/graphql$/, "")}/verify/${"C".repeat(43)}`;
        for (let attempt = 0; attempt < 3; attempt++) expect((await get(url)).status).to.equal(404);
        const refused = await get(url);
        expect(refused.status).to.equal(429);
        expect(Number(refused.headers.get("retry-after"))).to.be.greaterThan(0);
        expectPageHeaders(refused);
        expect(refused.body).to.include(CONFIRMATION_PAGE_TEXT.en.rateLimitedTitle);
      } finally {
        await limited.close();
      }
    });

    it("accepts a form post only as small as the form", async () => {
      const response = await post({ token: "x".repeat(5000), answer: "confirm" });
      expect(response.status).to.equal(413);
      expectPageHeaders(response);
    });
  });

  describe("settings", () => {
    it("builds links on PUBLIC_URL, path prefix included, and posts the form under it", async () => {
      const prefixed = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0", PUBLIC_URL: "https://contacts.example.com/api/" } });
      try {
        const admin = await signIn(prefixed, "prefix-admin@example.com", "Admin");
        const account = await createAccount(prefixed, admin);
        const email = outsideAddress("prefix");
        ok(await mutate(prefixed, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
        const token = await verificationTokenFor(prefixed, email);
        expect(await queuedBody(prefixed, email)).to.include("https://contacts.example.com/api/verify/");
        const page = await fetch(`${prefixed.url.replace(/\/graphql$/, "")}/verify/${token}`);
        expect(await page.text()).to.include('action="/api/verify"');
      } finally {
        await prefixed.close();
      }
    });

    it("links to a frontend's own page with ?token= when VERIFICATION_LINK_URL is set", async () => {
      const own = await startTestServer({
        env: { MUTATION_RATE_LIMIT: "0", VERIFICATION_LINK_URL: "https://app.example.com/confirm-contact" },
      });
      try {
        const admin = await signIn(own, "own-page-admin@example.com", "Admin");
        const account = await createAccount(own, admin);
        const email = outsideAddress("own");
        ok(await mutate(own, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email }));
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the control character is the value under test.
        expect(await queuedBody(own, email)).to.match(/https:\/\/app\.example\.com\/confirm-contact\?token=\u001e/);
      } finally {
        await own.close();
      }
    });

    it("refuses PUBLIC_URL and VERIFICATION_LINK_URL that are not plain http(s) addresses", () => {
      for (const value of [
        "ftp://example.com",
        "example.com",
        "https://example.com/?a=1",
        "https://example.com/#x",
        "https://user:pw@example.com",
        "javascript:alert(1)",
      ]) {
        expect(() => loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_URL: value }), value).to.throw(ConfigError, /PUBLIC_URL/);
        expect(() => loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, VERIFICATION_LINK_URL: value }), value).to.throw(
          ConfigError,
          /VERIFICATION_LINK_URL/,
        );
      }
      expect(loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, PUBLIC_URL: "https://contacts.example.com/" }).publicUrl).to.equal(
        "https://contacts.example.com",
      );
      expect(loadConfig({}).publicUrl).to.equal(null);
    });
  });
});

/** The stored text of the newest verification message to `email` (its token still a placeholder). */
async function queuedBody(server: TestServer, email: string): Promise<string> {
  const message = await server.db.read((manager) =>
    manager.findOne(NotificationDelivery, { where: { email, kind: DeliveryKind.VERIFICATION }, order: { sequence: "DESC" } }),
  );
  return message!.body;
}
