import type { EntityManager } from "typeorm";
import type { Database, Writer } from "../database";
import type { AccountChange } from "../accounts/account-change";
import { Account } from "../accounts/account.entity";
import { lockAccount, markAccountChanged } from "../accounts/account.queries";
import { AccountInvitation } from "./account-invitation.entity";
import { AccountMember, MemberRole } from "./account-member.entity";
import { MemberChangeAction } from "./member-change.entity";
import { insertMemberChange } from "./member.queries";
import { invitationByTokenHash } from "./invitation.queries";
import { User } from "../users/user.entity";
import { DeliveryKind } from "../notifications/notification-delivery.entity";
import { nameForSubject, oneLine, quotedName } from "../notifications/mail-text";
import { hashToken, TOKEN_PLACEHOLDER } from "../verification/verification-tokens";
import { badInput, notFound } from "../errors";
import { outsideSlotsOf, updateSlotRow } from "../contacts/contact-writes.queries";
import { ContactChangeAction, roleOfSlot } from "../contacts/contact.enums";
import { contactDetailsHistory } from "../contacts/contact-details";
import { contactChangeRows, type ContactChangeRecord } from "../history/history.queries";
import { deleteVerification } from "../verification/verification.queries";
import { isDeclined } from "../verification/verification.service";
import type { HistoryRows } from "../events/change-log.queries";
import { translate, type Locale } from "../i18n";

/** How long an invitation's link may be used; after that an admin invites the person again. */
export const INVITATION_TTL_MS = 14 * 24 * 60 * 60 * 1000;

/** The invitation message, in the account's language: like verification mail, the account's name only quoted on its line. */
function invitationMessage(account: { name: string; locale: Locale }, invitedBy: string, role: MemberRole, email: string, link: string) {
  const { locale } = account;
  return {
    subject: translate(locale, "mail.invitation.subject", { account: nameForSubject(account.name) }),
    body: [
      translate(locale, "mail.invitation.intro", { role: translate(locale, `role.${role}`) }),
      "",
      translate(locale, "mail.label.accountName", { account: quotedName(account.name) }),
      translate(locale, "mail.label.invitedBy", { email: oneLine(invitedBy) }),
      translate(locale, "mail.label.yourAddress", { email: oneLine(email) }),
      "",
      translate(locale, "mail.invitation.acceptWithin", { days: INVITATION_TTL_MS / 86_400_000 }),
      "",
      `    ${link}`,
      "",
      translate(locale, "mail.invitation.signIn"),
      "",
      translate(locale, "mail.invitation.ignore"),
    ].join("\n"),
  };
}

/**
 * Invites `user` to the account, or updates the invitation they already have: a role or name given
 * replaces the invitation's; an expired invitation is sent again with a new link. Nothing about the
 * person changes in the account until they accept.
 */
export async function inviteMember(
  change: AccountChange,
  user: User,
  role: MemberRole | null | undefined,
  name: string | null,
): Promise<AccountInvitation> {
  const accountId = change.account.id;
  const now = new Date();
  const existing = await change.manager.findOne(AccountInvitation, { where: { accountId, userId: user.id } });
  if (existing && existing.expiresAt > now) {
    const update = { role: role ?? existing.role, nameGivenByAdmin: name ?? existing.nameGivenByAdmin };
    if (update.role !== existing.role || update.nameGivenByAdmin !== existing.nameGivenByAdmin) {
      await change.manager.update(AccountInvitation, { sequence: existing.sequence }, update);
      change.touch();
    }
    return Object.assign(existing, update);
  }
  const { nonce, tokenHash } = change.outbox.tokens.issue();
  const fields = {
    accountId,
    userId: user.id,
    email: user.email,
    role: role ?? existing?.role ?? MemberRole.MEMBER,
    nameGivenByAdmin: name ?? existing?.nameGivenByAdmin ?? null,
    invitedById: change.actor.id,
    invitedAt: now,
    expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
    tokenHash,
  };
  if (existing) await change.manager.delete(AccountInvitation, { sequence: existing.sequence });
  const invitation = change.manager.create(AccountInvitation, fields);
  await change.manager.insert(AccountInvitation, invitation);
  await change.outbox.enqueue(change.manager, [
    {
      accountId,
      kind: DeliveryKind.INVITATION,
      email: user.email,
      ...invitationMessage(
        change.account,
        change.actor.email,
        fields.role,
        user.email,
        change.outbox.links.invitationLink(TOKEN_PLACEHOLDER),
      ),
      requestedById: change.actor.id,
      tokenNonce: nonce,
    },
  ]);
  change.touch();
  return invitation;
}

/** Withdraws a pending invitation of this account: its link stops working. */
export async function withdrawInvitation(change: AccountChange, invitationId: number): Promise<void> {
  const invitation = await change.manager.findOne(AccountInvitation, { where: { sequence: invitationId, accountId: change.account.id } });
  if (!invitation) throw notFound("AccountInvitation");
  await change.manager.delete(AccountInvitation, { sequence: invitation.sequence });
  change.touch();
}

/** The person's answer to an invitation. */
export type InvitationAnswer = "accept" | "decline";

/** How a person names the invitation they answer: signed in, by its id; from the mailed link, by its token. */
export type InvitationRef = { id: number; userId: string } | { token: string };

/**
 * Answers an invitation in one transaction holding the account's lock. Accepting makes the person a
 * member with the invitation's role and name, recorded as JOINED by them; declining deletes it. An
 * invitation of someone else, or none, is NOT_FOUND when signed in; a bad token is BAD_USER_INPUT.
 */
export async function answerInvitation(
  db: Writer,
  ref: InvitationRef,
  answer: InvitationAnswer,
): Promise<{ invitation: AccountInvitation; member: AccountMember | null }> {
  return db.write(async (manager) => {
    const found = await findInvitation(manager, ref);
    await lockAccount(manager, found.accountId);
    // Read again under the lock: an admin may have withdrawn or renewed it meanwhile.
    const invitation = await manager.findOne(AccountInvitation, { where: { sequence: found.sequence, tokenHash: found.tokenHash } });
    if (!invitation) throw refused(ref);
    if (answer === "accept" && invitation.expiresAt <= new Date())
      throw badInput("BAD_USER_INPUT.invitationExpired", {}, "token" in ref ? "token" : "invitationId");
    await manager.delete(AccountInvitation, { sequence: invitation.sequence });
    const account = await manager.findOneOrFail(Account, { where: { id: invitation.accountId } });
    const now = new Date();
    let member: AccountMember | null = null;
    let adopted: HistoryRows | null = null;
    if (answer === "accept") {
      member = await manager.findOne(AccountMember, { where: { accountId: invitation.accountId, userId: invitation.userId } });
      if (!member) {
        member = manager.create(AccountMember, {
          accountId: invitation.accountId,
          userId: invitation.userId,
          role: invitation.role,
          joinedAt: now,
          nameGivenByAdmin: invitation.nameGivenByAdmin,
        });
        await manager.insert(AccountMember, member);
        await insertMemberChange(manager, {
          accountId: invitation.accountId,
          at: now,
          actorId: invitation.userId,
          memberId: invitation.userId,
          email: invitation.email,
          action: MemberChangeAction.JOINED,
          previousRole: null,
          newRole: invitation.role,
        });
        adopted = await adoptOwnAddress(manager, account, invitation.userId, invitation.email, now);
      }
    }
    await markAccountChanged(manager, account.id, account.contactsVersion + (adopted ? 1 : 0), now, adopted);
    return { invitation, member };
  });
}

/**
 * A new member whose address already held a slot as an outside address now holds it as the member:
 * the slot keeps its details and names the member, the address's pending or given confirmation goes
 * (a mailed token then finds nothing), and history records each slot as SET by the member. A slot
 * whose role they declined ("this is not me") stays as it is, declined. Without
 * it the slot would say "not a member" of a member, and contact health would flag their own address.
 */
async function adoptOwnAddress(
  manager: EntityManager,
  account: Account,
  userId: string,
  email: string,
  now: Date,
): Promise<HistoryRows | null> {
  const slots = await outsideSlotsOf(manager, account.id, email);
  if (slots.length === 0) return null;
  const version = account.contactsVersion + 1;
  const records: ContactChangeRecord[] = [];
  for (const slot of slots) {
    const role = roleOfSlot(slot.slot);
    // They said this address is not theirs for that role: joining the account does not take that back.
    if (role && (await isDeclined(manager, account.id, role, email))) continue;
    await updateSlotRow(manager, slot, { userId, updatedAt: now, updatedById: userId });
    if (role) await deleteVerification(manager, account.id, role);
    records.push({
      accountId: account.id,
      at: now,
      actorId: userId,
      version,
      slot: slot.slot,
      action: ContactChangeAction.SET,
      previousEmail: email,
      newEmail: email,
      previousUserId: null,
      newUserId: userId,
      ...contactDetailsHistory(slot, slot),
    });
  }
  return records.length > 0 ? contactChangeRows(manager, records) : null;
}

function refused(ref: InvitationRef) {
  return "token" in ref ? badInput("BAD_USER_INPUT.invitationTokenInvalid", {}, "token") : notFound("AccountInvitation");
}

async function findInvitation(manager: EntityManager, ref: InvitationRef): Promise<AccountInvitation> {
  const found =
    "token" in ref
      ? await invitationByTokenHash(manager, hashToken(ref.token))
      : await manager.findOne(AccountInvitation, { where: { sequence: ref.id, userId: ref.userId } });
  if (!found) throw refused(ref);
  return found;
}

/** What the invitation page shows about the invitation a token belongs to; null for an unknown token. */
export async function invitationForToken(
  db: Database,
  token: string,
): Promise<{ invitation: AccountInvitation; account: Account; invitedBy: string | null } | null> {
  return db.read(async (manager) => {
    const invitation = await invitationByTokenHash(manager, hashToken(token));
    if (!invitation) return null;
    const account = await manager.findOneOrFail(Account, { where: { id: invitation.accountId } });
    const inviter = await manager.findOne(User, { where: { id: invitation.invitedById } });
    return { invitation, account, invitedBy: inviter?.email ?? null };
  });
}
