import type { AccountChange } from "../accounts/account-access";
import { BillingContact } from "../contacts/billing-contact.entity";
import { ContactChangeAction, ContactSlot } from "../contacts/contact.enums";
import { billingContactsOf, removeBillingContact, setPrimaryContact, setRoleContact, slotsHeldBy } from "../contacts/contact.service";
import { badInput } from "../errors";

/**
 * Hands every slot a leaving member holds to another member, in the leaving member's transaction.
 * A billing place passes on in place (order kept); if the successor is already a billing contact the
 * leaving member's place simply goes, so nobody is listed twice and the cap cannot be passed.
 */
export async function handOverSlots(change: AccountChange, leavingUserId: string, successorUserId: string): Promise<void> {
  const successor = await change.member(successorUserId, "reassignTo");
  if (successor.userId === leavingUserId) throw badInput("reassignTo must be another member, not the one being removed.", "reassignTo");
  const held = await slotsHeldBy(change, leavingUserId);

  if (held.primary) await setPrimaryContact(change, successor.userId);

  if (held.billing) {
    const billing = await billingContactsOf(change);
    if (billing.some((contact) => contact.userId === successor.userId)) {
      await removeBillingContact(change, leavingUserId);
    } else {
      const leavingEmail = await change.emailOf(leavingUserId);
      await change.manager.update(BillingContact, { accountId: change.account.id, userId: leavingUserId }, { userId: successor.userId, addedAt: new Date() });
      await change.record(ContactSlot.BILLING, ContactChangeAction.REMOVE, leavingEmail, null);
      await change.record(ContactSlot.BILLING, ContactChangeAction.ADD, null, successor.user.email);
    }
  }

  for (const role of held.roles) await setRoleContact(change, role.role, { userId: successor.userId });
}
