import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { signToken } from "../src/auth/tokens";
import { freePort, spawnServer, type ServerProcess } from "./helpers/process";
import { NGINX, startNginx, type Nginx } from "./helpers/nginx";

const SECRET = "rolling-restart-secret-long-enough-for-hs256";
/** Clients sending requests through nginx all the time. */
const CLIENTS = 3;
/** Each of the two processes is restarted this many times, one after the other (`ROLLING_RESTART_ROUNDS` for a longer run). */
const ROUNDS = Number(process.env.ROLLING_RESTART_ROUNDS ?? 1);
/**
 * nginx takes a server that refused a connection out of rotation for fail_timeout (10 s by default);
 * restarting the other one sooner would leave it none, as an operator's rolling restart would too.
 */
const NGINX_FAIL_TIMEOUT_MS = 10_000;

interface Tally {
  answered: number;
  failed: string[];
}

/** Sends one GraphQL request after another through `url` until `running()` is false. */
async function client(url: string, token: string, running: () => boolean, tally: Tally): Promise<void> {
  const body = JSON.stringify({ query: "query Viewer { viewer { email } }" });
  while (running()) {
    try {
      const response = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body,
      });
      const text = await response.text();
      if (response.status === 200 && text.includes("rolling@example.com")) tally.answered++;
      else tally.failed.push(`${response.status} ${text.slice(0, 120)}`);
    } catch (error) {
      tally.failed.push(String((error as { cause?: unknown }).cause ?? error));
    }
  }
}

describe("a rolling restart behind stock nginx", function () {
  this.timeout(120_000 + ROUNDS * 60_000);
  let directory: string;
  let nginx: Nginx | null = null;
  const servers: (ServerProcess | null)[] = [null, null];

  before(function () {
    if (!fs.existsSync(NGINX)) this.skip(); // .ci/run installs nginx-light
  });

  afterEach(async () => {
    for (const server of servers) {
      if (server && server.child.exitCode === null) {
        server.child.kill("SIGKILL");
        await server.exited;
      }
    }
    await nginx?.stop();
    nginx = null;
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
  });

  it("loses no request while each of two processes is stopped with SIGTERM and started again", async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-rolling-"));
    const ports = [await freePort(), await freePort()];
    const envOf = (index: number): Record<string, string> => ({
      DATABASE_URL: `sqlite:${path.join(directory, `contacts-${index}.sqlite`)}`,
      MAIL_LOG_FILE: path.join(directory, `mail-${index}.log`),
      NODE_ENV: "test",
      SEED_DEMO_DATA: "false",
      AUTH_JWT_SECRET: SECRET,
      PORT: String(ports[index]),
      SHUTDOWN_DRAIN_SECONDS: "1",
      SHUTDOWN_GRACE_MS: "5000",
    });
    for (const index of [0, 1]) servers[index] = await spawnServer(envOf(index), "listening on", 60_000);
    nginx = await startNginx(ports);
    const token = await signToken(SECRET, { email: "rolling@example.com" });

    let running = true;
    const tally: Tally = { answered: 0, failed: [] };
    const clients = Array.from({ length: CLIENTS }, () => client(nginx!.url, token, () => running, tally));
    const exitCodes: (number | null)[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (let round = 0; round < ROUNDS; round++) {
        for (const index of [0, 1]) {
          const old = servers[index]!;
          old.child.kill("SIGTERM");
          exitCodes.push(await old.exited);
          servers[index] = await spawnServer(envOf(index), "listening on", 60_000);
          await new Promise((resolve) => setTimeout(resolve, NGINX_FAIL_TIMEOUT_MS + 500));
        }
      }
    } finally {
      running = false;
      await Promise.all(clients);
    }
    console.log(`      ${tally.answered} answered, ${tally.failed.length} failed through nginx during ${ROUNDS * 2} restarts`);
    expect(exitCodes).to.deep.equal(new Array(ROUNDS * 2).fill(0));
    expect(tally.answered).to.be.above(100);
    expect(tally.failed.length, `${tally.failed.slice(0, 5).join("\n")}\n${nginx.errorLog().slice(-2000)}`).to.equal(0);
  });
});
