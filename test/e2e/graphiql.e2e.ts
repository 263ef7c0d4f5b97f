import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser";
import { chromium, type Browser, type Page } from "playwright-core";
import { scratchDefaults } from "../helpers/process";

// The tests compile without the DOM library: these are the browser globals the page functions below use.
interface BrowserStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}
declare const document: {
  cookie: string;
  querySelector(
    selector: string,
  ): { textContent: string | null; CodeMirror?: { getValue(): string; setValue(value: string): void } } | null;
  addEventListener(type: "securitypolicyviolation", listener: (event: { violatedDirective: string; blockedURI: string }) => void): void;
};
declare const window: { cspViolations: string[] };
declare const localStorage: BrowserStorage;
declare const sessionStorage: BrowserStorage;

const ROOT = path.resolve(__dirname, "..", "..", "..");

interface RunningServer {
  child: ChildProcess;
  url: string;
  output: () => string;
}

/** Starts the server as `npm start` does (development settings, demo data) on a fresh SQLite file and a free port. */
async function startServer(databaseFile: string): Promise<RunningServer> {
  const child = spawn(process.execPath, [path.join(ROOT, "dist", "src", "main.js")], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      ...scratchDefaults(),
      NODE_ENV: "development",
      DEMO_TOKEN: "true",
      DATABASE_URL: `sqlite:${databaseFile}`,
      HOST: "127.0.0.1",
      PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The server did not start in time:\n${output}`));
    }, 30_000);
    child.stdout!.on("data", () => {
      // The start-up line is a JSON log record: the address ends at the closing quote.
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The server exited with ${code}:\n${output}`));
    });
  });
  return { child, url, output: () => output };
}

async function stopServer(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

/** Every key and value in the page's localStorage and sessionStorage, and its cookies. */
function browserStorage(page: Page): Promise<{ local: Record<string, string>; session: Record<string, string>; cookie: string }> {
  return page.evaluate(() => {
    const read = (storage: BrowserStorage) => {
      const entries: Record<string, string> = {};
      for (let index = 0; index < storage.length; index++) {
        const key = storage.key(index)!;
        entries[key] = storage.getItem(key) ?? "";
      }
      return entries;
    };
    return { local: read(localStorage), session: read(sessionStorage), cookie: document.cookie };
  });
}

/** Fails if any stored key or value holds a bearer token, an Authorization header or anything shaped like a JWT. */
function expectNoToken(stored: { local: Record<string, string>; session: Record<string, string>; cookie: string }, tokens: string[]): void {
  const everything = [...Object.entries(stored.local), ...Object.entries(stored.session), ["cookie", stored.cookie]];
  for (const [key, value] of everything) {
    for (const token of tokens) expect(value, `${key} holds the token`).not.to.include(token);
    expect(`${key}=${value}`, `${key} holds a JWT`).not.to.match(/eyJ/);
    expect(value, `${key} holds a bearer credential`).not.to.match(/Bearer\s+[A-Za-z0-9]/i);
    expect(value, `${key} holds an Authorization header`).not.to.match(/authorization\\?"\s*:/i);
  }
}

/** The Headers editor's text, read from CodeMirror itself (the DOM only holds the visible lines). */
function headersText(page: Page): Promise<string> {
  return page.evaluate(() =>
    document.querySelector(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")!.CodeMirror!.getValue(),
  );
}

/** The whole response in the result pane, from CodeMirror itself (the DOM holds only the lines in view). */
async function resultJson(page: Page): Promise<any> {
  return JSON.parse(await page.evaluate(() => document.querySelector(".result-window .CodeMirror")!.CodeMirror!.getValue()));
}

/** The type a global id names (base64url of "Type:key"), read the way only a test may: clients treat ids as opaque. */
function typeOfId(id: string): string {
  return Buffer.from(id, "base64url").toString("utf8").split(":")[0]!;
}

/** The text GraphiQL shows in one of its panes (CodeMirror renders the visible lines as DOM text). */
function paneText(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (element) => element.textContent ?? "");
}

describe("GraphiQL in a real browser", function () {
  this.timeout(120_000);

  let temp: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  /** Every URL the browser asked for, so the test can prove nothing went off the machine. */
  const requested: string[] = [];
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  before(async () => {
    if (!fs.existsSync(CHROMIUM))
      throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (see .ci/run) or set CHROMIUM_PATH.`);
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-e2e-"));
    server = await startServer(path.join(temp, "e2e.sqlite"));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const origin = new URL(server.url).origin;
    // Anything not for our server is recorded and refused, as an unplugged network would.
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      requested.push(url);
      if (new URL(url).origin === origin) await route.continue();
      else await route.abort("internetdisconnected");
    });
    page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    await page.addInitScript(() => {
      const violations: string[] = [];
      window.cspViolations = violations;
      document.addEventListener("securitypolicyviolation", (event) => violations.push(`${event.violatedDirective} ${event.blockedURI}`));
    });
  });

  after(async () => {
    await browser?.close();
    if (server) await stopServer(server);
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it("opens with the demo admin's token and the example operation, from the server's own files", async () => {
    const response = await page.goto(server.url);
    expect(response!.status()).to.equal(200);
    expect(response!.headers()["content-security-policy"]).to.include("script-src 'self'");
    await page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 30_000 });

    expect(await paneText(page, ".graphiql-query-editor")).to.include("query MyAccountsAndContacts");
    await page.waitForFunction(() => document.querySelector(".graphiql-editor-tool")?.textContent?.includes("Bearer ey"));
    expect(await paneText(page, ".graphiql-editor-tool")).to.match(/"Authorization":\s*"Bearer ey/);
  });

  it("runs the example when the run button is clicked and shows the demo accounts", async () => {
    await page.click(".graphiql-execute-button");
    await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes("Northwind Traders"), undefined, {
      timeout: 30_000,
    });
    const result = await paneText(page, ".result-window");
    expect(result).to.include("ada.lovelace@northwind.example");
    expect(result).to.include("grace.hopper@northwind.example");
    expect(result).not.to.include('"errors"');
    // The 1.0 shapes: global ids, the connection's pageInfo, members named by displayName.
    const response = await resultJson(page);
    expect(response.errors).to.equal(undefined);
    expect(response.data.accounts.pageInfo.hasNextPage).to.equal(false);
    const northwind = response.data.accounts.edges
      .map((edge: any) => edge.node)
      .find((account: any) => account.name === "Northwind Traders");
    expect(typeOfId(northwind.id)).to.equal("Account");
    expect(northwind.members.nodes.map((member: any) => typeOfId(member.id))).to.deep.equal(Array(5).fill("AccountMember"));
    expect(northwind.members.nodes.map((member: any) => member.displayName)).to.include("Grace Hopper");
    await page.screenshot({ path: path.join(ARTIFACTS, "graphiql-result.png") });
  });

  it("shows the descriptions from the code in the docs explorer", async () => {
    await page.click('[aria-label="Show Documentation Explorer"]');
    await page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is("Mutation")');
    await page.click('.graphiql-doc-explorer a.graphiql-doc-explorer-field-name:text-is("setRoleContact")');
    await page.waitForFunction(() =>
      document.querySelector(".graphiql-doc-explorer")?.textContent?.includes("Give exactly one of userId and email"),
    );
    expect(await paneText(page, ".graphiql-doc-explorer-title")).to.equal("setRoleContact");
    await page.screenshot({ path: path.join(ARTIFACTS, "graphiql-docs.png") });
  });

  it("keeps no token in localStorage or sessionStorage after running queries, editing headers and reloading", async () => {
    const tokens = new Set<string>();
    const rememberToken = async () => {
      const headers = await headersText(page);
      const token = /Bearer (ey[\w.-]+)/.exec(headers)?.[1];
      expect(token, headers).to.be.a("string");
      tokens.add(token!);
    };
    await rememberToken();

    // Edit the headers as a user would: keep the token, add a header of one's own, and run again.
    await page.evaluate(() => {
      const editor = document.querySelector(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")!.CodeMirror!;
      const headers = JSON.parse(editor.getValue()) as Record<string, string>;
      editor.setValue(JSON.stringify({ ...headers, "X-Request-Label": "storage-audit" }, null, 2));
    });
    await page.evaluate(() => {
      const editor = document.querySelector(".graphiql-query-editor .CodeMirror")!.CodeMirror!;
      editor.setValue("query ViewerOnly {\n  viewer {\n    email\n  }\n}\n");
    });
    // GraphiQL reads the operation name from the editor a moment after a change.
    await page.waitForTimeout(1000);
    await page.click(".graphiql-execute-button");
    await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes('"viewer"'));

    // A token pasted where it does not belong (the variables) is not kept either.
    await page.click('.graphiql-editor-tools button:text-is("Variables")');
    await page.evaluate(
      (token) => {
        const editor = document.querySelector(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")!.CodeMirror!;
        editor.setValue(JSON.stringify({ note: `Bearer ${token}`, token }));
      },
      [...tokens][0]!,
    );
    await page.click('.graphiql-editor-tools button:text-is("Headers")');
    await page.waitForTimeout(1000);
    await page.click(".graphiql-execute-button");
    await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes('"viewer"'));
    // GraphiQL writes its tabs half a second after the last change.
    await page.waitForTimeout(1200);

    await page.reload();
    await page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector(".graphiql-editor-tool")?.textContent?.includes("Bearer ey"));
    await rememberToken();
    await page.click(".graphiql-execute-button");
    await page.waitForFunction(() => document.querySelector(".result-window")?.textContent?.includes('"viewer"'));
    expect(await paneText(page, ".result-window")).not.to.include('"errors"');
    await page.waitForTimeout(1200);

    const stored = await browserStorage(page);
    // The audit read real data: the history holds the operations that ran.
    expect(stored.local["graphiql:queries"], JSON.stringify(stored)).to.include("ViewerOnly");
    expect(Object.keys(stored.local)).to.include("graphiql:tabState");
    // The token pasted into the variables reached storage only as a placeholder.
    expect(stored.local["graphiql:variables"]).to.include("<removed>");
    expectNoToken(stored, [...tokens]);
  });

  it("removes tokens that an older page left in storage", async () => {
    const token = /Bearer (ey[\w.-]+)/.exec(await headersText(page))![1]!;
    await page.evaluate((leaked) => {
      const headers = JSON.stringify({ Authorization: `Bearer ${leaked}` });
      const entry = { query: "query Leaked { viewer { email } }", variables: "", headers, operationName: "Leaked" };
      localStorage.setItem("graphiql:queries", JSON.stringify({ queries: [entry] }));
      localStorage.setItem("graphiql:favorites", JSON.stringify({ favorites: [{ ...entry, favorite: true }] }));
      localStorage.setItem("graphiql:headers", headers);
      localStorage.setItem("graphiql:shouldPersistHeaders", "true");
    }, token);
    await page.reload();
    await page.waitForSelector(".graphiql-container .graphiql-query-editor .CodeMirror", { timeout: 30_000 });
    await page.waitForTimeout(1200);
    const stored = await browserStorage(page);
    expect(stored.local["graphiql:queries"], "the history entry itself stays").to.include("Leaked");
    expect(stored.local).not.to.have.property("graphiql:headers");
    expectNoToken(stored, [token]);
  });

  it("runs a subscription over WebSocket and shows each change as it is committed", async () => {
    const token = /Bearer (ey[\w.-]+)/.exec(await headersText(page))![1]!;
    const listed = (await (
      await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ accounts(first: 1) { nodes { id locale eventSequence } } }" }),
      })
    ).json()) as {
      data: { accounts: { nodes: { id: string; locale: string; eventSequence: number }[] } };
    };
    const account = listed.data.accounts.nodes[0]!;
    await page.evaluate((id) => {
      const editor = document.querySelector(".graphiql-query-editor .CodeMirror")!.CodeMirror!;
      editor.setValue(
        `subscription Live {\n  accountChanged(accountId: "${id}") {\n    sequence\n    kinds\n    settingChanges { newValue }\n  }\n}\n`,
      );
    }, account.id);
    await page.waitForTimeout(1000);
    await page.click(".graphiql-execute-button");
    // The socket is open once the server counts the subscription; a change made before that would not be shown.
    await page.waitForTimeout(1500);
    const locale = account.locale === "PL" ? "EN" : "PL";
    const changed = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: "mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { eventSequence } } }",
        variables: { input: { accountId: account.id, locale } },
      }),
    });
    const sequence = ((await changed.json()) as { data: { updateAccount: { account: { eventSequence: number } } } }).data.updateAccount
      .account.eventSequence;
    expect(sequence).to.equal(account.eventSequence + 1);
    await page.waitForFunction(
      (expected) => document.querySelector(".result-window")?.textContent?.includes(`"sequence": ${expected}`),
      sequence,
      { timeout: 30_000 },
    );
    expect(await paneText(page, ".result-window")).to.include("SETTINGS");
    await page.screenshot({ path: path.join(ARTIFACTS, "graphiql-subscription.png") });
  });

  it("made no request to any host but the server, with no script errors or policy violations", async () => {
    const origin = new URL(server.url).origin;
    const outside = requested.filter((url) => !url.startsWith("data:") && new URL(url).origin !== origin);
    expect(outside, "requests that left the machine").to.deep.equal([]);
    expect(
      requested.some((url) => url.endsWith("/graphiql.min.js")),
      "GraphiQL came from the server",
    ).to.equal(true);
    expect(await page.evaluate(() => window.cspViolations)).to.deep.equal([]);
    expect(pageErrors).to.deep.equal([]);
    expect(consoleErrors).to.deep.equal([]);
  });
});
