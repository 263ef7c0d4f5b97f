import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import { Database } from "../src/database";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";

const postgres = (process.env.TEST_DATABASE_URL ?? "").startsWith("postgres");

async function probe(server: TestServer, route: string): Promise<{ status: number; body: Record<string, unknown>; connection: string | null }> {
  const response = await fetch(server.url.replace(/\/graphql$/, route));
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, connection: response.headers.get("connection") };
}

/** Makes a file unwritable even for root (immutable), or by its mode for anyone else; returns the undo. */
function makeReadOnly(file: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync("chattr", ["+i", file]);
    return () => execFileSync("chattr", ["-i", file]);
  }
  fs.chmodSync(file, 0o444);
  return () => fs.chmodSync(file, 0o644);
}

describe("liveness and readiness probes", function () {
  this.timeout(30_000);

  it("/livez and /readyz answer 200 while the database reads and writes", async () => {
    const server = await startTestServer();
    try {
      expect(await probe(server, "/livez")).to.deep.include({ status: 200 });
      expect(await probe(server, "/readyz")).to.deep.include({ status: 200, body: { status: "ok" } });
    } finally {
      await server.close();
    }
  });

  (postgres ? it.skip : it)("/readyz answers 503 on a read-only SQLite file before any user write, while /livez answers 200", async () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-readonly-"));
    const file = path.join(directory, "contacts.sqlite");
    let undo = () => undefined as void;
    let server: TestServer | null = null;
    try {
      const setUp = await Database.open({ databaseUrl: `sqlite:${file}` });
      await setUp.migrate();
      await setUp.close();
      undo = makeReadOnly(file);
      server = await startTestServer({ databaseUrl: `sqlite:${file}` });
      const ready = await probe(server, "/readyz");
      expect(ready.status).to.equal(503);
      expect(ready.body).to.deep.equal({ status: "unavailable", reads: "ok", writes: "failing" });
      expect((await probe(server, "/livez")).status).to.equal(200);
      // A new caller's first request stores the caller: refused, with 503 and nothing but SERVICE_UNAVAILABLE.
      const response = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await tokenFor("reader@example.com")}` },
        body: JSON.stringify({ query: "{ viewer { email } }" }),
      });
      expect(response.status).to.equal(503);
      expect(response.headers.get("retry-after")).to.equal("5");
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors.map((error) => error.extensions.code)).to.deep.equal(["SERVICE_UNAVAILABLE"]);
    } finally {
      await server?.close();
      undo();
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it("while draining: /readyz answers 503 at once, requests are still answered with Connection: close, and /livez stays 200", async () => {
    const server = await startTestServer();
    try {
      const token = await tokenFor("drain@example.com");
      void server.app.drain.drain(60_000);
      expect(await probe(server, "/readyz")).to.deep.include({ status: 503, body: { status: "draining" } });
      expect((await probe(server, "/livez")).status).to.equal(200);
      const response = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ viewer { email } }" }),
      });
      expect(response.status).to.equal(200);
      expect(response.headers.get("connection")).to.equal("close");
      expect(((await response.json()) as { data: { viewer: { email: string } } }).data.viewer.email).to.equal("drain@example.com");
    } finally {
      await server.app.drain.close(1000);
      await server.close();
    }
  });

  it("after the listener closes, answers a request on a connection accepted just before, instead of resetting it", async () => {
    const server = await startTestServer();
    const { port } = server.app.httpServer.address() as net.AddressInfo;
    // Connected, but its request not yet sent: the moment a proxy has connected and is writing.
    const socket = net.connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    await new Promise((resolve) => setTimeout(resolve, 100));
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
    const ended = new Promise<string>((resolve) => {
      socket.once("close", () => resolve("closed"));
      socket.once("error", (error) => resolve(`error ${String(error)}`));
    });
    try {
      const closing = server.app.drain.close(5000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.app.httpServer.listening, "the listener is closed").to.equal(false);
      socket.write("GET /livez HTTP/1.1\r\nHost: test\r\n\r\n");
      expect(await ended).to.equal("closed");
      expect(received).to.match(/^HTTP\/1\.1 200 OK/);
      expect(received).to.match(/connection: close/i);
      expect(await closing, "connections left to destroy").to.equal(0);
    } finally {
      socket.destroy();
      await server.close();
    }
  });
});
