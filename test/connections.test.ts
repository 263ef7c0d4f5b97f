import { expect } from "chai";
import net from "node:net";
import { loadConfig } from "../src/config";
import { startTestServer, type TestServer } from "./helpers/server";
import { waitFor } from "./helpers/smtp";

/** A client that sends its request a byte at a time, as long as the server lets it; resolves with what the server answered once it closes. */
function slowClient(port: number, request: string, everyMs = 50): { closed: Promise<string>; socket: net.Socket } {
  const socket = net.connect(port, "127.0.0.1");
  let answer = "";
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < request.length && socket.writable) socket.write(request[sent++]!);
  }, everyMs);
  socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
  socket.on("error", () => {});
  const closed = new Promise<string>((resolve) =>
    socket.on("close", () => {
      clearInterval(timer);
      resolve(answer);
    }),
  );
  return { closed, socket };
}

const BODY = JSON.stringify({ query: "{ __typename }" }).padEnd(4000, " ");
const SLOW_HEADERS = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Filler: ${"x".repeat(4000)}\r\n\r\n`;
const SLOW_BODY_HEAD = `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n`;

function portOf(server: TestServer): number {
  return Number(new URL(server.url).port);
}

/** A plain request on a connection of its own; resolves with the status line. */
function request(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () =>
      socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    );
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => resolve(answer.split("\r\n")[0] ?? ""));
  });
}

describe("slow clients and connection counts", () => {
  it("has defaults that cut a slow request within a minute and cap connections", () => {
    const { connections } = loadConfig({ NODE_ENV: "test" });
    expect(connections.headersTimeoutMs).to.be.at.most(connections.requestTimeoutMs);
    expect(connections.requestTimeoutMs).to.be.at.most(60_000);
    expect(connections.maxConnections).to.be.within(1, 10_000);
  });

  it("refuses a header timeout longer than the request timeout, naming both settings", () => {
    expect(() => loadConfig({ NODE_ENV: "test", HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "10000" })).to.throw(
      /HTTP_HEADERS_TIMEOUT_MS.*HTTP_REQUEST_TIMEOUT_MS/,
    );
  });

  describe("with short deadlines", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({
        env: { HTTP_HEADERS_TIMEOUT_MS: "400", HTTP_REQUEST_TIMEOUT_MS: "800", HTTP_KEEP_ALIVE_TIMEOUT_MS: "300" },
      });
    });
    after(() => server.close());

    it("cuts clients that trickle their headers or their body, however steadily, with 408", async () => {
      const port = portOf(server);
      // Each keeps sending a byte every 50 ms: an idle timer alone would never fire.
      const clients = [
        ...Array.from({ length: 10 }, () => slowClient(port, SLOW_HEADERS)),
        ...Array.from({ length: 10 }, () => slowClient(port, SLOW_BODY_HEAD + BODY)),
      ];
      const answers = await waitFor(
        "every slow client to be cut",
        async () => {
          const settled = await Promise.race([
            Promise.all(clients.map((client) => client.closed)),
            new Promise<null>((resolve) => setTimeout(() => resolve(null), 100)),
          ]);
          return settled;
        },
        15_000,
      );
      for (const answer of answers) expect(answer).to.match(/^HTTP\/1\.1 408 /);
      expect(await request(port)).to.match(/^HTTP\/1\.1 200 /);
    });

    it("closes an idle keep-alive connection", async () => {
      const port = portOf(server);
      const client = slowClient(port, "", 1000);
      client.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      const answer = await waitFor(
        "the idle connection to be closed",
        () => Promise.race([client.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 100))]),
        15_000,
      );
      expect(answer).to.match(/^HTTP\/1\.1 200 /);
    });
  });

  describe("with a cap of three connections", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { HTTP_MAX_CONNECTIONS: "3" } });
    });
    after(() => server.close());

    it("closes a fourth connection unanswered while three are held, and serves again once one ends", async () => {
      const port = portOf(server);
      const held = Array.from({ length: 3 }, () => slowClient(port, SLOW_HEADERS, 200));
      await Promise.all(held.map((client) => new Promise((resolve) => client.socket.once("connect", resolve))));
      // The server counts a connection once it has accepted it; one trip through it makes sure all three are counted.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const extra = slowClient(port, SLOW_HEADERS);
      expect(await extra.closed, "the refused connection got an answer").to.equal("");
      held[0]!.socket.destroy();
      await held[0]!.closed;
      expect(await waitFor("a free connection", async () => (await request(port)) || null)).to.match(/^HTTP\/1\.1 200 /);
      for (const client of held) client.socket.destroy();
    });
  });
});
