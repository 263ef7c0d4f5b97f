import { verifyToken, type Identity, type TokenRules, type VerifiedToken } from "./tokens";

/**
 * Remembers tokens whose signature has already been checked, so a client that sends the same token
 * with every request pays for the HMAC (an asynchronous WebCrypto job in jose) once. Only tokens that
 * passed `verifyToken` are kept, each only until the `exp` the verifier read from it (which the verifier
 * requires and caps), so the cache never accepts a token the verifier would refuse; anything else is
 * checked in full.
 */
export class VerifiedTokens {
  private readonly verified = new Map<string, VerifiedToken>();

  constructor(
    private readonly rules: TokenRules,
    private readonly capacity = 10_000,
  ) {}

  async verify(token: string): Promise<Identity> {
    return (await this.check(token)).identity;
  }

  /** The caller and the token's `exp`: a WebSocket authenticated with it is closed then. */
  async check(token: string): Promise<VerifiedToken> {
    const known = this.verified.get(token);
    if (known && Date.now() / 1000 < known.expiresAt) return known;
    if (known) this.verified.delete(token);
    const checked = await verifyToken(this.rules, token);
    if (this.verified.size >= this.capacity) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, checked);
    return checked;
  }
}
