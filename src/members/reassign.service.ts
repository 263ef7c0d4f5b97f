import type { AccountChange } from "../accounts/account-access";
import { addBillingContact, removeBillingContact, setPrimaryContact, setRoleContact, slotsHeldBy } from "../contacts/contact.service";
import { badInput } from "../errors";

/**
 * Hands every slot a leaving member holds to another member, in the leaving member's transaction.
 * The leaving member's billing place goes and the successor is added after the others (unless they
 * already are one), so the remaining order is kept, nobody is listed twice, the cap cannot be passed,
 * and the history's REMOVE and ADD replay to exactly the stored order.
 */
export async function handOverSlots(change: AccountChange, leavingUserId: string, successorUserId: string): Promise<void> {
  const successor = await change.member(successorUserId, "reassignTo");
  if (successor.userId === leavingUserId) throw badInput("reassignTo must be another member, not the one being removed.", "reassignTo");
  const held = await slotsHeldBy(change, leavingUserId);

  if (held.primary) await setPrimaryContact(change, successor.userId);

  if (held.billing) {
    await removeBillingContact(change, leavingUserId);
    await addBillingContact(change, successor.userId);
  }

  for (const role of held.roles) await setRoleContact(change, role.role, { userId: successor.userId });
}
