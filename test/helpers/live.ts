import { createClient, type Client, type FormattedExecutionResult as ExecutionResult } from "graphql-ws";
import WebSocket from "ws";

/** How a socket ended: its close code and reason. */
export interface SocketClose {
  code: number;
  reason: string;
}

export interface LiveClient {
  client: Client;
  /** Resolves when the server acknowledged connection_init. */
  connected: Promise<void>;
  /** Resolves with the first close of the socket. */
  closed: Promise<SocketClose>;
  dispose(): Promise<void>;
}

/** The WebSocket URL of a test server's GraphQL endpoint. */
export function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, "ws");
}

/**
 * A graphql-ws client over `ws`, connecting at once, never retrying (a test sees every close),
 * authenticating with `token` (none when null); `headers` go on the upgrade request (Origin, say).
 */
export function liveClient(httpUrl: string, token: string | null, headers: Record<string, string> = {}): LiveClient {
  let connected!: () => void;
  let closed!: (close: SocketClose) => void;
  const connectedPromise = new Promise<void>((resolve) => (connected = resolve));
  const closedPromise = new Promise<SocketClose>((resolve) => (closed = resolve));
  class HeaderSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  const client = createClient({
    url: wsUrl(httpUrl),
    webSocketImpl: HeaderSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
    on: {
      connected: () => connected(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closed({ code, reason: String(reason) });
      },
    },
    onNonLazyError: () => undefined,
  });
  return { client, connected: connectedPromise, closed: closedPromise, dispose: async () => client.dispose() };
}

/** What a subscription has received so far, and how it ended. */
export class Received<TData = Record<string, any>> {
  readonly results: ExecutionResult<TData, unknown>[] = [];
  completed = false;
  error: unknown = null;
  private wakers: (() => void)[] = [];
  readonly unsubscribe: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown> = {}) {
    this.unsubscribe = client.subscribe<TData>(
      { query, variables },
      {
        next: (result) => {
          this.results.push(result);
          this.wake();
        },
        error: (error) => {
          this.error = error;
          this.completed = true;
          this.wake();
        },
        complete: () => {
          this.completed = true;
          this.wake();
        },
      },
    );
  }

  private wake(): void {
    for (const waker of this.wakers.splice(0)) waker();
  }

  /** Waits until `done()` holds (or fails after `timeoutMs`, saying what was received). */
  async until(done: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `Timed out waiting for ${what}; received ${JSON.stringify(this.results)}, completed ${this.completed}, error ${JSON.stringify(this.error)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.wakers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for at least `count` results. */
  async count(count: number, timeoutMs?: number): Promise<ExecutionResult<TData, unknown>[]> {
    await this.until(() => this.results.length >= count, `${count} results`, timeoutMs);
    return this.results;
  }

  async end(timeoutMs?: number): Promise<void> {
    await this.until(() => this.completed, "the end of the subscription", timeoutMs);
  }
}
