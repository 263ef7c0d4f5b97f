import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import { Database } from "../src/database";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";
import { createLogger } from "../src/observability/logger";

const postgres = (process.env.TEST_DATABASE_URL ?? "").startsWith("postgres");

async function probe(
  server: TestServer,
  route: string,
): Promise<{ status: number; body: Record<string, unknown>; connection: string | null }> {
  const response = await fetch(server.url.replace(/\/graphql$/, route));
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    connection: response.headers.get("connection"),
  };
}

/**
 * Makes a SQLite file and its WAL unwritable under a running server: immutable (`chattr +i`), which
 * refuses writes through descriptors already open, even for root. Null where that is not possible.
 */
function makeReadOnly(file: string): (() => void) | null {
  const files = [file, `${file}-wal`].filter((each) => fs.existsSync(each));
  try {
    for (const each of files) execFileSync("chattr", ["+i", each], { stdio: "ignore" });
  } catch {
    return null;
  }
  return () => {
    for (const each of files) execFileSync("chattr", ["-i", each], { stdio: "ignore" });
  };
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

  (postgres ? it.skip : it)(
    "/readyz answers 503 on a SQLite file made read-only under the running server, before any user write, while /livez answers 200",
    async function () {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-readonly-"));
      const file = path.join(directory, "contacts.sqlite");
      let undo: () => void = () => undefined;
      let server: TestServer | null = null;
      try {
        const setUp = await Database.open({ databaseUrl: `sqlite:${file}` });
        await setUp.migrate();
        await setUp.close();
        server = await startTestServer({ databaseUrl: `sqlite:${file}` });
        const readOnly = makeReadOnly(file);
        if (!readOnly) return this.skip(); // chattr needs root and a file system that has the flag
        undo = readOnly;
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
    },
  );

  (postgres ? it.skip : it)(
    "logs a database outage once, without a stack, however many requests it fails, and shows it in the metrics",
    async function () {
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-outage-"));
      const file = path.join(directory, "contacts.sqlite");
      const lines: string[] = [];
      const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
      let undo: () => void = () => undefined;
      let server: TestServer | null = null;
      try {
        const setUp = await Database.open({ databaseUrl: `sqlite:${file}` });
        await setUp.migrate();
        await setUp.close();
        server = await startTestServer({ databaseUrl: `sqlite:${file}`, logger, env: { METRICS_TOKEN: "probes-test-metrics-token" } });
        const readOnly = makeReadOnly(file);
        if (!readOnly) return this.skip(); // chattr needs root and a file system that has the flag
        undo = readOnly;
        for (let request = 0; request < 12; request++) {
          const answer = await server.graphql("{ viewer { email } }", {}, await tokenFor(`caller-${request}@example.com`));
          expect(answer.status).to.equal(503);
        }
        const records = lines.map(
          (line) => JSON.parse(line) as { level: string; msg: string; err?: unknown; cause?: { message?: string } },
        );
        const errors = records.filter((record) => record.level === "error");
        expect(errors.map((record) => record.msg)).to.deep.equal([
          "Database unavailable for writes: requests that need them answer SERVICE_UNAVAILABLE.",
        ]);
        expect(JSON.stringify(errors[0])).to.not.contain("stack");
        expect(errors[0]!.cause?.message).to.match(/readonly|I\/O error/i);
        expect(server.logged, "no request's error logged as unexpected").to.deep.equal([]);
        await fetch(server.url.replace(/\/graphql$/, "/verify/not-a-real-token"));
        const metrics = await (
          await fetch(server.url.replace(/\/graphql$/, "/metrics"), { headers: { authorization: "Bearer probes-test-metrics-token" } })
        ).text();
        expect(metrics).to.match(/^contact_points_database_up\{access="write"\} 0$/m);
        expect(metrics).to.match(/^contact_points_database_up\{access="read"\} 1$/m);
        expect(metrics).to.match(
          /^contact_points_database_operation_duration_seconds_count\{operation="write",outcome="unavailable"\} 12$/m,
        );
        expect(metrics).to.match(/^contact_points_build_info\{version="\d+\.\d+\.\d+",node_version="[\d.]+"\} 1$/m);
        expect(metrics).to.match(
          /^contact_points_page_request_duration_seconds_count\{page="confirmation",method="GET",status="\d+"\} 1$/m,
        );
        expect(metrics).to.match(/^contact_points_mail_messages_total\{result="failed"\} \d+$/m);
      } finally {
        await server?.close();
        undo();
        fs.rmSync(directory, { recursive: true, force: true });
      }
    },
  );

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
