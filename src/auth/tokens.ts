import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { normaliseEmail } from "../common/email";
import { cleanName } from "../common/names";

export interface Identity {
  email: string;
  name: string | null;
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Claims a token must carry besides its signature, where the server asks for them. */
export interface TokenAudience {
  issuer?: string | null;
  audience?: string | null;
}

/**
 * Signs a token for an identity. `expiresIn` is relative when a string ("12h") and seconds since
 * the epoch when a number, as in jose's `setExpirationTime`.
 */
export async function signToken(
  secret: string,
  identity: { email: string; name?: string | null },
  expiresIn: string | number = "12h",
  { issuer = null, audience = null }: TokenAudience = {},
): Promise<string> {
  const claims: Record<string, string> = { email: identity.email };
  if (identity.name) claims.name = identity.name;
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime(expiresIn);
  if (issuer) jwt.setIssuer(issuer);
  if (audience) jwt.setAudience(audience);
  return jwt.sign(key(secret));
}

/** What a bearer token must satisfy; `Config` carries these settings. */
export interface TokenRules {
  jwtSecret: string;
  /** A token whose `exp` lies more than this many seconds after its `iat` (or after now) is refused. */
  jwtMaxLifetimeSeconds: number;
  jwtIssuer: string | null;
  jwtAudience: string | null;
}

/** A token that passed every check. */
export interface VerifiedToken {
  identity: Identity;
  /** Its `exp`, in seconds since the epoch: from then on the verifier refuses it. */
  expiresAt: number;
}

/** Clocks of a sign-in service a little ahead of ours: `iat` and the lifetime cap allow this much. */
const CLOCK_SKEW_SECONDS = 60;

export class InvalidTokenError extends Error {}

/** Why jose refused a token, in one sentence for the caller. */
function refusal(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return "The token has expired.";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "exp" && error.reason === "missing") return "The token must carry an expiry time (exp).";
    if (error.claim === "iss") return "The token was issued by another issuer than this server accepts.";
    if (error.claim === "aud") return "The token is meant for another audience than this server.";
    if (error.claim === "nbf") return "The token is not valid yet.";
  }
  return "The token is not valid.";
}

/**
 * Checks an HS256 token (only HS256: `alg: none` and every other algorithm are refused) and reads the
 * caller. The token must expire, at most the configured maximum lifetime after it was issued (or after
 * now, without `iat`), must not be issued in the future, and must name the configured issuer and
 * audience when they are set.
 */
export async function verifyToken(rules: TokenRules, token: string): Promise<VerifiedToken> {
  try {
    const { payload } = await jwtVerify(token, key(rules.jwtSecret), {
      algorithms: ["HS256"],
      requiredClaims: ["exp"],
      ...(rules.jwtIssuer ? { issuer: rules.jwtIssuer } : {}),
      ...(rules.jwtAudience ? { audience: rules.jwtAudience } : {}),
    });
    // jwtVerify has checked that exp is there, is a number and lies ahead, and that iat is a number if present.
    const expiresAt = payload.exp!;
    const now = Date.now() / 1000;
    if (payload.iat !== undefined && payload.iat > now + CLOCK_SKEW_SECONDS) throw new InvalidTokenError("The token was issued in the future.");
    const lifetimeFrom = Math.min(now, payload.iat ?? now);
    if (expiresAt > lifetimeFrom + rules.jwtMaxLifetimeSeconds + CLOCK_SKEW_SECONDS) {
      throw new InvalidTokenError("The token stays valid for longer than this server accepts.");
    }
    const email = normaliseEmail(payload.email);
    if (!email) throw new InvalidTokenError("The token has no valid email claim.");
    // The identity provider's name cannot be refused, only made safe to store and show.
    return { identity: { email, name: cleanName(payload.name) }, expiresAt };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    throw new InvalidTokenError(refusal(error));
  }
}

/** Reads the token from an `Authorization: Bearer …` header value. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : "";
}
