import type { AccountChange } from "../accounts/account-change";
import { addBillingContact, removeBillingContact, setPrimaryContact, setRoleContact } from "../contacts/contact.service";
import { ContactSlot, roleOfSlot } from "../contacts/contact.enums";
import { badInput } from "../errors";

/**
 * Hands every slot a leaving member holds to another member, in the leaving member's transaction.
 * The leaving member's billing place goes and the successor is added after the others (unless they
 * already are one), so the remaining order is kept, nobody is listed twice, the cap cannot be passed,
 * and the history's REMOVE and ADD replay to exactly the stored order.
 */
export async function handOverSlots(change: AccountChange, leavingUserId: string, successorUserId: string): Promise<void> {
  const successor = await change.member(successorUserId, "reassignTo");
  if (successor.userId === leavingUserId) throw badInput("BAD_USER_INPUT.reassignToSelf", {}, "reassignTo");
  for (const slot of (await change.contacts()).slotsOf(leavingUserId)) {
    const role = roleOfSlot(slot);
    if (role) await setRoleContact(change, role, { userId: successor.userId });
    else if (slot === ContactSlot.PRIMARY) await setPrimaryContact(change, successor.userId);
    else {
      await removeBillingContact(change, leavingUserId);
      await addBillingContact(change, successor.userId);
    }
  }
}
