import { verifyToken, type Identity } from "./tokens";

interface Verified {
  identity: Identity;
  /** Seconds since the epoch, from the token's own claims. */
  notBefore: number;
  expires: number;
}

function claims(token: string): { nbf?: unknown; exp?: unknown } {
  try {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { nbf?: unknown; exp?: unknown };
  } catch {
    return {};
  }
}

/**
 * Remembers tokens whose signature has already been checked, so a client that sends the same token
 * with every request pays for the HMAC (an asynchronous WebCrypto job in jose) once. Only tokens that
 * passed `verifyToken` are kept, each only until its own `exp`; anything else is checked in full.
 */
export class VerifiedTokens {
  private readonly verified = new Map<string, Verified>();

  constructor(
    private readonly secret: string,
    private readonly capacity = 10_000,
  ) {}

  async verify(token: string): Promise<Identity> {
    const now = Date.now() / 1000;
    const known = this.verified.get(token);
    if (known && now >= known.notBefore && now < known.expires) return known.identity;
    if (known) this.verified.delete(token);
    const identity = await verifyToken(this.secret, token);
    const { nbf, exp } = claims(token);
    // A token without `exp` never expires by itself; it is still checked again once it is evicted.
    const expires = typeof exp === "number" ? exp : Number.POSITIVE_INFINITY;
    if (this.verified.size >= this.capacity) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { identity, notBefore: typeof nbf === "number" ? nbf : 0, expires });
    return identity;
  }
}
