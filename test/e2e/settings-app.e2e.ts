import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { chromium, type Browser, type BrowserContext, type Page, type WebSocketRoute } from "playwright-core";
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser";
import { signToken } from "../../src/auth/tokens";
import { createPostgresDatabase, dropPostgresDatabase, testingOnPostgres } from "../helpers/postgres";

// The tests compile without the DOM library: these are the browser globals the page functions below use.
interface BrowserStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
}
declare const document: {
  cookie: string;
  documentElement: { lang: string };
  addEventListener(type: "securitypolicyviolation", listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
};
declare const window: { cspViolations: string[]; injected?: boolean };
declare const localStorage: BrowserStorage;
declare const sessionStorage: BrowserStorage;

const ROOT = path.resolve(__dirname, "..", "..", "..");

const NORTHWIND = "Northwind Traders";
const ADA = "Ada Lovelace (ada.lovelace@northwind.example)";
const KATHERINE = "Katherine Johnson (katherine.johnson@northwind.example)";
const EDSGER = "Edsger Dijkstra (edsger.dijkstra@northwind.example)";
const ALAN = "Alan Turing (alan.turing@northwind.example)";
const OUTSIDE_SECURITY = "alerts@contractor.example";

interface Running {
  child: ChildProcess;
  output: () => string;
}

/** A port nobody listens on right now, for the API: the app must know it before either starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a Node script and waits for a line of its output; the match's first group is returned. */
function startProcess(args: string[], env: Record<string, string>, ready: RegExp, limitMs: number): Promise<Running & { match: string }> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not start in time:\n${output}`));
    }, limitMs);
    const check = () => {
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", check);
        resolve({ child, output: () => output, match: match[1]! });
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(" ")} exited with ${code}:\n${output}`));
    });
  });
}

async function stop(running: Running | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  const exited = new Promise((resolve) => running.child.once("exit", resolve));
  running.child.kill("SIGTERM");
  await exited;
}

/**
 * The screen's WebSockets to the API, passed through the test: it reads what the page sends (the
 * subscription's variables, the token in connection_init), can hold the server's events back (a
 * late live update) and can cut the connection (a network drop).
 */
class LiveTraffic {
  readonly connections: { page: WebSocketRoute; server: WebSocketRoute; sent: { type: string; payload?: any }[] }[] = [];
  readonly urls: string[] = [];
  private holding = false;
  private held: (() => void)[] = [];
  private refusing = false;

  async attach(context: BrowserContext, apiUrl: string): Promise<void> {
    const url = new URL(apiUrl);
    url.protocol = "ws:";
    await context.routeWebSocket(url.href, (page) => {
      this.urls.push(page.url());
      // Offline: the connection fails as an unreachable server's would, and the page tries again later.
      if (this.refusing) return void page.close({ code: 1006, reason: "Offline" });
      const server = page.connectToServer();
      const connection = { page, server, sent: [] as { type: string; payload?: any }[] };
      this.connections.push(connection);
      page.onMessage((message) => {
        connection.sent.push(JSON.parse(String(message)) as { type: string; payload?: any });
        server.send(message);
      });
      server.onMessage((message) => {
        const deliver = () => page.send(message);
        if (this.holding && (JSON.parse(String(message)) as { type: string }).type === "next") this.held.push(deliver);
        else deliver();
      });
    });
  }

  /** Events from the server wait in the test until release(). */
  hold(): void {
    this.holding = true;
  }

  release(): void {
    this.holding = false;
    for (const deliver of this.held.splice(0)) deliver();
  }

  /** The subscribe messages the page sent, oldest first. */
  subscribes(): { variables: Record<string, unknown> }[] {
    return this.connections.flatMap((connection) =>
      connection.sent.filter((message) => message.type === "subscribe").map((message) => message.payload),
    );
  }

  /** No connection gets through until online(). */
  offline(): void {
    this.refusing = true;
  }

  online(): void {
    this.refusing = false;
  }

  /** Cuts the newest connection as a restarting server would (1012): the page connects again by itself. */
  async drop(): Promise<void> {
    const newest = this.connections.at(-1)!;
    await newest.server.close();
    await newest.page.close({ code: 1012, reason: "Service Restart" });
  }
}

interface GraphQLAnswer {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
}

describe("the settings screen (examples/settings-app) in a real browser", function () {
  this.timeout(120_000);

  let temp: string;
  let api: Running;
  let app: Running;
  let apiUrl: string;
  let appUrl: string;
  let appOrigin: string;
  let secret: string;
  let adminToken: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let accountId: string;
  const live = new LiveTraffic();
  /** Every URL the browser asked for, and what each request to the API carried. */
  const requested: string[] = [];
  const apiRequests: {
    operationName: string;
    authorization: string | undefined;
    acceptLanguage: string | undefined;
    origin: string | undefined;
    sentAt: number;
  }[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  /** A request to the API from this test, as another session would make it. */
  async function graphql(token: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
    const response = await fetch(apiUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLAnswer;
  }

  /** The account's contacts as the API has them now. */
  async function contactsNow(): Promise<{
    version: number;
    primary: string;
    billing: string[];
    roles: Record<string, { email: string; state: string | null }>;
  }> {
    const { data, errors } = await graphql(
      adminToken,
      `query ($id: ID!) { account(id: $id) { contactsVersion primaryContact { email } billingContacts { email }
         roleContacts { role email verification { state } } } }`,
      { id: accountId },
    );
    expect(errors, JSON.stringify(errors)).to.equal(undefined);
    const account = data.account;
    return {
      version: account.contactsVersion,
      primary: account.primaryContact.email,
      billing: account.billingContacts.map((user: { email: string }) => user.email),
      roles: Object.fromEntries(
        account.roleContacts.map((contact: { role: string; email: string; verification: { state: string } | null }) => [
          contact.role,
          { email: contact.email, state: contact.verification?.state ?? null },
        ]),
      ),
    };
  }

  async function userId(email: string): Promise<string> {
    const { data } = await graphql(
      adminToken,
      "query ($id: ID!) { account(id: $id) { members(first: 100) { nodes { user { id email } } } } }",
      { id: accountId },
    );
    return (data.account.members.nodes as { user: { id: string; email: string } }[]).find((member) => member.user.email === email)!.user.id;
  }

  /** Another admin's own browser session (a context of its own) with the screen open. */
  async function otherSession(email: string, name: string): Promise<{ page: Page; close: () => Promise<void> }> {
    const session = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: "en-GB" });
    const other = await session.newPage();
    await openScreen(other, await signToken(secret, { email, name }));
    return { page: other, close: () => session.close() };
  }

  /** The token of the newest confirmation request mailed to `email` (from the API's mail log); waits for one other than `not`. */
  async function latestToken(email: string, not?: string): Promise<string> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const log = fs.existsSync(path.join(temp, "mail.log")) ? fs.readFileSync(path.join(temp, "mail.log"), "utf8") : "";
      const tokens = log
        .split(/^From /m)
        .filter((message) => message.includes(`To: ${email}`))
        .map((message) => /\/verify\/([A-Za-z0-9_-]{43})/.exec(message)?.[1])
        .filter((token): token is string => token !== undefined);
      const latest = tokens.at(-1);
      if (latest && latest !== not) return latest;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`No new confirmation request to ${email} in the mail log.`);
  }

  async function openScreen(target: Page, token: string): Promise<Record<string, string>> {
    const response = await target.goto(`${appUrl}#token=${token}`);
    await target.waitForSelector(`h2.account-name:text-is("${NORTHWIND}")`, { timeout: 30_000 });
    return response!.headers();
  }

  before(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (see .ci/run) or set CHROMIUM_PATH.`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-settings-app-"));
    secret = randomBytes(32).toString("hex");
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}/graphql`;
    // `npm run example:settings`: builds (codegen, tsc --strict, esbuild), then serves on loopback.
    const served = await startProcess(
      [path.join(ROOT, "examples", "settings-app", "scripts", "serve.mjs")],
      { SETTINGS_PORT: "0", SETTINGS_API_URL: apiUrl },
      /served on (http:\/\/127\.0\.0\.1:\d+\/)/,
      100_000,
    );
    app = served;
    appUrl = served.match;
    appOrigin = new URL(appUrl).origin;
    // The API as `npm start` runs it (development, demo data), with the app's origin allowed.
    const started = await startProcess(
      [path.join(ROOT, "dist", "src", "main.js")],
      {
        NODE_ENV: "development",
        DEMO_TOKEN: "true",
        DATABASE_URL: `sqlite:${path.join(temp, "api.sqlite")}`,
        HOST: "127.0.0.1",
        PORT: String(apiPort),
        AUTH_JWT_SECRET: secret,
        CORS_ORIGINS: appOrigin,
        MAIL_LOG_FILE: path.join(temp, "mail.log"),
        // A screen that missed more than two events is told to read the account again (reloadRequired).
        LIVE_RESUME_MAX_EVENTS: "2",
      },
      /Authorization: Bearer (\S+)/,
      30_000,
    );
    api = started;
    adminToken = started.match;
    const { data } = await graphql(adminToken, "{ accounts(first: 10) { nodes { id name } } }");
    accountId = data.accounts.nodes.find((account: { name: string }) => account.name === NORTHWIND).id;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1440, height: 1100 }, locale: "en-GB" });
    const apiOrigin = new URL(apiUrl).origin;
    await context.route("**/*", async (route) => {
      const request = route.request();
      const url = request.url();
      requested.push(url);
      if (url.startsWith(apiUrl) && request.method() === "POST") {
        const headers = request.headers();
        const body = request.postDataJSON() as { operationName?: string };
        apiRequests.push({
          operationName: body.operationName ?? "",
          authorization: headers.authorization,
          acceptLanguage: headers["accept-language"],
          origin: headers.origin,
          sentAt: Date.now(),
        });
      }
      const origin = new URL(url).origin;
      if (origin === appOrigin || origin === apiOrigin) await route.continue();
      else await route.abort("internetdisconnected");
    });
    await live.attach(context, apiUrl);
    await context.addInitScript(() => {
      const violations: string[] = [];
      window.cspViolations = violations;
      document.addEventListener("securitypolicyviolation", (event) => violations.push(`${event.violatedDirective} ${event.blockedURI}`));
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
  });

  after(async () => {
    await browser?.close();
    await stop(api);
    await stop(app);
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it("asks for a new token, by its code, when the one in the address is refused", async () => {
    const other = await context.newPage();
    await other.goto(`${appUrl}#token=not-a-token`);
    const problem = other.locator('.sign-in .problem[data-code="UNAUTHENTICATED"]');
    await problem.waitFor({ timeout: 30_000 });
    expect(await problem.textContent()).to.include("Your sign-in is missing, not valid or has expired.");
    expect(await other.locator("#token").count()).to.equal(1);
    await other.close();
  });

  it("loads the account with the token from the address, then removes it from the address", async () => {
    const headers = await openScreen(page, adminToken);
    // Scripts from the page's own origin only, requests to the API only, and no Referer anywhere.
    const apiOrigin = new URL(apiUrl).origin;
    expect(headers["content-security-policy"])
      .to.include("script-src 'self'")
      .and.include(`connect-src ${apiOrigin} ${apiOrigin.replace("http:", "ws:")};`);
    expect(headers["referrer-policy"]).to.equal("no-referrer");
    expect(page.url()).to.equal(appUrl);
    expect(page.url()).not.to.include(adminToken);
    // The seed's outside security contact has not confirmed the address yet.
    expect(await page.locator('[data-role="SECURITY"] .verification').getAttribute("data-state")).to.equal("PENDING");
    expect(await page.locator("#primary").inputValue()).to.not.equal("");
    expect(await page.locator(".billing-rows select").count()).to.equal(2);
    // The history is a query of its own, sent after the page's: its first row may arrive a moment later.
    await page.locator(".history tbody tr").first().waitFor();
    expect(await page.locator(".live-changes li").count(), "nobody changed anything yet").to.equal(0);
  });

  it("changes the primary contact, adds a third billing contact and says why Add another is then disabled", async () => {
    await page.selectOption("#primary", { label: ADA });
    const add = page.locator("#billing-add");
    expect(await add.isEnabled()).to.equal(true);
    expect(await page.locator("#billing-add-reason").textContent()).to.equal("1 more can be added.");
    await add.click();
    await page.selectOption(".billing-rows li:nth-child(3) select", { label: EDSGER });
    expect(await add.isDisabled()).to.equal(true);
    expect(await add.getAttribute("aria-describedby")).to.equal("billing-add-reason");
    expect(await page.locator("#billing-add-reason").textContent()).to.equal("An account can have at most 3 billing contacts.");
    expect(await page.locator(".save-bar .status").textContent()).to.equal("2 unsaved changes");
  });

  it("sets an outside security contact and, after one Save, shows it waiting for confirmation (PENDING)", async () => {
    const before = await contactsNow();
    await page.fill("#role-SECURITY-email", OUTSIDE_SECURITY);
    expect(await page.locator('[data-role="SECURITY"] .verification').getAttribute("data-state")).to.equal("UNSAVED");
    const saves = apiRequests.filter((request) => request.operationName === "SettingsSaveContacts").length;
    await page.click('.save-bar button[type="submit"]');
    await page.waitForSelector('.save-bar .status:text-is("Saved.")');
    const verification = page.locator('[data-role="SECURITY"] .verification');
    expect(await verification.getAttribute("data-state")).to.equal("PENDING");
    expect(await verification.locator(".badge").textContent()).to.equal("Waiting for confirmation");

    // One request, one new version, every slot as the form showed it.
    expect(apiRequests.filter((request) => request.operationName === "SettingsSaveContacts").length).to.equal(saves + 1);
    const after = await contactsNow();
    expect(after.version).to.equal(before.version + 1);
    expect(after.primary).to.equal("ada.lovelace@northwind.example");
    expect(after.billing).to.deep.equal([
      "katherine.johnson@northwind.example",
      "ada.lovelace@northwind.example",
      "edsger.dijkstra@northwind.example",
    ]);
    expect(after.roles.SECURITY).to.deep.equal({ email: OUTSIDE_SECURITY, state: "PENDING" });
    // The history was read again: the new address is at the top.
    await page.waitForSelector(`.history tbody tr:first-child:has-text("${OUTSIDE_SECURITY}")`);
    expect(await page.locator(".health li[data-kind='UNVERIFIED_EXTERNAL']").textContent()).to.include(OUTSIDE_SECURITY);
    await page.screenshot({ path: path.join(ARTIFACTS, "settings-app.png"), fullPage: true });

    // Asking again sends a new message and leaves the contacts, and so the form's version, as they were.
    const firstLink = await latestToken(OUTSIDE_SECURITY);
    await verification.locator("button", { hasText: "Send the confirmation again" }).click();
    await verification.locator(':text-is("The confirmation was sent again.")').waitFor();
    expect(apiRequests.at(-1)!.operationName).to.equal("SettingsResendVerification");
    expect((await contactsNow()).version).to.equal(after.version);
    // The new link is in the mail log before a later test answers it.
    expect(await latestToken(OUTSIDE_SECURITY, firstLink)).to.not.equal(firstLink);
  });

  it("merges edits to different slots made in two browser sessions, saving both without asking", async () => {
    await page.selectOption("#role-DECISION_MAKER", { label: KATHERINE });
    // The other admin's change reaches this screen only after its Save (a live update that is late).
    live.hold();

    // Meanwhile another admin, in a browser session of their own, gives the technical administrator role to someone else.
    const grace = await otherSession("grace.hopper@northwind.example", "Grace Hopper");
    await grace.page.selectOption("#role-TECHNICAL_ADMIN", { label: EDSGER });
    await grace.page.click('.save-bar button[type="submit"]');
    await grace.page.waitForSelector('.save-bar .status:text-is("Saved.")');
    const before = await contactsNow();

    await page.click('.save-bar button[type="submit"]');
    await page.waitForSelector('.save-bar .status:text-is("Saved.")');
    const merged = page.locator(".merged");
    expect(await merged.textContent()).to.include("Saved together with the changes Grace Hopper made meanwhile:");
    expect(await merged.locator(".theirs li").allTextContents()).to.deep.equal(["Technical administrator: Alan Turing → Edsger Dijkstra"]);
    expect(await page.locator(".conflict").count()).to.equal(0);
    // The first save was refused, the changes since its version read, and the merge saved once.
    const operations = apiRequests.map((request) => request.operationName);
    expect(operations.slice(operations.lastIndexOf("SettingsChangesSince"))).to.include("SettingsSaveContacts");
    const after = await contactsNow();
    expect(after.version).to.equal(before.version + 1);
    expect(after.roles.DECISION_MAKER!.email).to.equal("katherine.johnson@northwind.example");
    expect(after.roles.TECHNICAL_ADMIN!.email).to.equal("edsger.dijkstra@northwind.example");
    expect(await page.locator("#role-TECHNICAL_ADMIN option:checked").textContent()).to.equal(EDSGER);
    await grace.close();
    // The late event changes nothing the save did not already show; its history row is added once.
    live.release();
    await page.locator('.live-changes li:has-text("Grace Hopper changed the technical administrator")').waitFor();
    expect(await page.locator("#role-TECHNICAL_ADMIN option:checked").textContent()).to.equal(EDSGER);
    expect(await page.locator(".save-bar .status").textContent()).to.equal("Saved.");
  });

  it("switches to Polish: the seed's role names, Polish plurals, and an error shown by its code", async () => {
    await page.click('.language button[lang="pl"]');
    await page.waitForSelector('h1:text-is("Informacje o firmie")');
    expect(await page.evaluate(() => document.documentElement.lang)).to.equal("pl");
    expect(await page.locator("#primary-heading").textContent()).to.equal("Główny kontakt konta");
    expect(await page.locator("#billing-heading").textContent()).to.equal("Kontakty rozliczeniowe");
    expect(await page.locator(".role-row label").allTextContents()).to.deep.equal([
      "Osoba decyzyjna",
      "Osoba kontaktowa ds. wdrażania",
      "Osoba kontaktowa ds. bezpieczeństwa",
      "Administrator techniczny",
    ]);
    expect(await page.locator("#billing-add").textContent()).to.equal("+ Dodaj kolejny");
    expect(await page.locator("#billing-add-reason").textContent()).to.equal("Na koncie można ustawić najwyżej 3 kontakty rozliczeniowe.");
    // 7 changes from the demo data, 3 from the first save, 1 from the other session, 1 from the second save.
    expect(await page.locator(".history .count").textContent()).to.equal("12 zmian");

    // The server refuses the address (BAD_USER_INPUT on input.roleContacts.N.email): the screen says so in Polish.
    await page.fill("#role-SECURITY-email", "nie-adres");
    expect(await page.locator(".save-bar .status").textContent()).to.equal("1 niezapisana zmiana");
    await page.click('.save-bar button[type="submit"]');
    const problem = page.locator('.problems .problem[data-code="BAD_USER_INPUT"]');
    await problem.waitFor();
    expect(await problem.textContent()).to.include("Niektóre wartości są nieprawidłowe: zobacz zaznaczone pola.");
    expect(await page.locator("#role-SECURITY-problem").textContent()).to.equal("To nie jest prawidłowy adres e-mail.");
    expect(await page.locator("#role-SECURITY-email").getAttribute("aria-invalid")).to.equal("true");
    const lastSave = apiRequests.filter((request) => request.operationName === "SettingsSaveContacts").at(-1)!;
    expect(lastSave.acceptLanguage).to.equal("pl");
    await page.screenshot({ path: path.join(ARTIFACTS, "settings-app-pl.png"), fullPage: true });

    // Back in English, the same error reads in English: messages follow the code, not the server's text.
    await page.click('.language button[lang="en"]');
    expect(await page.locator("#role-SECURITY-problem").textContent()).to.equal("This is not a valid email address.");
    await page.click('.save-bar button:text-is("Discard changes")');
    expect(await page.locator("#role-SECURITY-email").inputValue()).to.equal(OUTSIDE_SECURITY);
    expect((await contactsNow()).roles.SECURITY!.email).to.equal(OUTSIDE_SECURITY);
  });

  it("asks only about a slot both sessions changed, and keeps the user's value when they choose it", async () => {
    await page.selectOption("#role-DECISION_MAKER", { label: ADA });
    await page.selectOption("#role-IMPLEMENTATION", { label: KATHERINE });
    live.hold();
    const grace = await otherSession("grace.hopper@northwind.example", "Grace Hopper");
    await grace.page.selectOption("#role-DECISION_MAKER", { label: EDSGER });
    await grace.page.click('.save-bar button[type="submit"]');
    await grace.page.waitForSelector('.save-bar .status:text-is("Saved.")');
    await grace.close();
    const before = await contactsNow();

    await page.click('.save-bar button[type="submit"]');
    const conflict = page.locator(".conflict");
    await conflict.waitFor();
    expect(await conflict.locator(".both li").allTextContents()).to.deep.equal([
      "Decision maker: theirs Edsger Dijkstra, yours Ada Lovelace",
    ]);
    expect(await conflict.textContent()).to.include("Changed by Grace Hopper.");
    expect(await page.locator('.save-bar button[type="submit"]').isDisabled()).to.equal(true);
    // Nothing was saved, and the slot only this user changed stays as they set it.
    expect(await contactsNow()).to.deep.equal(before);
    expect(await page.locator("#role-IMPLEMENTATION option:checked").textContent()).to.equal(KATHERINE);
    await page.screenshot({ path: path.join(ARTIFACTS, "settings-app-conflict.png"), fullPage: true });

    await conflict.locator("button", { hasText: "Keep mine" }).click();
    await page.waitForSelector('.save-bar .status:text-is("Saved.")');
    expect(await conflict.count()).to.equal(0);
    const after = await contactsNow();
    expect(after.version).to.equal(before.version + 1);
    expect(after.roles.DECISION_MAKER!.email).to.equal("ada.lovelace@northwind.example");
    expect(after.roles.IMPLEMENTATION!.email).to.equal("katherine.johnson@northwind.example");
    live.release();
    await page.locator('.live-changes li:first-child:has-text("Grace Hopper changed the decision maker")').waitFor();
    expect(await page.locator("#role-DECISION_MAKER option:checked").textContent(), "the late event leaves the saved value").to.equal(ADA);
  });

  it("shows another admin's save as it happens: who changed what, and the new values, without reading the page again", async () => {
    const reads = () =>
      apiRequests.filter((request) => ["SettingsPage", "SettingsHistory", "SettingsChangesSince"].includes(request.operationName)).length;
    const readsBefore = reads();
    const rowsBefore = await page.locator(".history tbody tr").count();
    expect(await page.locator(".billing-rows select").count()).to.equal(3);

    const grace = await otherSession("grace.hopper@northwind.example", "Grace Hopper");
    await grace.page.locator(".billing-rows li:nth-child(3) button", { hasText: "Remove" }).click();
    await grace.page.click('.save-bar button[type="submit"]');
    await grace.page.waitForSelector('.save-bar .status:text-is("Saved.")');
    await grace.close();

    await page.locator('.live-changes li:has-text("Grace Hopper changed the billing contacts")').waitFor();
    expect(await page.locator(".billing-rows select").count()).to.equal(2);
    expect(await page.locator("#billing-add").isEnabled()).to.equal(true);
    expect(await page.locator(".save-bar .status").textContent(), "nothing unsaved").to.not.include("unsaved");
    // The event's history row is at the top, added to the rows the panel had.
    await page.locator('.history tbody tr:first-child[data-slot="BILLING"][data-action="REMOVE"]').waitFor();
    expect(await page.locator(".history tbody tr:first-child td:nth-child(2)").textContent()).to.equal("Grace Hopper");
    expect(await page.locator(".history tbody tr").count()).to.equal(rowsBefore + 1);
    expect(reads(), "the page and the history were not read again").to.equal(readsBefore);

    await page.click('.language button[lang="pl"]');
    expect(await page.locator(".live-changes li:first-child .what").textContent()).to.equal(
      "Grace Hopper zmienił(a) kontakty rozliczeniowe",
    );
    await page.click('.language button[lang="en"]');
    expect(await page.locator(".live-changes li:first-child .what").textContent()).to.equal("Grace Hopper changed the billing contacts");
  });

  it("says at once, before Save, that another admin changed a slot the user is editing, and keeps the edit of another slot", async () => {
    const saves = () => apiRequests.filter((request) => request.operationName === "SettingsSaveContacts").length;
    await page.selectOption("#role-DECISION_MAKER", { label: KATHERINE });
    await page.selectOption("#role-IMPLEMENTATION", { label: EDSGER });
    const savesBefore = saves();

    const grace = await otherSession("grace.hopper@northwind.example", "Grace Hopper");
    await grace.page.selectOption("#role-DECISION_MAKER", { label: EDSGER });
    await grace.page.click('.save-bar button[type="submit"]');
    await grace.page.waitForSelector('.save-bar .status:text-is("Saved.")');
    await grace.close();
    const before = await contactsNow();

    const notice = page.locator(".live-conflict");
    await notice.waitFor();
    expect(await notice.locator(".both li").allTextContents()).to.deep.equal([
      "Decision maker: Grace Hopper set Edsger Dijkstra; yours is Katherine Johnson",
    ]);
    expect(saves(), "nothing was sent").to.equal(savesBefore);
    expect(await page.locator('.save-bar button[type="submit"]').isDisabled()).to.equal(true);
    expect(await page.locator("#role-DECISION_MAKER option:checked").textContent()).to.equal(KATHERINE);
    expect(await page.locator("#role-IMPLEMENTATION option:checked").textContent()).to.equal(EDSGER);
    await page.click('.language button[lang="pl"]');
    expect(await notice.locator(".both li").allTextContents()).to.deep.equal([
      "Osoba decyzyjna: Grace Hopper ustawił(a) Edsger Dijkstra; u Ciebie Katherine Johnson",
    ]);
    await page.click('.language button[lang="en"]');
    await page.screenshot({ path: path.join(ARTIFACTS, "settings-app-live.png"), fullPage: true });

    // Keep mine: the edit stays, and Save sends the version that includes the other admin's change.
    await notice.locator("button", { hasText: "Keep mine" }).click();
    expect(await notice.count()).to.equal(0);
    expect(await page.locator(".save-bar .status").textContent()).to.equal("2 unsaved changes");
    const operationsBefore = apiRequests.length;
    await page.click('.save-bar button[type="submit"]');
    await page.waitForSelector('.save-bar .status:text-is("Saved.")');
    expect(
      apiRequests.slice(operationsBefore).map((request) => request.operationName),
      "one save, not refused",
    ).to.deep.equal(["SettingsSaveContacts"]);
    const after = await contactsNow();
    expect(after.version).to.equal(before.version + 1);
    expect(after.roles.DECISION_MAKER!.email).to.equal("katherine.johnson@northwind.example");
    expect(after.roles.IMPLEMENTATION!.email).to.equal("edsger.dijkstra@northwind.example");
  });

  it("takes the other admin's value with Use theirs, leaving the user's other edits unsaved", async () => {
    await page.selectOption("#role-DECISION_MAKER", { label: ADA });
    await page.selectOption("#role-TECHNICAL_ADMIN", { label: KATHERINE });
    const grace = await otherSession("grace.hopper@northwind.example", "Grace Hopper");
    await grace.page.selectOption("#role-DECISION_MAKER", { label: EDSGER });
    await grace.page.click('.save-bar button[type="submit"]');
    await grace.page.waitForSelector('.save-bar .status:text-is("Saved.")');
    await grace.close();

    const notice = page.locator(".live-conflict");
    await notice.waitFor();
    await notice.locator("button", { hasText: "Use theirs" }).click();
    expect(await page.locator("#role-DECISION_MAKER option:checked").textContent()).to.equal(EDSGER);
    expect(await page.locator("#role-TECHNICAL_ADMIN option:checked").textContent()).to.equal(KATHERINE);
    expect(await page.locator(".save-bar .status").textContent()).to.equal("1 unsaved change");
    await page.click('.save-bar button:text-is("Discard changes")');
  });

  it("after a dropped connection, subscribes again from the last event it saw", async () => {
    const { data } = await graphql(adminToken, "query ($id: ID!) { account(id: $id) { eventSequence } }", { id: accountId });
    const seen = data.account.eventSequence as number;
    await page.locator(`.layout[data-event-sequence="${seen}"]`).waitFor();
    const subscribed = live.subscribes().length;
    expect(live.subscribes()[0]!.variables.afterSequence, "the first subscription started where the page was read").to.be.below(seen);

    await live.drop();
    const changed = await graphql(
      await signToken(secret, { email: "grace.hopper@northwind.example", name: "Grace Hopper" }),
      `mutation ($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { contactsVersion } } }`,
      {
        input: {
          accountId,
          expectedVersion: (await contactsNow()).version,
          roleContacts: [{ role: "TECHNICAL_ADMIN", userId: await userId("alan.turing@northwind.example") }],
        },
      },
    );
    expect(changed.errors, JSON.stringify(changed.errors)).to.equal(undefined);
    await page
      .locator('.live-changes li:first-child:has-text("Grace Hopper changed the technical administrator")')
      .waitFor({ timeout: 30_000 });
    expect(await page.locator("#role-TECHNICAL_ADMIN option:checked").textContent()).to.equal(ALAN);
    const again = live.subscribes().slice(subscribed);
    expect(again.length, "subscribed again on the new connection").to.be.greaterThan(0);
    expect(again[0]!.variables.afterSequence).to.equal(seen);
  });

  it("reads the account and the history again when it missed more than the server sends again (reloadRequired)", async () => {
    const grace = await signToken(secret, { email: "grace.hopper@northwind.example", name: "Grace Hopper" });
    const sequence = async () =>
      (await graphql(adminToken, "query ($id: ID!) { account(id: $id) { eventSequence } }", { id: accountId })).data.account
        .eventSequence as number;
    await page.locator(`.layout[data-event-sequence="${await sequence()}"]`).waitFor();
    live.offline();
    await live.drop();
    // Three changes while the screen is away: one more than the server sends again.
    for (const email of [
      "katherine.johnson@northwind.example",
      "edsger.dijkstra@northwind.example",
      "katherine.johnson@northwind.example",
    ]) {
      const changed = await graphql(
        grace,
        `mutation ($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { contactsVersion } } }`,
        {
          input: {
            accountId,
            expectedVersion: (await contactsNow()).version,
            roleContacts: [{ role: "TECHNICAL_ADMIN", userId: await userId(email) }],
          },
        },
      );
      expect(changed.errors, JSON.stringify(changed.errors)).to.equal(undefined);
    }
    const latest = await sequence();
    const reads = () =>
      apiRequests
        .filter((request) => ["SettingsPage", "SettingsHistory"].includes(request.operationName))
        .map((request) => request.operationName);
    const readsBefore = reads().length;
    live.online();

    await page.locator(`.layout[data-event-sequence="${latest}"]`).waitFor({ timeout: 60_000 });
    expect(reads().slice(readsBefore).sort(), "the page and the history read again").to.deep.equal(["SettingsHistory", "SettingsPage"]);
    expect(await page.locator("#role-TECHNICAL_ADMIN option:checked").textContent()).to.equal(KATHERINE);
    await page.locator('.history tbody tr:first-child[data-slot="TECHNICAL_ADMIN"]:has-text("Grace Hopper")').waitFor();
    expect(await page.locator(".live-stopped").count()).to.equal(0);
  });

  it("asks an outside address again after 'This is not me', once, and says when it may be asked next", async () => {
    const decline = async () => {
      const token = await latestToken(OUTSIDE_SECURITY);
      const answered = await graphql(
        "",
        `mutation ($token: String!) { declineContactEmail(input: { token: $token }) { verification { state } } }`,
        { token },
      );
      expect(answered.errors, JSON.stringify(answered.errors)).to.equal(undefined);
      // A fresh load of the screen (the token lives in memory only, so it comes in the address again).
      await page.goto("about:blank");
      await openScreen(page, adminToken);
    };
    await decline();
    const verification = page.locator('[data-role="SECURITY"] .verification');
    expect(await verification.getAttribute("data-state")).to.equal("DECLINED");
    expect(await verification.textContent()).to.include("An address that declined can be asked again at most once every 30 days.");
    expect(await verification.locator("button", { hasText: "Send the confirmation again" }).count()).to.equal(0);
    const tokenBefore = await latestToken(OUTSIDE_SECURITY);

    await verification.locator("button", { hasText: "Ask them again" }).click();
    await page.waitForSelector('[data-role="SECURITY"] .verification[data-state="PENDING"]');
    expect((await contactsNow()).roles.SECURITY).to.deep.equal({ email: OUTSIDE_SECURITY, state: "PENDING" });
    await page.waitForSelector(`.history tbody tr:first-child[data-action="SET"]:has-text("${OUTSIDE_SECURITY}")`);
    expect(await latestToken(OUTSIDE_SECURITY, tokenBefore)).to.not.equal(tokenBefore);

    // Declined again: the screen offers to ask, and the server's bound answers in days.
    await decline();
    await page.locator('.history tbody tr:first-child[data-action="DECLINED"]').waitFor();
    expect(await page.locator(".history tbody tr:first-child td:nth-child(2)").textContent()).to.equal(OUTSIDE_SECURITY);
    await verification.locator("button", { hasText: "Ask them again" }).click();
    const refused = verification.locator('.problem[data-code="ADDRESS_DECLINED"]');
    await refused.waitFor();
    expect(await refused.textContent()).to.equal("They were already asked again: you can ask once more in 30 days.");
    expect((await contactsNow()).roles.SECURITY).to.deep.equal({ email: OUTSIDE_SECURITY, state: "DECLINED" });
    // The refusal is an answer about the address (HTTP 200), not a rate limit: the browser logs no failed resource.
    expect(consoleErrors.filter((message) => message.includes("status of 4"))).to.deep.equal([]);
  });

  it("shows a member's name as text, whatever it contains", async () => {
    const name = '<img src="x" onerror="window.injected = true"> Mallory';
    const added = await graphql(
      adminToken,
      `mutation ($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
      {
        input: { accountId, email: "mallory@northwind.example", name },
      },
    );
    expect(added.errors, JSON.stringify(added.errors)).to.equal(undefined);
    const malloryToken = await signToken(secret, { email: "mallory@northwind.example" });
    const invitationId = (added.data as { addAccountMember: { invitation: { id: string } } }).addAccountMember.invitation.id;
    const accepted = await graphql(
      malloryToken,
      `mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { id } } }`,
      { input: { invitationId } },
    );
    expect(accepted.errors, JSON.stringify(accepted.errors)).to.equal(undefined);
    const other = await context.newPage();
    await openScreen(other, adminToken);
    expect(await other.locator("#primary option").allTextContents()).to.include(`${name} (mallory@northwind.example)`);
    expect(await other.locator("img").count()).to.equal(0);
    expect(await other.evaluate(() => window.injected)).to.equal(undefined);
    await other.close();
  });

  it("lists an invitation nobody has answered, and withdraws it", async () => {
    const invited = await graphql(
      adminToken,
      `mutation ($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
      {
        input: { accountId, email: "invited.later@northwind.example" },
      },
    );
    expect(invited.errors, JSON.stringify(invited.errors)).to.equal(undefined);
    const other = await context.newPage();
    await openScreen(other, adminToken);
    const row = other.locator('[data-invitation="invited.later@northwind.example"]');
    await row.waitFor();
    expect(await other.locator("#primary option").allTextContents(), "not offered as a contact").to.not.include.members([
      "invited.later@northwind.example",
    ]);
    await row.getByRole("button").click();
    await row.waitFor({ state: "detached" });
    await other.close();
  });

  it("shows a plain member the contacts without a way to change them", async () => {
    const memberToken = await signToken(secret, { email: "alan.turing@northwind.example", name: "Alan Turing" });
    const other = await context.newPage();
    await openScreen(other, memberToken);
    expect(await other.locator(".notice").textContent()).to.equal(
      "You are a member of this account: only its admins can change the contacts.",
    );
    expect(await other.locator("#primary").isDisabled()).to.equal(true);
    expect(await other.locator("#billing-add").count()).to.equal(0);
    expect(await other.locator(".save-bar").count()).to.equal(0);
    await other.close();
  });

  it("says live updates stopped when the viewer is removed from the account while the screen is open", async () => {
    const other = await context.newPage();
    await openScreen(other, await signToken(secret, { email: "mallory@northwind.example" }));
    await other.locator(`.layout[data-event-sequence]`).waitFor();
    const removed = await graphql(
      adminToken,
      `mutation ($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) { account { id } } }`,
      {
        input: { accountId, userId: await userId("mallory@northwind.example") },
      },
    );
    expect(removed.errors, JSON.stringify(removed.errors)).to.equal(undefined);
    const stopped = other.locator('.live-stopped[data-code="NOT_FOUND"]');
    await stopped.waitFor({ timeout: 30_000 });
    expect(await stopped.textContent()).to.equal("Live updates stopped: reload the page to see changes others make.");
    await other.close();
  });

  it("asks for a new token when the API closes the live updates' socket because the token expired", async () => {
    const other = await context.newPage();
    // Long enough to load the screen; the server closes the socket with 4403 when it runs out.
    const lifetimeSeconds = 15;
    const expiresAt = (Math.floor(Date.now() / 1000) + lifetimeSeconds) * 1000;
    const shortLived = await signToken(secret, { email: "grace.hopper@northwind.example", name: "Grace Hopper" }, `${lifetimeSeconds}s`);
    await openScreen(other, shortLived);
    const problem = other.locator('.sign-in .problem[data-code="UNAUTHENTICATED"]');
    await problem.waitFor({ timeout: 60_000 });
    // Told by the socket: no request carried the token once it had run out (the API would have refused it).
    const late = apiRequests.filter((request) => request.authorization === `Bearer ${shortLived}` && request.sentAt >= expiresAt - 1000);
    expect(late.map((request) => request.operationName)).to.deep.equal([]);
    await other.close();
  });

  it("kept the token out of storage and the address, sent it to the API only, with no script errors or policy violations", async () => {
    const stored = await page.evaluate(() => {
      const read = (storage: BrowserStorage) => {
        const entries: string[] = [];
        for (let index = 0; index < storage.length; index++) {
          const key = storage.key(index)!;
          entries.push(`${key}=${storage.getItem(key) ?? ""}`);
        }
        return entries;
      };
      return [...read(localStorage), ...read(sessionStorage), document.cookie].join("\n");
    });
    expect(stored).not.to.include(adminToken);
    expect(stored).not.to.match(/eyJ/);

    const apiOrigin = new URL(apiUrl).origin;
    const elsewhere = requested.filter((url) => !url.startsWith("data:") && ![appOrigin, apiOrigin].includes(new URL(url).origin));
    expect(elsewhere, "requests that left the machine").to.deep.equal([]);
    // The token travelled in the Authorization header to the API, never in a URL.
    expect(requested.filter((url) => url.includes(adminToken))).to.deep.equal([]);
    expect(apiRequests.length).to.be.greaterThan(0);
    for (const request of apiRequests) expect(request.origin).to.equal(appOrigin);
    expect(apiRequests.filter((request) => request.authorization === `Bearer ${adminToken}`).length).to.be.greaterThan(0);
    // Live updates: the token only in the WebSocket's connection_init, never in its address.
    expect(live.urls.filter((url) => url.includes(adminToken))).to.deep.equal([]);
    const inits = live.connections.flatMap((connection) => connection.sent.filter((message) => message.type === "connection_init"));
    expect(inits.length).to.be.greaterThan(0);
    expect(inits.some((message) => message.payload?.authorization === `Bearer ${adminToken}`)).to.equal(true);

    expect(await page.evaluate(() => window.cspViolations)).to.deep.equal([]);
    expect(pageErrors).to.deep.equal([]);
    expect(consoleErrors).to.deep.equal([]);
  });
});

// Two admins, each on a server process of their own, one PostgreSQL database: an event committed through
// one process reaches the screen connected to the other. Runs where TEST_DATABASE_URL is PostgreSQL
// (`npm run test:e2e:postgres`).
describe("the settings screen's live updates across two server processes on PostgreSQL", function () {
  this.timeout(120_000);

  const database = `settings_live_${process.pid}`;
  let temp: string;
  const running: Running[] = [];
  let browser: Browser;
  let secret: string;
  const screens: { page: Page; apiRequests: string[] }[] = [];

  /** The screen served for one API process (the first build serves both). */
  async function serveScreenFor(apiUrl: string, build: boolean): Promise<string> {
    const served = await startProcess(
      [path.join(ROOT, "examples", "settings-app", "scripts", "serve.mjs"), ...(build ? [] : ["--no-build"])],
      { SETTINGS_PORT: "0", SETTINGS_API_URL: apiUrl },
      /served on (http:\/\/127\.0\.0\.1:\d+\/)/,
      100_000,
    );
    running.push(served);
    return served.match;
  }

  /** One admin's browser context of their own, with the screen open. */
  async function openScreenAs(appUrl: string, apiUrl: string, email: string, name: string): Promise<{ page: Page; apiRequests: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: "en-GB" });
    const apiRequests: string[] = [];
    await context.route("**/*", async (route) => {
      const request = route.request();
      if (request.url().startsWith(apiUrl) && request.method() === "POST")
        apiRequests.push((request.postDataJSON() as { operationName?: string }).operationName ?? "");
      await route.continue();
    });
    const page = await context.newPage();
    await page.goto(`${appUrl}#token=${await signToken(secret, { email, name })}`);
    await page.waitForSelector(`h2.account-name:text-is("${NORTHWIND}")`, { timeout: 30_000 });
    return { page, apiRequests };
  }

  before(async function () {
    if (!testingOnPostgres()) this.skip();
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (see .ci/run) or set CHROMIUM_PATH.`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-settings-live-"));
    secret = randomBytes(32).toString("hex");
    const databaseUrl = await createPostgresDatabase(process.env.TEST_DATABASE_URL!, database);
    const ports = [await freePort(), await freePort()];
    const apiUrls = ports.map((port) => `http://127.0.0.1:${port}/graphql`);
    const appUrls = [await serveScreenFor(apiUrls[0]!, true), await serveScreenFor(apiUrls[1]!, false)];
    // One after the other: the first migrates the new database and fills in the demo data.
    for (const [index, port] of ports.entries()) {
      running.push(
        await startProcess(
          [path.join(ROOT, "dist", "src", "main.js")],
          {
            NODE_ENV: "development",
            DATABASE_URL: databaseUrl,
            HOST: "127.0.0.1",
            PORT: String(port),
            AUTH_JWT_SECRET: secret,
            CORS_ORIGINS: appUrls.map((url) => new URL(url).origin).join(","),
            MAIL_LOG_FILE: path.join(temp, `mail-${index}.log`),
          },
          /(is listening on)/,
          60_000,
        ),
      );
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    screens.push(await openScreenAs(appUrls[0]!, apiUrls[0]!, "ada.lovelace@northwind.example", "Ada Lovelace"));
    screens.push(await openScreenAs(appUrls[1]!, apiUrls[1]!, "grace.hopper@northwind.example", "Grace Hopper"));
  });

  after(async () => {
    await browser?.close();
    for (const child of running.reverse()) await stop(child);
    if (process.env.TEST_DATABASE_URL && testingOnPostgres()) await dropPostgresDatabase(process.env.TEST_DATABASE_URL, database);
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it("shows admin A, on one process, what admin B saved through the other, without reading the page again", async () => {
    const [ada, grace] = screens as [(typeof screens)[0], (typeof screens)[0]];
    const requestsBefore = ada.apiRequests.length;
    await grace.page.selectOption("#role-TECHNICAL_ADMIN", { label: EDSGER });
    await grace.page.click('.save-bar button[type="submit"]');
    await grace.page.waitForSelector('.save-bar .status:text-is("Saved.")');

    await ada.page.locator('.live-changes li:has-text("Grace Hopper changed the technical administrator")').waitFor({ timeout: 30_000 });
    expect(await ada.page.locator("#role-TECHNICAL_ADMIN option:checked").textContent()).to.equal(EDSGER);
    await ada.page.locator('.history tbody tr:first-child[data-slot="TECHNICAL_ADMIN"]').waitFor();
    expect(ada.apiRequests.length, "no request to the API for it").to.equal(requestsBefore);
  });

  it("tells admin A, before Save, that admin B changed the slot A is editing, and keeps A's edit of another slot", async () => {
    const [ada, grace] = screens as [(typeof screens)[0], (typeof screens)[0]];
    await ada.page.selectOption("#role-DECISION_MAKER", { label: KATHERINE });
    await ada.page.selectOption("#role-IMPLEMENTATION", { label: EDSGER });
    await grace.page.selectOption("#role-DECISION_MAKER", { label: ALAN });
    await grace.page.click('.save-bar button[type="submit"]');
    await grace.page.waitForSelector('.save-bar .status:text-is("Saved.")');

    const notice = ada.page.locator(".live-conflict");
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.locator(".both li").allTextContents()).to.deep.equal([
      "Decision maker: Grace Hopper set Alan Turing; yours is Katherine Johnson",
    ]);
    expect(ada.apiRequests.filter((name) => name === "SettingsSaveContacts")).to.deep.equal([]);
    expect(await ada.page.locator("#role-IMPLEMENTATION option:checked").textContent()).to.equal(EDSGER);

    await notice.locator("button", { hasText: "Keep mine" }).click();
    await ada.page.click('.save-bar button[type="submit"]');
    await ada.page.waitForSelector('.save-bar .status:text-is("Saved.")');
    expect(
      ada.apiRequests.filter((name) => name === "SettingsChangesSince"),
      "saved without a conflict",
    ).to.deep.equal([]);
    // And Grace, on the other process, sees Ada's save.
    await grace.page
      .locator('.live-changes li:has-text("Ada Lovelace changed the decision maker and the implementation contact")')
      .waitFor({ timeout: 30_000 });
    expect(await grace.page.locator("#role-DECISION_MAKER option:checked").textContent()).to.equal(KATHERINE);
  });
});
