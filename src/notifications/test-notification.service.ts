import type { AccountChange } from "../accounts/account-change";
import type { User } from "../users/user.entity";
import type { NotificationCategory } from "../contacts/notification-routing";
import { ContactVerification, VerificationState } from "../verification/contact-verification.entity";
import { DeliveryKind, DeliverySkipReason, type NotificationDelivery } from "./notification-delivery.entity";
import { nameForSubject, oneLine, quotedName } from "./mail-text";
import { localeOfTag, translate } from "../i18n";
import { slotName } from "../contacts/contact.enums";

/**
 * Why optional mail may not go to a contact: a member must have signed in, and an outside address
 * must have been confirmed by its owner. Null when it may go.
 */
function unconfirmed(
  holder: { user: User | null; email: string },
  verification: ContactVerification | undefined,
): DeliverySkipReason | null {
  if (holder.user) return holder.user.signedInAt ? null : DeliverySkipReason.NEVER_SIGNED_IN;
  const verified = verification?.state === VerificationState.VERIFIED && verification.email === holder.email;
  return verified ? null : DeliverySkipReason.ADDRESS_NOT_VERIFIED;
}

/**
 * Queues a test message of a category to each of its recipients, read inside the change
 * so the recipients are exactly those the account has as the messages are queued. A recipient whose
 * address is not confirmed gets a SKIPPED delivery saying why, and no mail.
 */
export async function sendTestNotification(change: AccountChange, category: NotificationCategory): Promise<NotificationDelivery[]> {
  const { manager, account } = change;
  // One statement after another: a transaction's connection runs one query at a time.
  const contacts = await change.contacts();
  const verifications = await manager.find(ContactVerification, { where: { accountId: account.id } });
  const verificationOf = (email: string) => verifications.find((verification) => verification.email === email);
  // A recipient's language: the first of their slots (in slot order) that names one, else the account's.
  const localeOf = (email: string) =>
    localeOfTag(contacts.slots.find((held) => held.email === email && held.contact.languageTag)?.contact.languageTag, account.locale);
  return change.outbox.enqueue(
    manager,
    contacts.recipients(category).map((recipient) => {
      const locale = localeOf(recipient.email);
      const categoryName = translate(locale, `category.${category}`);
      return {
        accountId: account.id,
        kind: DeliveryKind.TEST,
        category,
        email: recipient.email,
        subject: translate(locale, "mail.test.subject", { category: categoryName, account: nameForSubject(account.name) }),
        body: [
          translate(locale, "mail.test.intro"),
          "",
          translate(locale, "mail.label.accountName", { account: quotedName(account.name) }),
          translate(locale, "mail.label.sentBy", { email: oneLine(change.actor.email) }),
          translate(locale, "mail.label.category", { category: categoryName }),
          translate(locale, "mail.test.reasons", { reasons: recipient.reasons.map((slot) => slotName(slot)[locale]).join(", ") }),
        ].join("\n"),
        requestedById: change.actor.id,
        skipReason: unconfirmed(recipient, verificationOf(recipient.email)),
      };
    }),
  );
}
