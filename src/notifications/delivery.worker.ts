import type { Database } from "../database";
import type { DeliverySettings } from "../config";
import { DeliveryKind, DeliveryState, DeliveryStatus, NotificationDelivery } from "./notification-delivery.entity";
import { dueDeliveries } from "./delivery.queries";
import { logFileTransport, smtpTransport, type MailTransport } from "./mail-transport";
import { TOKEN_PLACEHOLDER, type VerificationTokens } from "../verification/verification-tokens";
import { classifyDeliveryError, loggedErrorText, storedFailure } from "./delivery-errors";
import { countMailOutcome } from "../common/mail-outcomes";
import { PollingLoop } from "../common/polling-loop";

export interface DeliveryWorkerOptions {
  /** How often to look for due messages when idle. */
  pollMs: number;
  /** Attempts per message before it is marked FAILED. */
  maxAttempts: number;
  /** Wait before the second attempt; doubled for each one after. */
  retryBaseMs: number;
  /** Derives each verification message's token as it is sent. */
  tokens: VerificationTokens;
  /** Messages sent at once, so one slow or hung conversation with the mail server does not hold up the rest. */
  concurrency?: number;
  /** Messages claimed per round (at least `concurrency`). */
  batchSize?: number;
  /** How long a claimed message is left alone by other workers while it is being sent. */
  leaseMs?: number;
  /** How long `stop` waits for sends in flight before leaving them to their lease. */
  stopWaitMs?: number;
  log?: (message: string, error?: unknown) => void;
}

/** What a verification message queued before tokens were derived at send time keeps once sent: its text held the token. */
const LEGACY_VERIFICATION_BODY = "(The text of this verification message is not kept: it carried a token.)";

/** Once a message is done with, a verification queued before tokens were derived at send time loses its text. */
function finalBody(message: NotificationDelivery): { body?: string } {
  return message.kind === DeliveryKind.VERIFICATION && message.tokenNonce === null ? { body: LEGACY_VERIFICATION_BODY } : {};
}

/**
 * Drains the outbox: sends each due message, marks it SENT, or schedules another attempt with
 * exponential backoff until `maxAttempts`, then FAILED. Every result also updates the recipient's
 * delivery status, which contact health reads. Claims are conditional updates, so several server
 * processes can run a worker against one database without sending a message twice. Up to
 * `concurrency` messages are sent at once.
 */
export class DeliveryWorker {
  private readonly loop: PollingLoop;
  /** Set by `stop`: no further message is claimed. */
  private stopRequested = false;
  /** Set when `stop` stopped waiting: a send still in flight is not recorded, and its lease lets it be tried again. */
  private abandoned = false;
  private inFlight = 0;

  constructor(
    private readonly db: Database,
    readonly transport: MailTransport,
    private readonly options: DeliveryWorkerOptions,
  ) {
    this.loop = new PollingLoop(async () => (await this.runOnce()) >= this.batchSize, {
      pollMs: options.pollMs,
      stopWaitMs: options.stopWaitMs ?? 2_000,
      onRoundError: (error) => options.log?.("The delivery worker's round failed; it will try again.", error),
    });
  }

  start(): void {
    this.stopRequested = false;
    this.abandoned = false;
    this.loop.start();
  }

  /**
   * Stops claiming messages and waits for the sends in flight, for at most `stopWaitMs`: a mail server
   * that never answers cannot hold up shutdown. A send left behind stays PENDING and is tried again once
   * its lease ends (it may then reach its recipient twice).
   */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (!(await this.loop.stop())) {
      this.abandoned = true;
      this.options.log?.(
        `Stopped while ${this.inFlight} message(s) were still being sent; they will be tried again when their lease ends.`,
      );
    }
    this.transport.close();
  }

  /** Sends every message that is due now, `concurrency` at a time; returns how many were tried. */
  async runOnce(now = new Date()): Promise<number> {
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    const due = await dueDeliveries(this.db, now, Math.max(this.batchSize, concurrency));
    let next = 0;
    let tried = 0;
    const lane = async () => {
      while (!this.stopRequested && next < due.length) {
        const message = due[next++]!;
        if (!(await this.claim(message, now))) continue;
        tried++;
        await this.deliver(message);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, due.length) }, lane));
    return tried;
  }

  private get batchSize(): number {
    return Math.max(this.options.batchSize ?? 20, this.options.concurrency ?? 1);
  }

  private async deliver(message: NotificationDelivery): Promise<void> {
    let failure: unknown = null;
    this.inFlight++;
    try {
      await this.transport.send({ to: message.email, subject: message.subject, text: this.textOf(message) });
    } catch (error) {
      failure = error ?? new Error("Unknown error");
    } finally {
      this.inFlight--;
    }
    if (this.abandoned) return;
    if (failure === null) await this.record(message, DeliveryState.SENT, null);
    else await this.record(message, message.attempts >= this.options.maxAttempts ? DeliveryState.FAILED : DeliveryState.PENDING, failure);
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

  /** Members read the classified failure; the log gets the full error, without recipient addresses. */
  private async record(
    message: NotificationDelivery,
    state: DeliveryState.PENDING | DeliveryState.SENT | DeliveryState.FAILED,
    failure: unknown,
  ): Promise<void> {
    const now = new Date();
    const retryIn = this.options.retryBaseMs * 2 ** (message.attempts - 1);
    const error = failure === null ? null : storedFailure(classifyDeliveryError(failure));
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
    countMailOutcome(state === DeliveryState.SENT ? "sent" : state === DeliveryState.FAILED ? "failed" : "retry");
    if (failure === null) return;
    const why = loggedErrorText(failure);
    if (state === DeliveryState.PENDING)
      this.options.log?.(
        `Could not send message ${message.sequence} (attempt ${message.attempts} of ${this.options.maxAttempts}); trying again in ${retryIn} ms: ${why}`,
      );
    if (state === DeliveryState.FAILED)
      this.options.log?.(`Gave up on message ${message.sequence} after ${message.attempts} attempts: ${why}`);
  }
}

/** The worker main.ts runs, over the transport the settings choose. `log` is told of failed attempts. */
export function startDeliveryWorker(
  db: Database,
  settings: DeliverySettings,
  tokens: VerificationTokens,
  log: (message: string, error?: unknown) => void,
): DeliveryWorker {
  const transport =
    settings.transport === "smtp"
      ? smtpTransport(settings.smtpUrl!, settings.mailFrom, settings.smtpTimeoutMs)
      : logFileTransport(settings.mailLogFile, settings.mailFrom);
  const worker = new DeliveryWorker(db, transport, {
    pollMs: settings.pollMs,
    maxAttempts: settings.maxAttempts,
    retryBaseMs: settings.retryBaseMs,
    concurrency: settings.concurrency,
    // A claimed message must outlast every timeout of one send (connect, greeting, each reply).
    leaseMs: Math.max(60_000, settings.smtpTimeoutMs * 6),
    tokens,
    log,
  });
  worker.start();
  return worker;
}
