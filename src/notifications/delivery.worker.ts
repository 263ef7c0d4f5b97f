import type { Database } from "../database";
import type { DeliverySettings } from "../config";
import { DeliveryKind, DeliveryState, DeliveryStatus, NotificationDelivery } from "./notification-delivery.entity";
import { dueDeliveries } from "./delivery.queries";
import { logFileTransport, smtpTransport, type MailTransport } from "./mail-transport";
import { TOKEN_PLACEHOLDER, type VerificationTokens } from "../verification/verification-tokens";

export interface DeliveryWorkerOptions {
  /** How often to look for due messages when idle. */
  pollMs: number;
  /** Attempts per message before it is marked FAILED. */
  maxAttempts: number;
  /** Wait before the second attempt; doubled for each one after. */
  retryBaseMs: number;
  /** Derives each verification message's token as it is sent. */
  tokens: VerificationTokens;
  /** Messages claimed per round. */
  batchSize?: number;
  /** How long a claimed message is left alone by other workers while it is being sent. */
  leaseMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/** What a verification message queued before tokens were derived at send time keeps once sent: its text held the token. */
const LEGACY_VERIFICATION_BODY = "(The text of this verification message is not kept: it carried a token.)";

/** The longest error text kept on a message. */
const ERROR_LENGTH = 1000;

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim().slice(0, ERROR_LENGTH) || "Unknown error";
}

/** Once a message is done with, a verification queued before tokens were derived at send time loses its text. */
function finalBody(message: NotificationDelivery): { body?: string } {
  return message.kind === DeliveryKind.VERIFICATION && message.tokenNonce === null ? { body: LEGACY_VERIFICATION_BODY } : {};
}

/**
 * Drains the outbox: sends each due message, marks it SENT, or schedules another attempt with
 * exponential backoff until `maxAttempts`, then FAILED. Every result also updates the recipient's
 * delivery status, which contact health reads. Claims are conditional updates, so several server
 * processes can run a worker against one database without sending a message twice.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly db: Database,
    readonly transport: MailTransport,
    private readonly options: DeliveryWorkerOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the round in progress, so no message is left half-recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    this.transport.close();
  }

  /** Sends every message that is due now; returns how many were tried. */
  async runOnce(now = new Date()): Promise<number> {
    const batchSize = this.options.batchSize ?? 20;
    const due = await dueDeliveries(this.db, now, batchSize);
    let tried = 0;
    for (const message of due) {
      if (!(await this.claim(message, now))) continue;
      tried++;
      try {
        await this.transport.send({ to: message.email, subject: message.subject, text: this.textOf(message) });
        await this.record(message, DeliveryState.SENT, null);
      } catch (error) {
        await this.record(message, message.attempts >= this.options.maxAttempts ? DeliveryState.FAILED : DeliveryState.PENDING, describe(error));
      }
    }
    return tried;
  }

  /** The text to send: a verification message gets its token here, and only here. */
  private textOf(message: NotificationDelivery): string {
    if (message.tokenNonce === null) return message.body;
    return message.body.split(TOKEN_PLACEHOLDER).join(this.options.tokens.tokenFor(message.tokenNonce));
  }

  /** Counts the attempt and pushes the message out of other workers' way; false if another worker got it first. */
  private async claim(message: NotificationDelivery, now: Date): Promise<boolean> {
    const leaseUntil = new Date(now.getTime() + (this.options.leaseMs ?? 60_000));
    const result = await this.db.write((manager) =>
      manager.update(
        NotificationDelivery,
        { sequence: message.sequence, attempts: message.attempts, state: DeliveryState.PENDING },
        { attempts: message.attempts + 1, nextAttemptAt: leaseUntil },
      ),
    );
    if (result.affected !== 1) return false;
    message.attempts += 1;
    return true;
  }

  private async record(message: NotificationDelivery, state: DeliveryState.PENDING | DeliveryState.SENT | DeliveryState.FAILED, error: string | null): Promise<void> {
    const now = new Date();
    const retryIn = this.options.retryBaseMs * 2 ** (message.attempts - 1);
    await this.db.write(async (manager) => {
      await manager.update(
        NotificationDelivery,
        { sequence: message.sequence },
        state === DeliveryState.PENDING
          ? { lastError: error, nextAttemptAt: new Date(now.getTime() + retryIn) }
          : { state, lastError: error, sentAt: state === DeliveryState.SENT ? now : null, tokenNonce: null, ...finalBody(message) },
      );
      if (state !== DeliveryState.PENDING) {
        await manager.upsert(DeliveryStatus, { accountId: message.accountId, email: message.email, state, at: now, lastError: error }, [
          "accountId",
          "email",
        ]);
      }
    });
    if (state === DeliveryState.PENDING) this.options.log?.(`Could not send message ${message.sequence} to ${message.email}; trying again in ${retryIn} ms: ${error}`);
    if (state === DeliveryState.FAILED) this.options.log?.(`Gave up on message ${message.sequence} to ${message.email} after ${message.attempts} attempts: ${error}`);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.options.log?.("The delivery worker's round failed; it will try again.", error))
        .then((tried) => this.schedule(tried === (this.options.batchSize ?? 20) ? 0 : this.options.pollMs))
        .finally(() => (this.running = null));
    }, delayMs);
    this.timer.unref();
  }
}

/** The worker main.ts runs, over the transport the settings choose. `log` is told of failed attempts. */
export function startDeliveryWorker(
  db: Database,
  settings: DeliverySettings,
  tokens: VerificationTokens,
  log: (message: string, error?: unknown) => void,
): DeliveryWorker {
  const transport = settings.transport === "smtp" ? smtpTransport(settings.smtpUrl!, settings.mailFrom) : logFileTransport(settings.mailLogFile, settings.mailFrom);
  const worker = new DeliveryWorker(db, transport, {
    pollMs: settings.pollMs,
    maxAttempts: settings.maxAttempts,
    retryBaseMs: settings.retryBaseMs,
    tokens,
    log,
  });
  worker.start();
  return worker;
}
