import { AccountChange } from "../accounts/account-access";
import { In } from "typeorm";
import { User } from "../users/user.entity";
import { RoleContact } from "../contacts/role-contact.entity";
import { ContactSlot, slotOfRole, CONTACT_ROLE_ORDER } from "../contacts/contact.enums";
import { billingContactsOf } from "../contacts/contact.service";
import { NotificationCategory, routeNotification, type SlotHolder } from "../notifications/notification-routing";
import { ContactVerification, VerificationState } from "../verification/contact-verification.entity";
import { DeliveryKind, DeliverySkipReason, type OutboxMessage } from "./outbox-message.entity";
import { nameForSubject, oneLine, quotedName } from "./mail-text";

/** Opens the account as its admin (no contact changes, so no version step) and queues the test messages. */

/**
 * Why optional mail may not go to a contact: a member must have signed in, and an outside address
 * must have been confirmed by its owner. Null when it may go.
 */
function unconfirmed(holder: { user: User | null; email: string }, verification: ContactVerification | undefined): DeliverySkipReason | null {
  if (holder.user) return holder.user.signedInAt ? null : DeliverySkipReason.NEVER_SIGNED_IN;
  const verified = verification?.state === VerificationState.VERIFIED && verification.email === holder.email;
  return verified ? null : DeliverySkipReason.ADDRESS_NOT_VERIFIED;
}

/**
 * Queues a test message of a category to each of its recipients (CONTRACT §5), read inside the change
 * so the recipients are exactly those the account has as the messages are queued. A recipient whose
 * address is not confirmed gets a SKIPPED delivery saying why, and no mail.
 */
export async function sendTestNotification(change: AccountChange, category: NotificationCategory): Promise<OutboxMessage[]> {
  const { manager, account } = change;
  const [billing, roles, verifications] = await Promise.all([
    billingContactsOf(change),
    manager.find(RoleContact, { where: { accountId: account.id } }),
    manager.find(ContactVerification, { where: { accountId: account.id } }),
  ]);
  roles.sort((a, b) => CONTACT_ROLE_ORDER.indexOf(a.role) - CONTACT_ROLE_ORDER.indexOf(b.role));
  const userIds = [account.primaryContactId, ...billing.map((contact) => contact.userId), ...roles.flatMap((role) => (role.userId ? [role.userId] : []))];
  const users = new Map((await manager.find(User, { where: { id: In(userIds) } })).map((user) => [user.id, user]));
  const holders: SlotHolder<User>[] = [
    { slot: ContactSlot.PRIMARY, email: users.get(account.primaryContactId)!.email, user: users.get(account.primaryContactId)! },
    ...billing.map((contact) => ({ slot: ContactSlot.BILLING, email: users.get(contact.userId)!.email, user: users.get(contact.userId)! })),
    ...roles.map((role) => ({ slot: slotOfRole(role.role), email: role.email, user: role.userId ? users.get(role.userId)! : null })),
  ];
  const verificationOf = (email: string) => verifications.find((verification) => verification.email === email);
  const subject = `Test ${category} notification for the account ${nameForSubject(account.name)}`;
  return change.outbox.enqueue(
    manager,
    routeNotification(category, holders).map((recipient) => ({
      accountId: account.id,
      kind: DeliveryKind.TEST,
      category,
      email: recipient.email,
      subject,
      body: [
        "This is a test message: nothing needs doing.",
        "",
        `Account name: ${quotedName(account.name)}`,
        `Sent by: ${oneLine(change.actor.email)}`,
        `Category: ${category}`,
        `You receive it as the account's: ${recipient.reasons.join(", ")}`,
      ].join("\n"),
      requestedById: change.actor.id,
      skipReason: unconfirmed(recipient, verificationOf(recipient.email)),
    })),
  );
}
