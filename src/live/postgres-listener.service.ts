import type pg from "pg";
import type { Database } from "../database";
import { ACCOUNT_EVENTS_CHANNEL } from "../events/change-log.queries";
import type { AccountFeed } from "./account-feed.service";

/** How pg_stat_activity names the connection: an operator (or a test) can find it, and end it, by this. */
export const LISTENER_APPLICATION_NAME = "contact-points-listener";

/** The wait before reconnecting doubles from the first to the last. */
const BACKOFF_MS = { first: 100, last: 5000 };

/**
 * One dedicated PostgreSQL connection per process, outside the pool, that LISTENs for the events every
 * process commits (`pg_notify` in the change's transaction, delivered on commit) and feeds them to this
 * process's subscribers. When it drops it reconnects with backoff; notifications sent meanwhile are
 * lost, so once it listens again every subscription reads again from its last delivered sequence.
 */
export class PostgresListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs = BACKOFF_MS.first;
  /** Times the connection was (re)established: the first is the start. */
  connects = 0;

  constructor(
    private readonly db: Database,
    private readonly feed: AccountFeed,
    private readonly log: { warn(message: string): void; info(message: string): void },
  ) {}

  /** Connects (and keeps reconnecting in the background if that fails). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    let failed = false;
    let current: pg.Client | null = null;
    const lost = (error?: unknown) => {
      if (failed) return;
      failed = true;
      if (current && this.client === current) this.client = null;
      current?.removeAllListeners("notification");
      current?.end().catch(() => undefined);
      if (this.closed) return;
      this.log.warn(
        `The PostgreSQL listener connection for live updates was lost${error instanceof Error ? ` (${error.message})` : ""}; reconnecting in ${this.backoffMs} ms.`,
      );
      this.schedule();
    };
    try {
      const client = await this.db.listen(ACCOUNT_EVENTS_CHANNEL, LISTENER_APPLICATION_NAME, (client) => {
        current = client;
        client.on("error", lost);
        client.on("end", () => lost());
        client.on("notification", (message) => {
          if (message.channel !== ACCOUNT_EVENTS_CHANNEL || !message.payload) return;
          const separator = message.payload.lastIndexOf(":");
          const sequence = Number(message.payload.slice(separator + 1));
          if (separator > 0 && Number.isInteger(sequence)) this.feed.notify({ accountId: message.payload.slice(0, separator), sequence });
        });
      });
      if (!client) return;
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
    } catch (error) {
      lost(error);
      return;
    }
    if (failed) return;
    this.backoffMs = BACKOFF_MS.first;
    if (this.connects++ > 0)
      this.log.info("The PostgreSQL listener for live updates is connected again; subscriptions read what they missed.");
    // Whatever was committed while no one listened is read now.
    this.feed.catchUpAll();
  }

  private schedule(): void {
    if (this.retry || this.closed) return;
    const wait = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MS.last);
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, wait);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
