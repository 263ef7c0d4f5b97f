import { In, Not, type EntityManager, type FindOptionsWhere } from "typeorm";
import type { AccountChange } from "../accounts/account-change";
import { badInput, notFound } from "../errors";
import { DeliveryKind, DeliveryState, NotificationDelivery } from "./notification-delivery.entity";

/** What a requeued message becomes: a new message, due now, with every attempt still ahead of it. */
const REQUEUED = { state: DeliveryState.PENDING, attempts: 0, sentAt: null } as const;

/**
 * Sends one of the account's FAILED messages again. A verification message is not: its token could
 * no longer be derived once it failed, and a new one is what its owner needs (resendContactVerification).
 */
export async function requeueDelivery(change: AccountChange, sequence: number): Promise<NotificationDelivery> {
  const { manager, account } = change;
  const delivery = await manager.findOne(NotificationDelivery, { where: { sequence, accountId: account.id } });
  if (!delivery) throw notFound("NotificationDelivery");
  if (delivery.kind === DeliveryKind.VERIFICATION) throw badInput("BAD_USER_INPUT.verificationNotRequeued", {}, "deliveryId");
  if (delivery.state !== DeliveryState.FAILED) throw badInput("BAD_USER_INPUT.deliveryNotFailed", { state: delivery.state }, "deliveryId");
  const nextAttemptAt = new Date();
  await manager.update(NotificationDelivery, { sequence, state: DeliveryState.FAILED }, { ...REQUEUED, nextAttemptAt });
  return Object.assign(delivery, REQUEUED, { nextAttemptAt });
}

/** Which FAILED messages an operator sends again: some by id, an account's, or all of them. */
export type RequeueSelection = { ids: number[] } | { accountId: string } | { all: true };

/** For the operator's command: sends the selected FAILED messages again (verification messages excepted); returns how many. */
export async function requeueFailedDeliveries(manager: EntityManager, selection: RequeueSelection): Promise<number> {
  const where: FindOptionsWhere<NotificationDelivery> = { state: DeliveryState.FAILED, kind: Not(DeliveryKind.VERIFICATION) };
  if ("ids" in selection) where.sequence = In(selection.ids);
  if ("accountId" in selection) where.accountId = selection.accountId;
  const result = await manager.update(NotificationDelivery, where, { ...REQUEUED, nextAttemptAt: new Date() });
  return result.affected ?? 0;
}
