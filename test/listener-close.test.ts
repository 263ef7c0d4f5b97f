import net from "node:net";
import { expect } from "chai";
import { freePort, spawnServer } from "./helpers/process";

/** Connections opened all the time, each sending its request the moment it is connected. */
const CLIENTS = 16;
const ROUNDS = Number(process.env.LISTENER_CLOSE_ROUNDS ?? 3);

interface Outcomes {
  /** An answer arrived. */
  answered: number;
  /** The connection was refused: nothing was sent, so a proxy passes the request to its next server. */
  refused: number;
  /** Connected and sent, then closed or reset without an answer: a proxy answers 502 for a POST. */
  lost: string[];
}

/** One connection: connect, send a request at once, read until the server closes. */
function attempt(port: number): Promise<"answered" | "refused" | string> {
  return new Promise((resolve) => {
    let connected = false;
    let received = "";
    const socket = net.connect(port, "127.0.0.1", () => {
      connected = true;
      socket.write("GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    });
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    let error: NodeJS.ErrnoException | null = null;
    socket.on("error", (failure: NodeJS.ErrnoException) => (error = failure));
    socket.on("close", () => {
      if (received.startsWith("HTTP/1.1 200")) resolve("answered");
      else if (!connected && error?.code === "ECONNREFUSED") resolve("refused");
      else
        resolve(`${connected ? "sent, then" : "not connected:"} ${error?.code ?? "closed"} after ${JSON.stringify(received.slice(0, 40))}`);
    });
  });
}

describe("closing the listener on SIGTERM", function () {
  this.timeout(120_000);

  it("resets no connection that sent its request: each is answered or refused before anything is sent", async () => {
    const outcomes: Outcomes = { answered: 0, refused: 0, lost: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const port = await freePort();
      const server = await spawnServer({
        NODE_ENV: "test",
        SEED_DEMO_DATA: "false",
        PORT: String(port),
        SHUTDOWN_DRAIN_SECONDS: "0",
        SHUTDOWN_GRACE_MS: "5000",
      });
      let stopAt = Number.POSITIVE_INFINITY;
      const clients = Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < stopAt) {
          const outcome = await attempt(port);
          if (outcome === "answered") outcomes.answered++;
          else if (outcome === "refused") outcomes.refused++;
          else outcomes.lost.push(outcome);
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      server.child.kill("SIGTERM");
      expect(await server.exited, server.output()).to.equal(0);
      // Long enough for a client whose first SYN was dropped to send it again and be refused.
      stopAt = Date.now() + 1500;
      await Promise.all(clients);
    }
    console.log(`      ${outcomes.answered} answered, ${outcomes.refused} refused, ${outcomes.lost.length} lost over ${ROUNDS} stops`);
    expect(outcomes.answered, "the clients reached the server").to.be.above(100);
    expect(outcomes.refused, "the clients were still connecting when the listener closed").to.be.above(0);
    expect(outcomes.lost, outcomes.lost.slice(0, 5).join("\n")).to.deep.equal([]);
  });
});
