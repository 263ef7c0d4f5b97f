import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import WebSocket from "ws";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";
import { accountWithMembers, ok } from "./helpers/factories";
import { wsUrl } from "./helpers/live";

/*
 * What a hostile or careless client does to the WebSocket endpoint, spoken in raw graphql-ws
 * messages: trusted documents hold over the socket as over HTTP, a flood of messages closes the
 * socket, and bad arguments are the client's error (BAD_USER_INPUT), not the server's.
 */

interface Message {
  type: string;
  id?: string;
  payload?: { data?: Record<string, any>; errors?: { extensions?: { code?: string } }[] } & { extensions?: { code?: string } }[];
}

/** A raw graphql-ws socket, initialised with `token`; `messages` collects what the server sends. */
async function rawSocket(
  server: TestServer,
  token: string,
): Promise<{ socket: WebSocket; messages: Message[]; closed: Promise<number>; next: (id: string) => Promise<Message> }> {
  const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
  const messages: Message[] = [];
  const closed = new Promise<number>((resolve) => socket.once("close", resolve));
  socket.on("message", (data) => messages.push(JSON.parse(String(data)) as Message));
  await new Promise((resolve) => socket.once("open", resolve));
  socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
  const deadline = Date.now() + 10_000;
  while (!messages.some((message) => message.type === "connection_ack")) {
    if (Date.now() > deadline) throw new Error(`no connection_ack: ${JSON.stringify(messages)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const next = async (id: string): Promise<Message> => {
    const until = Date.now() + 10_000;
    for (;;) {
      const found = messages.find((message) => message.id === id && (message.type === "next" || message.type === "error"));
      if (found) return found;
      if (Date.now() > until) throw new Error(`nothing for ${id}: ${JSON.stringify(messages)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  return { socket, messages, closed, next };
}

const codeOf = (message: Message): string | undefined =>
  message.type === "error"
    ? (message.payload as unknown as { extensions?: { code?: string } }[])[0]?.extensions?.code
    : message.payload?.errors?.[0]?.extensions?.code;

describe("the WebSocket endpoint against hostile and careless clients", function () {
  this.timeout(60_000);

  describe("with TRUSTED_DOCUMENTS=only", () => {
    const SUBSCRIBE =
      "subscription Live($accountId: ID!, $afterSequence: Int) { accountChanged(accountId: $accountId, afterSequence: $afterSequence) { sequence } }";
    const CREATE = "mutation Create($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }";
    let directory: string;
    let server: TestServer;

    before(async () => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-trusted-ws-"));
      const manifest = path.join(directory, "manifest.json");
      fs.writeFileSync(manifest, JSON.stringify({ live: SUBSCRIBE, create: CREATE }));
      server = await startTestServer({ env: { TRUSTED_DOCUMENTS: "only", TRUSTED_DOCUMENTS_MANIFEST: manifest } });
    });
    after(async () => {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    });

    it("refuses a subscription text no manifest holds, and runs the manifest's subscription by id", async () => {
      const token = await tokenFor("trusted-ws@example.com");
      const response = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ documentId: "create", variables: { input: { name: "Live" } } }),
      });
      const accountId = ((await response.json()) as { data: { createAccount: { account: { id: string } } } }).data.createAccount.account.id;
      const { socket, next } = await rawSocket(server, token);
      const text = `subscription { accountChanged(accountId: "${accountId}", afterSequence: 0) { sequence account { name } } }`;
      socket.send(JSON.stringify({ id: "text", type: "subscribe", payload: { query: text } }));
      expect(codeOf(await next("text"))).to.equal("TRUSTED_DOCUMENT_REQUIRED");
      socket.send(JSON.stringify({ id: "unknown", type: "subscribe", payload: { query: "", documentId: "sha256:00" } }));
      expect(codeOf(await next("unknown"))).to.equal("PERSISTED_QUERY_NOT_FOUND");
      socket.send(
        JSON.stringify({
          id: "byId",
          type: "subscribe",
          payload: { query: "", documentId: "live", variables: { accountId, afterSequence: 0 } },
        }),
      );
      const first = await next("byId");
      expect(first.type).to.equal("next");
      expect(first.payload?.data).to.deep.equal({ accountChanged: { sequence: 1 } });
      socket.close();
    });
  });

  describe("limits on what one socket sends", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { WS_MAX_MESSAGES_PER_SECOND: "5" } });
    });
    after(() => server.close());

    it("closes a socket that floods messages (subscribe and complete, pings) with 1008, and keeps one that does not", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "flood");
      const polite = await rawSocket(server, admin.token);
      for (let index = 0; index < 20; index++) polite.socket.send(JSON.stringify({ type: "ping" }));
      const flood = await rawSocket(server, admin.token);
      for (let index = 0; index < 500; index++) {
        if (flood.socket.readyState !== WebSocket.OPEN) break;
        flood.socket.send(
          JSON.stringify({
            id: `c${index}`,
            type: "subscribe",
            payload: { query: `subscription { accountChanged(accountId: "${account.id}") { sequence } }` },
          }),
        );
        flood.socket.send(JSON.stringify({ id: `c${index}`, type: "complete" }));
      }
      expect(await flood.closed).to.equal(1008);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(polite.socket.readyState).to.equal(WebSocket.OPEN);
      polite.socket.close();
    });

    it("answers bad arguments with BAD_USER_INPUT, as HTTP does: a negative or out-of-range afterSequence, a null accountId", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "args");
      const { socket, next } = await rawSocket(server, admin.token);
      const query =
        "subscription($accountId: ID!, $afterSequence: Int) { accountChanged(accountId: $accountId, afterSequence: $afterSequence) { sequence } }";
      const cases: [string, Record<string, unknown>][] = [
        ["negative", { accountId: account.id, afterSequence: -1 }],
        ["too big", { accountId: account.id, afterSequence: 2 ** 31 }],
        ["fraction", { accountId: account.id, afterSequence: 1.5 }],
        ["null id", { accountId: null }],
        ["object id", { accountId: { a: 1 } }],
      ];
      for (const [id, variables] of cases) {
        socket.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables } }));
        expect(codeOf(await next(id)), id).to.equal("BAD_USER_INPUT");
      }
      expect(server.logged, "nothing logged as unexpected").to.deep.equal([]);
      socket.close();
      ok(await server.graphql("{ viewer { id } }", {}, admin.token));
    });
  });
});
