import type { Database } from "../database";
import type { AccountChange } from "../accounts/account-change";
import { ContactVerification, VerificationState } from "./contact-verification.entity";
import { contactRole, type ContactRoleKind } from "../contacts/contact.enums";
import { DeliveryKind } from "../notifications/notification-delivery.entity";
import { nameForSubject, oneLine, quotedName } from "../notifications/mail-text";
import { badInput } from "../errors";
import { translate, type Locale } from "../i18n";
import { ContactRole } from "../contacts/contact-role.entity";
import { hashToken, TOKEN_PLACEHOLDER } from "./verification-tokens";

/** How long a verification token may be used. */
export const VERIFICATION_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The message asking an outside address to confirm itself, in the account's language. It goes to
 * someone who may never have heard of the account, so the account's name appears only quoted on its
 * labelled line, and the token only as a placeholder the delivery worker fills in as it sends.
 */
function verificationMessage(account: { name: string; locale: Locale }, requestedBy: string, role: ContactRoleKind, email: string) {
  const { locale } = account;
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
export async function startVerification(change: AccountChange, role: ContactRoleKind, email: string): Promise<void> {
  const { nonce, tokenHash } = change.outbox.tokens.issue();
  const now = new Date();
  const accountId = change.account.id;
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
  });
  await change.outbox.enqueue(change.manager, [
    {
      accountId,
      kind: DeliveryKind.VERIFICATION,
      email,
      ...verificationMessage(change.account, change.actor.email, role, email),
      requestedById: change.actor.id,
      tokenNonce: nonce,
    },
  ]);
}

/** Sends a new token for the external contact of a role, e.g. after the last one expired; the state starts over. */
export async function resendVerification(change: AccountChange, role: ContactRoleKind): Promise<void> {
  const contact = await change.manager.findOne(ContactRole, { where: { accountId: change.account.id, role } });
  if (!contact || contact.userId !== null) throw badInput("BAD_USER_INPUT.notOutsideAddress", {}, "role");
  await startVerification(change, role, contact.email);
}

/** The role no longer names an external address: its verification goes. */
export async function forgetVerification(change: AccountChange, role: ContactRoleKind): Promise<void> {
  await change.manager.delete(ContactVerification, { accountId: change.account.id, role });
}

const invalidToken = () => badInput("BAD_USER_INPUT.verificationTokenInvalid", {}, "token");

/**
 * Confirms an address with the token sent to it. The token works once, and only until it expires.
 * The update is conditional on the token and the state it was found in: if the address changed (and
 * with it the token) since the lookup, it changes nothing and the token is refused.
 */
export async function verifyContactEmail(db: Database, token: string): Promise<ContactVerification> {
  if (token.length < 16 || token.length > 200) throw invalidToken();
  const tokenHash = hashToken(token);
  return db.write(async (manager) => {
    const verification = await manager.findOne(ContactVerification, { where: { tokenHash } });
    if (!verification) throw invalidToken();
    const now = new Date();
    if (verification.tokenExpiresAt.getTime() < now.getTime()) {
      throw badInput("BAD_USER_INPUT.verificationTokenExpired", {}, "token");
    }
    const confirmed = await manager.update(
      ContactVerification,
      { accountId: verification.accountId, role: verification.role, tokenHash, state: VerificationState.PENDING, email: verification.email },
      { state: VerificationState.VERIFIED, verifiedAt: now, tokenHash: null },
    );
    if (confirmed.affected !== 1) throw invalidToken();
    return Object.assign(verification, { state: VerificationState.VERIFIED, verifiedAt: now, tokenHash: null });
  });
}
