import fs from "node:fs";
import net, { type AddressInfo } from "node:net";
import type http from "node:http";
import type { RequestHandler } from "express";
import type { ReadinessSettings } from "../config";
import type { Database } from "../database";
import { refuseNewConnections } from "./connection-gate";

type Check = "ok" | "failing" | "timed out";

/** What `/readyz` answers; `draining` after SIGTERM. */
export interface ReadinessReport {
  ready: boolean;
  draining: boolean;
  reads: Check | null;
  writes: Check | null;
}

/** Resolves with `fallback` once `ms` have passed, unless `work` settled first. */
function within<T>(work: Promise<T>, ms: number, fallback: T): Promise<T> {
  if (ms <= 0) return Promise.resolve(fallback);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(fallback), ms);
    timer.unref();
    void work.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * Whether this process can take traffic now: not draining, and the database answers a read and
 * commits a real write (`Database.writeProbe`: a 16 KB row, inserted and deleted) within
 * READINESS_TIMEOUT_MS. One probe runs at a time, and its answer is reused for READINESS_CACHE_MS, so
 * many load balancers probing cost one transaction a second at most. A probe still running after the
 * timeout (a frozen database) answers "timed out" at once to every later request.
 */
export class Readiness {
  private draining = false;
  private last: { at: number; report: ReadinessReport } | null = null;
  private running: { started: number; report: Promise<ReadinessReport> } | null = null;

  constructor(
    private readonly db: Database,
    private readonly settings: ReadinessSettings,
  ) {}

  /** From now on the process is not ready, whatever the database says: it is about to stop. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async check(): Promise<ReadinessReport> {
    if (this.draining) return { ready: false, draining: true, reads: null, writes: null };
    const now = Date.now();
    if (this.last && now - this.last.at < this.settings.cacheMs) return this.last.report;
    if (!this.running) {
      const report = this.probe().then((result) => {
        this.last = { at: Date.now(), report: result };
        this.running = null;
        return result;
      });
      this.running = { started: now, report };
    }
    const left = this.settings.timeoutMs - (now - this.running.started);
    return within(this.running.report, left, { ready: false, draining: false, reads: "timed out", writes: "timed out" });
  }

  private async probe(): Promise<ReadinessReport> {
    const outcome = (work: Promise<unknown>): Promise<Check> =>
      work.then(
        () => "ok" as const,
        () => "failing" as const,
      );
    const [reads, writes] = await Promise.all([outcome(this.db.ping()), outcome(this.db.writeProbe())]);
    return { ready: reads === "ok" && writes === "ok", draining: false, reads, writes };
  }
}

/** `GET /livez`: the process serves HTTP. It reads no database, so an outage there never restarts the fleet. */
export const livenessRoute: RequestHandler = (_request, response) => {
  response.set("Cache-Control", "no-store").json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) });
};

/** `GET /readyz`: 200 when the process can read and write now; 503 (saying what fails) otherwise, and while draining. */
export function readinessRoute(readiness: Readiness): RequestHandler {
  return async (_request, response) => {
    const report = await readiness.check();
    response.set("Cache-Control", "no-store");
    if (report.ready) {
      response.json({ status: "ok" });
      return;
    }
    response
      .status(503)
      .json(report.draining ? { status: "draining" } : { status: "unavailable", reads: report.reads, writes: report.writes });
  };
}

/** While draining, every response asks the client to close its connection, so keep-alive connections end after their answer. */
export function closeConnectionsWhileDraining(readiness: Readiness): RequestHandler {
  return (_request, response, next) => {
    if (readiness.isDraining) response.setHeader("Connection", "close");
    next();
  };
}

interface ListenerQueue {
  /** Connections the kernel has completed that no process has accepted yet. */
  queued: number;
  /** Handshakes under way: a SYN answered, its final ACK not yet received. */
  opening: number;
}

/**
 * The queue of the listener at `address`, from Linux's /proc/net/tcp (a listening socket's rx_queue,
 * and the SYN_RECV entries on its port); null where that is not known.
 */
function listenerQueue(address: AddressInfo): ListenerQueue | null {
  const port = address.port.toString(16).toUpperCase().padStart(4, "0");
  const listening = new RegExp(`^ *\\d+: [0-9A-F]+:${port} [0-9A-F]+:0000 0A [0-9A-F]+:([0-9A-F]+)`, "m");
  const opening = new RegExp(`^ *\\d+: [0-9A-F]+:${port} [0-9A-F]+:[0-9A-F]{4} 03 `, "gm");
  let text: string;
  try {
    text = fs.readFileSync(address.family === "IPv6" ? "/proc/net/tcp6" : "/proc/net/tcp", "latin1");
  } catch {
    return null;
  }
  const found = listening.exec(text);
  if (!found) return null;
  return { queued: Number.parseInt(found[1]!, 16), opening: text.match(opening)?.length ?? 0 };
}

/** How long a closing listener waits for queued connections and handshakes under way to be accepted. */
const ACCEPT_WAIT_MS = 2000;

/**
 * Closes the listening socket without resetting a connection. Closing it resets every connection
 * still queued there, and a proxy that already sent a POST on one answers 502 without trying
 * another server. So new connections are refused first (see connection-gate.ts), the process
 * accepts what is queued and what is still completing its handshake, and only then the listener
 * closes. Where new connections cannot be refused, it closes as soon as the accept queue is empty.
 */
async function closeListener(server: http.Server): Promise<void> {
  const address = server.address();
  if (address !== null && typeof address === "object") {
    const gated = refuseNewConnections(server);
    const deadline = Date.now() + ACCEPT_WAIT_MS;
    while (Date.now() < deadline) {
      const queue = listenerQueue(address);
      if (queue === null || queue.queued + (gated ? queue.opening : 0) === 0) break;
      // Queued connections are accepted on the next turn of the event loop; a handshake takes a round trip.
      await new Promise((resolve) => (queue.queued > 0 ? setImmediate(resolve) : setTimeout(resolve, 1)));
    }
  }
  // http.Server's own close() would also destroy connections accepted a moment ago whose request is still on its way.
  if (server.listening) net.Server.prototype.close.call(server);
}

interface SocketUse {
  inFlight: number;
  answered: number;
}

/**
 * The HTTP server's part of a rolling restart. `drain` keeps serving for a while with readiness
 * failing and `Connection: close` on every answer; `close` then stops accepting, closes keep-alive
 * connections that sit idle, lets in-flight requests finish, and gives a connection accepted just
 * before the listener closed the chance to send its request and be answered. Node's own
 * `server.close()` would destroy that connection at once: a proxy that had already sent a POST
 * on it would answer 502.
 */
export class HttpDrain {
  private readonly sockets = new Map<net.Socket, SocketUse>();
  /** Run once the listener has closed: close connections no request ends (WebSockets). */
  readonly closers: (() => Promise<void>)[] = [];

  constructor(
    private readonly server: http.Server,
    private readonly readiness: Readiness,
  ) {
    server.on("connection", (socket: net.Socket) => {
      this.sockets.set(socket, { inFlight: 0, answered: 0 });
      socket.once("close", () => this.sockets.delete(socket));
    });
    server.on("request", (request: http.IncomingMessage, response: http.ServerResponse) => {
      const use = this.sockets.get(request.socket);
      if (!use) return;
      use.inFlight++;
      response.once("close", () => {
        use.inFlight--;
        use.answered++;
      });
    });
  }

  /** Readiness fails at once; requests are still served for `ms`. */
  async drain(ms: number): Promise<void> {
    this.readiness.startDraining();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /**
   * Stops accepting connections and waits, for at most `graceMs`, until every connection has ended;
   * then destroys those left. Resolves with how many had to be destroyed.
   */
  async close(graceMs: number): Promise<number> {
    this.readiness.startDraining();
    await closeListener(this.server);
    // Long-lived connections (WebSockets) are told to go away rather than waited for.
    await Promise.all(this.closers.map((closer) => closer()));
    for (const [socket, use] of this.sockets) {
      if (use.inFlight === 0 && use.answered > 0) socket.end();
    }
    const deadline = Date.now() + graceMs;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      // A keep-alive connection that finished its last request during the wait.
      for (const [socket, use] of this.sockets) if (use.inFlight === 0 && use.answered > 0) socket.end();
    }
    const left = this.sockets.size;
    for (const socket of this.sockets.keys()) socket.destroy();
    return left;
  }
}
