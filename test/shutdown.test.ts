import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { signToken } from "../src/auth/tokens";
import { postGraphQL, spawnServer, type ServerProcess } from "./helpers/process";

const SECRET = "shutdown-test-secret-long-enough-for-hs256";
const GRACE_MS = 3000;

/** A POST whose headers are sent now and whose body is sent only when `finish` is called. */
function heldRequest(url: string, token: string, query: string) {
  const body = Buffer.from(JSON.stringify({ query }));
  const request = http.request(url, {
    method: "POST",
    headers: { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${token}` },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.once("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.once("error", reject);
    });
    request.once("error", reject);
  });
  request.write(body.subarray(0, 10));
  return {
    response,
    finish: () => request.end(body.subarray(10)),
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function connectionRefused(url: string): Promise<boolean> {
  try {
    await fetch(url.replace("/graphql", "/healthz"));
    return false;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED";
  }
}

describe("graceful shutdown on SIGTERM", function () {
  this.timeout(30_000);
  let directory: string;
  let env: Record<string, string>;
  let server: ServerProcess | null = null;
  let token: string;

  beforeEach(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-shutdown-"));
    env = {
      DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`,
      NODE_ENV: "test",
      SEED_DEMO_DATA: "false",
      AUTH_JWT_SECRET: SECRET,
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    };
    token = await signToken(SECRET, { email: "shutdown@example.com" });
    server = await spawnServer(env);
  });

  afterEach(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGKILL");
      await server.exited;
    }
    server = null;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("finishes the request in flight, refuses new connections, and exits 0", async () => {
    const running = server!;
    const held = heldRequest(
      running.url,
      token,
      `mutation { createAccount(input: { name: "Finished during shutdown" }) { account { id name } } }`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // the server has the request's headers

    const signalled = Date.now();
    running.child.kill("SIGTERM");
    await waitFor(() => running.output().includes("SIGTERM received"), 5000, "the shutdown message");
    let refused = false;
    for (let attempt = 0; attempt < 20 && !refused; attempt++) {
      refused = await connectionRefused(running.url);
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(refused, "a new connection during shutdown is refused").to.equal(true);
    expect(running.child.exitCode, "still waiting for the request in flight").to.equal(null);

    held.finish();
    const answer = await held.response;
    expect(answer.status).to.equal(200);
    const created = JSON.parse(answer.body).data.createAccount.account;
    expect(created.name).to.equal("Finished during shutdown");

    expect(await running.exited).to.equal(0);
    const stoppedAfterMs = Date.now() - signalled;
    console.log(`      exited 0 ${stoppedAfterMs} ms after SIGTERM, once its one request in flight was answered`);
    expect(stoppedAfterMs).to.be.below(GRACE_MS);

    // What the request in flight wrote was committed.
    server = await spawnServer(env);
    const after = await postGraphQL(server.url, "{ accounts { edges { node { id name } } } }", token);
    expect(after.data.accounts.edges.map((edge: { node: { id: string } }) => edge.node.id)).to.deep.equal([created.id]);
    server.child.kill("SIGTERM");
    expect(await server.exited).to.equal(0);
  });

  it("stops waiting for a client that never finishes its request once SHUTDOWN_GRACE_MS has passed", async () => {
    const running = server!;
    const held = heldRequest(running.url, token, "{ viewer { id } }");
    const outcome = held.response.then(
      () => "answered",
      () => "connection closed",
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const signalled = Date.now();
    running.child.kill("SIGTERM");
    expect(await running.exited).to.equal(0);
    const stoppedAfterMs = Date.now() - signalled;
    console.log(`      exited 0 ${stoppedAfterMs} ms after SIGTERM with a stalled client (grace ${GRACE_MS} ms)`);
    expect(stoppedAfterMs).to.be.within(GRACE_MS - 100, GRACE_MS + 2000);
    expect(await outcome).to.equal("connection closed");
  });

  it("exits 0 at once when nothing is in flight", async () => {
    const running = server!;
    expect((await postGraphQL(running.url, "{ viewer { email } }", token)).data.viewer.email).to.equal("shutdown@example.com");
    const signalled = Date.now();
    running.child.kill("SIGTERM");
    expect(await running.exited).to.equal(0);
    expect(Date.now() - signalled).to.be.below(1500);
  });
});
