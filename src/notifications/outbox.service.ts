import type { EntityManager } from "typeorm";
import type { Config } from "../config";
import { DeliveryKind, DeliveryState, NotificationDelivery, type DeliverySkipReason } from "./notification-delivery.entity";
import type { NotificationCategory } from "../contacts/notification-routing";
import { cappedQueuedAt, countCapped, lockAddress, type CapScope } from "./delivery.queries";
import { DomainError } from "../errors";
import { VerificationTokens } from "../verification/verification-tokens";
import { mailboxOf } from "../common/email";
import { ConfirmationLinks } from "../verification/confirmation-links";

export interface OutgoingMessage {
  accountId: string;
  kind: DeliveryKind;
  category?: NotificationCategory | null;
  email: string;
  subject: string;
  body: string;
  requestedById?: string | null;
  /** Set when the recipient's address is not confirmed: the message is recorded as SKIPPED and never sent. */
  skipReason?: DeliverySkipReason | null;
  /** For a verification message: the nonce the worker derives its token from as it sends it. */
  tokenNonce?: string | null;
}

/** How much mail may go out; each cap is counted from the outbox itself, so every server process agrees. */
export interface OutboxLimits {
  /** Messages of any kind one account may cause in an hour; 0 for no limit. */
  perAccountPerHour: number;
  /** Verification messages one address may receive in a day, whichever accounts name it; 0 for no limit. */
  verificationsPerAddressPerDay: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

function mailRateLimited(
  key: "RATE_LIMITED.accountMailCap" | "RATE_LIMITED.addressVerificationCap",
  limit: number,
  retryAfterSeconds: number,
): DomainError {
  return new DomainError(key, { limit, retryAfter: retryAfterSeconds }, { retryAfterSeconds });
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/**
 * Seconds until `adding` more messages fit under `limit` within the window, counting the messages
 * the cap counts; 0 when they fit now.
 */
async function waitForRoom(
  manager: EntityManager,
  scope: CapScope,
  limit: number,
  adding: number,
  windowMs: number,
  now: Date,
): Promise<number> {
  if (limit === 0 || adding === 0) return 0;
  const since = new Date(now.getTime() - windowMs);
  const over = (await countCapped(manager, scope, since)) + adding - limit;
  if (over <= 0) return 0;
  if (adding > limit) return Math.ceil(windowMs / 1000);
  // Room comes when the oldest `over` messages in the window have left it.
  const leaves = (await cappedQueuedAt(manager, scope, since, over - 1)).getTime() + windowMs;
  return Math.max(1, Math.ceil((leaves - now.getTime()) / 1000));
}

/**
 * Where messages are queued, and the rules for queueing them: the caps, and the key verification
 * tokens are derived from. One per process, built from the configuration.
 */
export class Outbox {
  constructor(
    readonly limits: OutboxLimits,
    readonly tokens: VerificationTokens,
    /** Where a verification message's link points. */
    readonly links: ConfirmationLinks,
  ) {}

  /** `listeningPort` tells the default PUBLIC_URL the port actually listened on. */
  static fromConfig(config: Config, listeningPort?: () => number | null): Outbox {
    const { perAccountPerHour, verificationsPerAddressPerDay } = config.delivery;
    return new Outbox(
      { perAccountPerHour, verificationsPerAddressPerDay },
      new VerificationTokens(config.jwtSecret),
      new ConfirmationLinks(config, listeningPort),
    );
  }

  /**
   * Queues messages in the caller's transaction: they are sent only if the change that caused them
   * commits, and not lost if the process stops before sending them. All or nothing: when those to be
   * sent would take their account, or a verification's address, past its cap, none is queued and
   * RATE_LIMITED rolls the whole change back.
   */
  async enqueue(manager: EntityManager, messages: OutgoingMessage[], now = new Date()): Promise<NotificationDelivery[]> {
    await this.checkCaps(
      manager,
      messages.filter((message) => !message.skipReason),
      now,
    );
    const rows: NotificationDelivery[] = [];
    for (const message of messages) {
      const row = manager.create(NotificationDelivery, {
        accountId: message.accountId,
        kind: message.kind,
        category: message.category ?? null,
        email: message.email,
        mailbox: mailboxOf(message.email),
        subject: message.subject.slice(0, 300),
        body: message.body,
        state: message.skipReason ? DeliveryState.SKIPPED : DeliveryState.PENDING,
        skipReason: message.skipReason ?? null,
        attempts: 0,
        lastError: null,
        createdAt: now,
        nextAttemptAt: now,
        sentAt: null,
        requestedById: message.requestedById ?? null,
        tokenNonce: message.tokenNonce ?? null,
      });
      rows.push(await manager.save(NotificationDelivery, row));
    }
    return rows;
  }

  private async checkCaps(manager: EntityManager, sending: OutgoingMessage[], now: Date): Promise<void> {
    const { perAccountPerHour, verificationsPerAddressPerDay } = this.limits;
    // Changes to one account hold its lock (see AccountChange), so counts per account do not race.
    for (const [accountId, count] of countBy(sending, (message) => message.accountId)) {
      const wait = await waitForRoom(manager, { accountId }, perAccountPerHour, count, HOUR_MS, now);
      if (wait > 0) throw mailRateLimited("RATE_LIMITED.accountMailCap", perAccountPerHour, wait);
    }
    if (verificationsPerAddressPerDay === 0) return;
    // Invitations go to people who have not agreed to anything yet, like verifications: capped per mailbox too.
    const verifications = sending.filter(
      (message) => message.kind === DeliveryKind.VERIFICATION || message.kind === DeliveryKind.INVITATION,
    );
    for (const [mailbox, count] of countBy(verifications, (message) => mailboxOf(message.email))) {
      await lockAddress(manager, mailbox);
      const wait = await waitForRoom(manager, { verificationsTo: mailbox }, verificationsPerAddressPerDay, count, DAY_MS, now);
      if (wait > 0) {
        throw mailRateLimited("RATE_LIMITED.addressVerificationCap", verificationsPerAddressPerDay, wait);
      }
    }
  }
}
