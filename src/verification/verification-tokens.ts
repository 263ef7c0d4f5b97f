import { createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";

/** Separates this key from every other use of AUTH_JWT_SECRET. */
const KEY_PURPOSE = "contact-points: contact verification tokens";

/**
 * Where a stored verification message's token goes. Its control characters are ones no text put
 * into mail can carry (see mail-text.ts), so nothing else in the message can pose as it.
 */
export const TOKEN_PLACEHOLDER = "\u001e(verification token)\u001e";

/**
 * Verification tokens the database never holds. A token is the HMAC of a random nonce under a key
 * derived from AUTH_JWT_SECRET: the outbox keeps only the nonce, the verification only the token's
 * hash, and the delivery worker derives the token as it sends the message. Someone who can read the
 * database (a backup, a replica) finds nothing that confirms an address.
 * Changing AUTH_JWT_SECRET voids the tokens of messages not yet sent; an admin resends them.
 */
export class VerificationTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), KEY_PURPOSE, 32));
  }

  /** A new nonce for a message, and the hash of the token it stands for. */
  issue(): { nonce: string; tokenHash: string } {
    const nonce = randomBytes(32).toString("base64url");
    return { nonce, tokenHash: hashToken(this.tokenFor(nonce)) };
  }

  /** The token a nonce stands for: 43 URL-safe characters. */
  tokenFor(nonce: string): string {
    return createHmac("sha256", this.key).update(nonce, "utf8").digest("base64url");
  }
}

/** What a verification row keeps of its token. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
