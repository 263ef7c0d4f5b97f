import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../database";
import type { AccountChange } from "../accounts/account-access";
import { ContactVerification, VerificationState } from "./contact-verification.entity";
import { ContactRoleKind } from "../contacts/contact.enums";
import { enqueueMessage } from "../outbox/outbox.service";
import { DeliveryKind } from "../outbox/outbox-message.entity";
import { badInput, DomainError, ErrorCode } from "../errors";
import { RoleContact } from "../contacts/role-contact.entity";

/** How long a verification token may be used. */
export const VERIFICATION_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** After this long a verified address is reported as VERIFICATION_STALE. */
export const VERIFICATION_STALE_AFTER_MS = 365 * 24 * 60 * 60 * 1000;

/** The line of a verification message that carries the token: indented, on a line of its own. */
export const VERIFICATION_TOKEN_LINE = /^ {4}(\S+)$/m;

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const ROLE_TITLES: Record<ContactRoleKind, string> = {
  DECISION_MAKER: "decision maker",
  IMPLEMENTATION: "implementation contact",
  SECURITY: "security contact",
  TECHNICAL_ADMIN: "technical administrator",
};

/**
 * Starts (or starts over) the verification of an external contact's address: a new PENDING row with a
 * new single-use token, and the message carrying it queued in the same transaction.
 */
export async function startVerification(change: AccountChange, role: ContactRoleKind, email: string): Promise<void> {
  const token = randomBytes(32).toString("base64url");
  const now = new Date();
  const accountId = change.account.id;
  await change.manager.delete(ContactVerification, { accountId, role });
  await change.manager.insert(ContactVerification, {
    accountId,
    role,
    email,
    state: VerificationState.PENDING,
    tokenHash: hashToken(token),
    tokenExpiresAt: new Date(now.getTime() + VERIFICATION_TOKEN_TTL_MS),
    requestedAt: now,
    verifiedAt: null,
  });
  const title = ROLE_TITLES[role];
  await enqueueMessage(change.manager, {
    accountId,
    kind: DeliveryKind.VERIFICATION,
    email,
    subject: `Confirm that you are the ${title} for ${change.account.name}`,
    body: [
      `${change.actor.email} named ${email} as the ${title} for the account "${change.account.name}".`,
      "",
      `If that is right, confirm it within ${VERIFICATION_TOKEN_TTL_MS / 86_400_000} days with this token`,
      "(the token of the verifyContactEmail mutation; no sign-in is needed):",
      "",
      `    ${token}`,
      "",
      "If you do not know this account, ignore this message and tell us at the address it came from.",
    ].join("\n"),
    requestedById: change.actor.id,
  });
}

/** Sends a new token for the external contact of a role, e.g. after the last one expired; the state starts over. */
export async function resendVerification(change: AccountChange, role: ContactRoleKind): Promise<void> {
  const contact = await change.manager.findOne(RoleContact, { where: { accountId: change.account.id, role } });
  if (!contact || contact.userId !== null) throw badInput("That role is not held by an outside address, so there is nothing to verify.", "role");
  await startVerification(change, role, contact.email);
}

/** The role no longer names an external address: its verification goes. */
export async function forgetVerification(change: AccountChange, role: ContactRoleKind): Promise<void> {
  await change.manager.delete(ContactVerification, { accountId: change.account.id, role });
}

const invalidToken = () =>
  new DomainError(ErrorCode.BAD_USER_INPUT, "This verification token is not valid or has already been used.", { field: "token" });

/** Confirms an address with the token sent to it. The token works once, and only until it expires. */
export async function verifyContactEmail(db: Database, token: string): Promise<ContactVerification> {
  if (token.length < 16 || token.length > 200) throw invalidToken();
  return db.write(async (manager) => {
    const verification = await manager.findOne(ContactVerification, { where: { tokenHash: hashToken(token) } });
    if (!verification) throw invalidToken();
    const now = new Date();
    if (verification.tokenExpiresAt.getTime() < now.getTime()) {
      throw new DomainError(ErrorCode.BAD_USER_INPUT, "This verification token has expired. Ask an admin of the account to send a new one.", {
        field: "token",
      });
    }
    await manager.update(
      ContactVerification,
      { accountId: verification.accountId, role: verification.role },
      { state: VerificationState.VERIFIED, verifiedAt: now, tokenHash: null },
    );
    return Object.assign(verification, { state: VerificationState.VERIFIED, verifiedAt: now, tokenHash: null });
  });
}
