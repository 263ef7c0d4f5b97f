import type { Caller } from "../context";
import type { VerifiedTokens } from "../auth/token-cache";
import { bearerToken, InvalidTokenError } from "../auth/tokens";

/** Who an `Authorization` value (an HTTP header, or a WebSocket's connection_init payload) says the caller is; `expiresAt` is the token's `exp`. */
export async function identifyCaller(tokens: VerifiedTokens, authorization: string | undefined): Promise<Caller & { expiresAt?: number }> {
  const token = bearerToken(authorization);
  if (token === null) return { kind: "anonymous" };
  if (token === "") return { kind: "invalid", reason: "UNAUTHENTICATED.malformedHeader" };
  try {
    const verified = await tokens.check(token);
    return { kind: "identified", identity: verified.identity, expiresAt: verified.expiresAt };
  } catch (error) {
    if (error instanceof InvalidTokenError) return { kind: "invalid", reason: error.refusal };
    throw error;
  }
}
