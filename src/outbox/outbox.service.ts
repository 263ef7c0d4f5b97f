import type { EntityManager } from "typeorm";
import type { Database } from "../database";
import { DeliveryKind, DeliveryState, OutboxMessage } from "./outbox-message.entity";
import type { NotificationCategory } from "../notifications/notification-routing";
import { decodeCursor, toPage, type Page } from "../common/pagination";

export interface OutgoingMessage {
  accountId: string;
  kind: DeliveryKind;
  category?: NotificationCategory | null;
  email: string;
  subject: string;
  body: string;
  requestedById?: string | null;
}

/**
 * Queues a message in the caller's transaction: it is sent only if the change that caused it commits,
 * and it is not lost if the process stops before sending it.
 */
export async function enqueueMessage(manager: EntityManager, message: OutgoingMessage): Promise<OutboxMessage> {
  const now = new Date();
  const row = manager.create(OutboxMessage, {
    accountId: message.accountId,
    kind: message.kind,
    category: message.category ?? null,
    email: message.email,
    subject: message.subject.slice(0, 300),
    body: message.body,
    state: DeliveryState.PENDING,
    attempts: 0,
    lastError: null,
    createdAt: now,
    nextAttemptAt: now,
    sentAt: null,
    requestedById: message.requestedById ?? null,
  });
  return manager.save(OutboxMessage, row);
}

/** An account's deliveries, newest first. */
export async function listDeliveries(db: Database, accountId: string, first: number, after?: string | null): Promise<Page<OutboxMessage>> {
  const before = after ? Number(decodeCursor(after, ["number"])[0]) : null;
  return db.read(async (manager) => {
    const query = manager
      .createQueryBuilder(OutboxMessage, "message")
      .where('message."accountId" = :accountId', { accountId })
      .orderBy("message.id", "DESC")
      .limit(first + 1);
    if (before !== null) query.andWhere("message.id < :before", { before });
    const [rows, total] = await Promise.all([query.getMany(), manager.count(OutboxMessage, { where: { accountId } })]);
    return toPage(rows, first, total, (row) => [row.sequence], (row) => row);
  });
}
