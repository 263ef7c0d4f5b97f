import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { signToken } from "../src/auth/tokens";
import { DEVELOPMENT_JWT_SECRET } from "../src/config";
import { MAIN, freePort, runToEnd, spawnServer, type ServerProcess } from "./helpers/process";

/** Debian's nginx (`nginx-light`), which `.ci/run` installs. */
const NGINX = "/usr/sbin/nginx";
const SECRET = "reverse-proxy-test-secret-long-enough-for-hs256";

/** Starts nginx in the foreground with a stock `proxy_pass` to `upstreamPort`, everything under `directory`; resolves with its port. */
async function startNginx(directory: string, upstreamPort: number): Promise<{ port: number; process: ChildProcess; log: () => string }> {
  const port = await freePort();
  for (const folder of ["logs", "temp"]) fs.mkdirSync(path.join(directory, folder), { recursive: true });
  const temp = (name: string) => `${name}_temp_path ${path.join(directory, "temp", name)};`;
  fs.writeFileSync(
    path.join(directory, "nginx.conf"),
    `daemon off;
master_process off;
pid ${path.join(directory, "nginx.pid")};
error_log ${path.join(directory, "logs", "error.log")} warn;
events { worker_connections 64; }
http {
  access_log off;
  ${["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(temp).join("\n  ")}
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://127.0.0.1:${upstreamPort}; }
  }
}
`,
  );
  const child = spawn(NGINX, ["-p", directory, "-c", path.join(directory, "nginx.conf"), "-e", path.join(directory, "logs", "error.log")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  for (let attempt = 0; ; attempt++) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (listening) break;
    if (child.exitCode !== null || attempt > 100) throw new Error(`nginx did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { port, process: child, log: () => log };
}

/** The settings the GraphiQL page was rendered with: a filled-in token would be in `defaultHeaders`. */
function pageSettings(page: string): { defaultHeaders?: string; defaultQuery: string } {
  return JSON.parse(/<script type="application\/json" id="graphiql-settings">(.*?)<\/script>/s.exec(page)![1]!) as {
    defaultHeaders?: string;
    defaultQuery: string;
  };
}

/** What a stranger's browser gets for GraphiQL through the proxy, under the public name. */
async function graphiqlThroughProxy(proxyPort: number): Promise<string> {
  // fetch() sets Host from the URL; node's http lets the test name the public host as a browser would.
  const http = await import("node:http");
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: "127.0.0.1", port: proxyPort, path: "/graphql", headers: { host: "contacts.example.com", accept: "text/html" } },
      (response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk.toString()));
        response.on("end", () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${response.statusCode}: ${body}`))));
      },
    );
    request.on("error", reject);
  });
}

describe("behind a reverse proxy (nginx)", function () {
  this.timeout(60_000);
  let directory: string;
  let server: ServerProcess | undefined;
  let nginx: ChildProcess | undefined;

  before(() => {
    if (!fs.existsSync(NGINX)) throw new Error(`${NGINX} is missing: install Debian's nginx-light (.ci/run does).`);
  });
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-proxy-"));
  });
  afterEach(async () => {
    nginx?.kill("SIGTERM");
    if (nginx && nginx.exitCode === null) await new Promise((resolve) => nginx!.once("exit", resolve));
    server?.child.kill("SIGTERM");
    await server?.exited;
    nginx = undefined;
    server = undefined;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("hands no token to a stranger through a stock proxy_pass in front of the development defaults", async () => {
    // As `node dist/src/main.js` starts with nothing set: development, demo data, the development secret, 127.0.0.1.
    server = await spawnServer(
      { DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`, MAIL_LOG_FILE: path.join(directory, "mail.log") },
      "npm run token",
    );
    expect(server.output()).to.contain("Loaded the demo accounts");
    const started = await startNginx(directory, Number(new URL(server.url).port));
    nginx = started.process;
    const page = await graphiqlThroughProxy(started.port);
    expect(pageSettings(page).defaultHeaders).to.equal(undefined);
    expect(page).not.to.match(/eyJ/);
    expect(server.output()).not.to.match(/Bearer|eyJ/);
    expect(server.output()).to.match(/No demo admin token: DEMO_TOKEN is off/);
  });

  it("refuses to start with the development secret once the proxy is declared, in development and test alike", async function () {
    this.timeout(240_000);
    const declared: Record<string, string>[] = [
      { TRUST_PROXY: "loopback", PUBLIC_URL: "https://contacts.example.com" },
      { NODE_ENV: "test", TRUST_PROXY: "loopback", PUBLIC_URL: "https://contacts.example.com" },
      { PUBLIC_URL: "https://contacts.example.com" },
      { TRUST_PROXY: "1" },
    ];
    for (const env of declared) {
      const result = await runToEnd([MAIN], { ...env, DATABASE_URL: `sqlite:${path.join(directory, "refused.sqlite")}` });
      expect(result.code, JSON.stringify(env)).to.equal(1);
      expect(result.stderr).to.match(/Cannot start: AUTH_JWT_SECRET must be set: the published development secret/);
      const demo = await runToEnd([MAIN], {
        ...env,
        AUTH_JWT_SECRET: SECRET,
        DEMO_TOKEN: "true",
        DATABASE_URL: `sqlite:${path.join(directory, "refused.sqlite")}`,
      });
      expect(demo.code, JSON.stringify(env)).to.equal(1);
      expect(demo.stderr).to.match(/Cannot start: DEMO_TOKEN=true \(npm start sets it\)/);
    }
    expect(fs.existsSync(path.join(directory, "refused.sqlite"))).to.equal(false);
  });

  it("behind the proxy it is configured for, shows GraphiQL without a token and refuses tokens signed with the development secret", async () => {
    server = await spawnServer({
      NODE_ENV: "test",
      AUTH_JWT_SECRET: SECRET,
      TRUST_PROXY: "loopback",
      PUBLIC_URL: "https://contacts.example.com",
      GRAPHIQL: "true",
      SEED_DEMO_DATA: "true",
      DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`,
      MAIL_LOG_FILE: path.join(directory, "mail.log"),
    });
    const started = await startNginx(directory, Number(new URL(server.url).port));
    nginx = started.process;
    const page = await graphiqlThroughProxy(started.port);
    expect(pageSettings(page).defaultHeaders).to.equal(undefined);
    expect(page).not.to.match(/eyJ/);
    const forged = await signToken(DEVELOPMENT_JWT_SECRET, { email: "ada.lovelace@northwind.example", name: null });
    const response = await fetch(`http://127.0.0.1:${started.port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${forged}` },
      body: JSON.stringify({ query: "{ accounts { totalCount } }" }),
    });
    expect(response.status).to.equal(401);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).to.equal(
      "UNAUTHENTICATED",
    );
  });
});
