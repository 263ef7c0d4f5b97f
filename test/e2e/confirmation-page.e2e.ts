import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser";
import { ROOT, spawnServer, type ServerProcess } from "../helpers/process";
import { TestSmtpServer, waitFor } from "../helpers/smtp";
import { tokenFor } from "../helpers/server";

/** Where the README's pictures live: the test renews them on every run. */
const IMAGES = path.join(ROOT, "docs", "images");
const SECRET = "confirmation-page-e2e-secret-long-enough-000";

const ACCOUNT = `query($id: ID!) { account(id: $id) {
  roleContact(role: SECURITY) { verification { state } }
  contactHealth { issues { slot kind } }
} }`;

async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null) return;
  server.child.kill("SIGTERM");
  await server.exited;
}

describe("the confirmation page in a real browser, from a real mail", function () {
  this.timeout(120_000);

  let temp: string;
  let smtp: TestSmtpServer;
  let server: ServerProcess;
  let browser: Browser;
  let context: BrowserContext;
  let adminToken: string;
  /** Every request the browser made, with its Referer, so the test can prove none left the machine or carried the token. */
  const requested: { url: string; referer: string | undefined }[] = [];
  const consoleErrors: string[] = [];

  const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).to.equal(undefined);
    return body.data;
  };

  /** An account whose outside security contact has just been sent its verification mail; returns the link the SMTP server received. */
  async function askOutsideAddress(accountName: string, email: string): Promise<{ accountId: string; link: string }> {
    const created = await graphql(`mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`, {
      input: { name: accountName },
    });
    const accountId = created.createAccount.account.id as string;
    await graphql(`mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`, {
      input: { accountId, role: "SECURITY", email },
    });
    const mail = await waitFor(`the verification mail to ${email}`, () => smtp.to(email)[0], 30_000);
    const link = /http:\/\/\S+\/verify\/[A-Za-z0-9_-]{43}/.exec(mail.mail.text)?.[0];
    expect(link, mail.mail.text).to.be.a("string");
    return { accountId, link: link! };
  }

  const stateOf = async (accountId: string) => (await graphql(ACCOUNT, { id: accountId })).account;

  async function newPage(): Promise<Page> {
    const page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    return page;
  }

  before(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (see .ci/run) or set CHROMIUM_PATH.`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-confirm-e2e-"));
    smtp = new TestSmtpServer();
    const smtpUrl = await smtp.start();
    server = await spawnServer({
      NODE_ENV: "development",
      DATABASE_URL: `sqlite:${path.join(temp, "confirm.sqlite")}`,
      AUTH_JWT_SECRET: SECRET,
      SMTP_URL: smtpUrl,
      OUTBOX_POLL_MS: "50",
      SEED_DEMO_DATA: "false",
      LOG_LEVEL: "info",
    });
    adminToken = await tokenFor("ada.admin@northwind.example", "Ada Lovelace", SECRET);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 900, height: 760 } });
    const origin = new URL(server.url).origin;
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      requested.push({ url, referer: (await route.request().headerValue("referer")) ?? undefined });
      if (new URL(url).origin === origin) await route.continue();
      else await route.abort("internetdisconnected");
    });
    fs.mkdirSync(IMAGES, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    if (server) await stopServer(server);
    await smtp?.close();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it("opens the link from the mail without changing anything, and Confirm makes the address VERIFIED", async () => {
    const { accountId, link } = await askOutsideAddress("Northwind Traders", "security@partner.example");
    const page = await newPage();
    const response = await page.goto(link);
    expect(response!.status()).to.equal(200);
    expect(await page.textContent("h1")).to.equal("Is this your address?");
    expect(await page.textContent("#account-name")).to.equal('"Northwind Traders"');
    expect(await page.textContent("#role")).to.equal("security contact");
    expect(await page.textContent("#asked-by")).to.equal("ada.admin@northwind.example");
    expect(await page.textContent("#email")).to.equal("security@partner.example");
    await page.screenshot({ path: path.join(IMAGES, "confirmation-page.png"), fullPage: true });

    // A reload, as a scanner or a second look would do, still changes nothing.
    await page.reload();
    expect((await stateOf(accountId)).roleContact.verification.state).to.equal("PENDING");

    await Promise.all([page.waitForURL((url) => url.pathname === "/verify"), page.click('button[value="confirm"]')]);
    expect(await page.textContent("h1")).to.equal("Thank you: your address is confirmed");
    expect(page.url()).to.not.include(link.split("/").pop()!);
    await page.screenshot({ path: path.join(IMAGES, "confirmation-page-confirmed.png"), fullPage: true });
    expect((await stateOf(accountId)).roleContact.verification.state).to.equal("VERIFIED");

    // Going back and pressing again answers "already confirmed", changing nothing.
    await page.goBack();
    await page.reload();
    expect(await page.textContent("h1")).to.equal("This address is already confirmed");
    await page.close();
  });

  it("in Polish, 'To nie ja' makes the address DECLINED, which contact health reports", async () => {
    const { accountId, link } = await askOutsideAddress("Contoso Sp. z o.o.", "bezpieczenstwo@partner.example");
    const page = await newPage();
    await page.goto(link);
    await page.click('a[hreflang="pl"]');
    expect(await page.getAttribute("html", "lang")).to.equal("pl");
    expect(await page.textContent("h1")).to.equal("Czy to Twój adres?");
    expect(await page.textContent("#role")).to.equal("osoba kontaktowa ds. bezpieczeństwa");
    await page.screenshot({ path: path.join(IMAGES, "confirmation-page-pl.png"), fullPage: true });
    expect((await stateOf(accountId)).roleContact.verification.state).to.equal("PENDING");

    await Promise.all([page.waitForURL((url) => url.pathname === "/verify"), page.click('button[value="decline"]')]);
    expect(await page.textContent("h1")).to.equal("Dziękujemy za informację");
    const after = await stateOf(accountId);
    expect(after.roleContact.verification.state).to.equal("DECLINED");
    expect(after.contactHealth.issues).to.deep.include({ slot: "SECURITY", kind: "DECLINED_EXTERNAL" });
    await page.close();
  });

  it("sent no request off the machine, no Referer anywhere, and broke no rule of its own CSP", () => {
    const origin = new URL(server.url).origin;
    expect(requested.filter((request) => new URL(request.url).origin !== origin)).to.deep.equal([]);
    expect(requested.filter((request) => request.referer !== undefined)).to.deep.equal([]);
    expect(consoleErrors).to.deep.equal([]);
  });

  it("logged no token", () => {
    const tokens = [...server.output().matchAll(/\/verify\/([A-Za-z0-9_-]{43})/g)];
    expect(tokens.map((match) => match[1])).to.deep.equal([]);
    expect(server.output()).to.include("/verify/[redacted]");
  });
});
