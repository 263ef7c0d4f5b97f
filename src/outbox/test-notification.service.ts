import { AccountChange } from "../accounts/account-access";
import type { Database } from "../database";
import { In } from "typeorm";
import { User } from "../users/user.entity";
import { RoleContact } from "../contacts/role-contact.entity";
import { ContactSlot, slotOfRole, CONTACT_ROLE_ORDER } from "../contacts/contact.enums";
import { billingContactsOf } from "../contacts/contact.service";
import { NotificationCategory, routeNotification, type SlotHolder } from "../notifications/notification-routing";
import { enqueueMessage } from "./outbox.service";
import { DeliveryKind, type OutboxMessage } from "./outbox-message.entity";

/** Opens the account as its admin (no contact changes, so no version step) and queues the test messages. */
export function requestTestNotification(db: Database, actor: User, accountId: string, category: NotificationCategory): Promise<OutboxMessage[]> {
  return db.write(async (manager) => sendTestNotification(await AccountChange.open(manager, accountId, actor), category));
}

/**
 * Queues a test message of a category to each of its recipients (CONTRACT §5), read inside the change
 * so the recipients are exactly those the account has as the messages are queued.
 */
export async function sendTestNotification(change: AccountChange, category: NotificationCategory): Promise<OutboxMessage[]> {
  const { manager, account } = change;
  const [billing, roles] = await Promise.all([
    billingContactsOf(change),
    manager.find(RoleContact, { where: { accountId: account.id } }),
  ]);
  roles.sort((a, b) => CONTACT_ROLE_ORDER.indexOf(a.role) - CONTACT_ROLE_ORDER.indexOf(b.role));
  const userIds = [account.primaryContactId, ...billing.map((contact) => contact.userId)];
  const users = new Map((await manager.find(User, { where: { id: In(userIds) } })).map((user) => [user.id, user]));
  const holders: SlotHolder<null>[] = [
    { slot: ContactSlot.PRIMARY, email: users.get(account.primaryContactId)!.email, user: null },
    ...billing.map((contact) => ({ slot: ContactSlot.BILLING, email: users.get(contact.userId)!.email, user: null })),
    ...roles.map((role) => ({ slot: slotOfRole(role.role), email: role.email, user: null })),
  ];
  const messages: OutboxMessage[] = [];
  for (const recipient of routeNotification(category, holders)) {
    messages.push(
      await enqueueMessage(manager, {
        accountId: account.id,
        kind: DeliveryKind.TEST,
        category,
        email: recipient.email,
        subject: `Test ${category} notification for ${account.name}`,
        body: [
          `This is a test message sent by ${change.actor.email}.`,
          "",
          `You receive ${category} notifications for the account "${account.name}" as its contact for: ${recipient.reasons.join(", ")}.`,
          "Nothing needs doing.",
        ].join("\n"),
        requestedById: change.actor.id,
      }),
    );
  }
  return messages;
}
