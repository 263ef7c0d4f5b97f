import type { Database, Writer } from "../database";
import type { AccountChange } from "../accounts/account-change";
import { ContactVerification, VerificationState } from "./contact-verification.entity";
import type { EntityManager } from "typeorm";
import { ContactChangeAction, contactRole, slotOfRole, type ContactRoleKind } from "../contacts/contact.enums";
import { Account } from "../accounts/account.entity";
import { lockAccount, markAccountChanged } from "../accounts/account.queries";
import { ContactChange } from "../history/contact-change.entity";
import { insertContactChange, lastRequestAfterDecline } from "../history/history.queries";
import { User } from "../users/user.entity";
import { DeliveryKind } from "../notifications/notification-delivery.entity";
import { nameForSubject, oneLine, quotedName } from "../notifications/mail-text";
import { badInput, DomainError } from "../errors";
import { localeOfTag, message, translate, type Locale } from "../i18n";
import { AccountContact } from "../contacts/account-contact.entity";
import { contactDetailsHistory } from "../contacts/contact-details";
import { updateSlotRow } from "../contacts/contact-writes.queries";
import { primaryContactOf } from "../contacts/contact.queries";
import { hashToken, TOKEN_PLACEHOLDER } from "./verification-tokens";
import { refuseDisallowedContactDomain } from "../accounts/contact-domain.service";

/** How long a verification token may be used. */
export const VERIFICATION_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** An address that said "This is not me" to an account is asked again by it at most once in this many days. */
export const ASK_AGAIN_AFTER_DECLINE_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The message asking an outside address to confirm itself, in the account's language. It goes to
 * someone who may never have heard of the account, so the account's name appears only quoted on its
 * labelled line, and the token only as a placeholder the delivery worker fills in as it sends (in the
 * link and on its own line).
 */
function verificationMessage(
  account: { name: string; locale: Locale },
  requestedBy: string,
  role: ContactRoleKind,
  email: string,
  link: string,
  languageTag: string | null,
) {
  const locale = localeOfTag(languageTag, account.locale);
  const title = contactRole(role).title[locale];
  return {
    subject: translate(locale, "mail.verification.subject", { title, account: nameForSubject(account.name) }),
    body: [
      translate(locale, "mail.verification.intro", { title }),
      "",
      translate(locale, "mail.label.accountName", { account: quotedName(account.name) }),
      translate(locale, "mail.label.askedBy", { email: oneLine(requestedBy) }),
      translate(locale, "mail.label.yourAddress", { email: oneLine(email) }),
      "",
      translate(locale, "mail.verification.confirmWithin", { days: VERIFICATION_TOKEN_TTL_MS / 86_400_000 }),
      "",
      `    ${link}`,
      "",
      translate(locale, "mail.verification.tokenHint"),
      "",
      `    ${TOKEN_PLACEHOLDER}`,
      "",
      translate(locale, "mail.verification.ignore"),
    ].join("\n"),
  };
}

/**
 * Starts (or starts over) the verification of an external contact's address: a new PENDING row
 * keeping only the hash of a new single-use token, and the message that will carry the token queued
 * in the same transaction.
 */
/** The message goes in the language of `languageTag` (the contact's) when the service writes it, else in the account's. */
export async function startVerification(
  change: AccountChange,
  role: ContactRoleKind,
  email: string,
  languageTag: string | null,
): Promise<void> {
  const now = new Date();
  const accountId = change.account.id;
  await mayAskAgain(change, email, now);
  const { nonce, tokenHash } = change.outbox.tokens.issue();
  await change.manager.delete(ContactVerification, { accountId, role });
  await change.manager.insert(ContactVerification, {
    accountId,
    role,
    email,
    state: VerificationState.PENDING,
    tokenHash,
    tokenExpiresAt: new Date(now.getTime() + VERIFICATION_TOKEN_TTL_MS),
    requestedAt: now,
    verifiedAt: null,
    declinedAt: null,
  });
  await change.outbox.enqueue(change.manager, [
    {
      accountId,
      kind: DeliveryKind.VERIFICATION,
      email,
      ...verificationMessage(
        change.account,
        change.actor.email,
        role,
        email,
        change.outbox.links.verificationLink(TOKEN_PLACEHOLDER),
        languageTag,
      ),
      requestedById: change.actor.id,
      tokenNonce: nonce,
    },
  ]);
}

/**
 * Refuses to ask an address that declined this account again within ASK_AGAIN_AFTER_DECLINE_DAYS of
 * the last time it was asked again: whichever way the request comes (resending, setting the address
 * again, setting it back after another), someone who said no gets at most one more request a month.
 */
async function mayAskAgain(change: AccountChange, email: string, now: Date): Promise<void> {
  const lastAskedAgain = await lastRequestAfterDecline(change.manager, change.account.id, email);
  if (!lastAskedAgain) return;
  const wait = lastAskedAgain.getTime() + ASK_AGAIN_AFTER_DECLINE_DAYS * DAY_MS - now.getTime();
  if (wait <= 0) return;
  const retryAfterSeconds = Math.ceil(wait / 1000);
  const params = { days: ASK_AGAIN_AFTER_DECLINE_DAYS, waitDays: Math.ceil(wait / DAY_MS) };
  throw new DomainError("ADDRESS_DECLINED.declinedAskedAgain", params, { retryAfterSeconds }, [
    { field: "role", message: message("ADDRESS_DECLINED.declinedAskedAgain", params) },
  ]);
}

/**
 * Sends a new token for the external contact of a role (SECURITY): after the last one expired, or
 * after its owner said "This is not me" — which asks them again, as a history row records, at most
 * once every ASK_AGAIN_AFTER_DECLINE_DAYS. The state starts over as PENDING.
 */
export async function resendVerification(change: AccountChange, role: ContactRoleKind): Promise<void> {
  const contact = await change.manager.findOne(AccountContact, {
    where: { accountId: change.account.id, slot: slotOfRole(role), position: 0 },
  });
  if (!contact || contact.userId !== null) throw badInput("BAD_USER_INPUT.notOutsideAddress", {}, "role");
  await refuseDisallowedContactDomain(change, contact.email, "role");
  const declined = await isDeclined(change.manager, change.account.id, role, contact.email);
  await startVerification(change, role, contact.email, contact.languageTag);
  if (declined) {
    await updateSlotRow(change.manager, contact, { updatedAt: new Date(), updatedById: change.actor.id });
    await change.record(slotOfRole(role), ContactChangeAction.SET, contact, contact);
  }
}

/** Whether the owner of `email` answered that it is not theirs when asked about this role. */
export async function isDeclined(manager: EntityManager, accountId: string, role: ContactRoleKind, email: string): Promise<boolean> {
  const verification = await manager.findOne(ContactVerification, { where: { accountId, role } });
  return verification?.state === VerificationState.DECLINED && verification.email === email;
}

/** The role no longer names an external address: its verification goes. */
export async function forgetVerification(change: AccountChange, role: ContactRoleKind): Promise<void> {
  await change.manager.delete(ContactVerification, { accountId: change.account.id, role });
}

const invalidToken = () => badInput("BAD_USER_INPUT.verificationTokenInvalid", {}, "token");
const expiredToken = () => badInput("BAD_USER_INPUT.verificationTokenExpired", {}, "token");

/** What the confirmation page shows about the request a token answers. */
export interface ConfirmationRequest {
  verification: ContactVerification;
  accountName: string;
  /** The account's language, which the page is shown in unless the reader chooses another. */
  locale: Locale;
  /** The email of the admin who set the contact, as the history has it; null if it does not say. */
  requestedBy: string | null;
  /** Whether the link can no longer be used because its time is up (and it was never answered). */
  expired: boolean;
}

/**
 * The verification a token belongs to, if the address it asked about still holds the role: a token
 * stays findable after use (its hash is kept), so a used link can say what was answered.
 */
async function requestOf(
  manager: EntityManager,
  token: string,
): Promise<{ verification: ContactVerification; contact: AccountContact } | null> {
  if (token.length < 16 || token.length > 200) return null;
  const verification = await manager.findOne(ContactVerification, { where: { tokenHash: hashToken(token) } });
  if (!verification) return null;
  const contact = await manager.findOne(AccountContact, {
    where: { accountId: verification.accountId, slot: slotOfRole(verification.role), position: 0 },
  });
  if (!contact || contact.userId !== null || contact.email !== verification.email) return null;
  return { verification, contact };
}

/** The admin who last set the role to this address, as the history records it. */
async function whoSet(manager: EntityManager, verification: ContactVerification): Promise<User | null> {
  const change = await manager.findOne(ContactChange, {
    where: { accountId: verification.accountId, slot: verification.role, action: ContactChangeAction.SET, newEmail: verification.email },
    order: { sequence: "DESC" },
  });
  return change ? manager.findOne(User, { where: { id: change.actorId } }) : null;
}

/** What the confirmation page shows for a token; null for a token that answers nothing (unknown, or its address replaced). Changes nothing. */
export async function confirmationRequest(db: Database, token: string, now = new Date()): Promise<ConfirmationRequest | null> {
  return db.read(async (manager) => {
    const found = await requestOf(manager, token);
    if (!found) return null;
    const { verification, contact } = found;
    const account = await manager.findOne(Account, { where: { id: verification.accountId } });
    if (!account) return null;
    const asker = await whoSet(manager, verification);
    return {
      verification,
      accountName: account.name,
      // The language the request's mail was written in: the contact's when the service writes it, else the account's.
      locale: localeOfTag(contact.languageTag, account.locale),
      // The address the admin signed in with, as the mail says: their name is whatever their sign-in claims.
      requestedBy: asker ? asker.email : null,
      expired: verification.state === VerificationState.PENDING && verification.tokenExpiresAt.getTime() < now.getTime(),
    };
  });
}

/**
 * Answers a verification with the token sent to it: VERIFIED ("Confirm") or DECLINED ("This is not
 * me"). The token answers once, and only until it expires. The update is conditional on the token and
 * the state it was found in, under the account's lock: if the address changed (and with it the token)
 * since the lookup, it changes nothing and the token is refused.
 */
async function answerVerification(
  db: Writer,
  token: string,
  answer: VerificationState.VERIFIED | VerificationState.DECLINED,
): Promise<ContactVerification> {
  return db.write(async (manager) => {
    const first = await requestOf(manager, token);
    if (!first) throw invalidToken();
    await lockAccount(manager, first.verification.accountId);
    // Read again under the lock: an admin's change committed meanwhile wins.
    const found = await requestOf(manager, token);
    if (!found || found.verification.state !== VerificationState.PENDING) throw invalidToken();
    const { verification, contact } = found;
    const now = new Date();
    if (verification.tokenExpiresAt.getTime() < now.getTime()) throw expiredToken();
    const answered = answer === VerificationState.VERIFIED ? { state: answer, verifiedAt: now } : { state: answer, declinedAt: now };
    const changed = await manager.update(
      ContactVerification,
      {
        accountId: verification.accountId,
        role: verification.role,
        tokenHash: verification.tokenHash!,
        state: VerificationState.PENDING,
        email: verification.email,
      },
      answered,
    );
    if (changed.affected !== 1) throw invalidToken();
    const asker = await whoSet(manager, verification);
    const account = (await manager.findOne(Account, { where: { id: verification.accountId } }))!;
    const version = account.contactsVersion + 1;
    await insertContactChange(manager, {
      accountId: verification.accountId,
      at: now,
      // The owner of the address made the change; actorId keeps the admin who asked them, for the deprecated `actor`.
      actorEmail: verification.email,
      actorId: asker?.id ?? contact.updatedById ?? (await primaryContactOf(manager, account.id)),
      version,
      slot: slotOfRole(verification.role),
      action: answer === VerificationState.VERIFIED ? ContactChangeAction.VERIFIED : ContactChangeAction.DECLINED,
      previousEmail: verification.email,
      newEmail: verification.email,
      previousUserId: null,
      newUserId: null,
      // The contact stays, and so do its details: the row shows them on both sides.
      ...contactDetailsHistory(contact, contact),
    });
    await markAccountChanged(manager, verification.accountId, version, now);
    return Object.assign(verification, answered);
  });
}

/** Confirms an address with the token sent to it. */
export function verifyContactEmail(db: Writer, token: string): Promise<ContactVerification> {
  return answerVerification(db, token, VerificationState.VERIFIED);
}

/** Records that the owner of an address says it is not theirs: nothing more is sent to it for the account until an admin sets the contact again. */
export function declineContactEmail(db: Writer, token: string): Promise<ContactVerification> {
  return answerVerification(db, token, VerificationState.DECLINED);
}
