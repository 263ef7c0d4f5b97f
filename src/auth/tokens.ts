import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { translate, type MessageKey } from "../i18n";
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

/** Why a token is refused: the key of the message the caller reads. */
export type TokenRefusal = Extract<MessageKey, `UNAUTHENTICATED.${string}`>;

export class InvalidTokenError extends Error {
  constructor(readonly refusal: TokenRefusal) {
    super(translate("en", refusal));
  }
}

/** Why jose refused a token. */
function refusal(error: unknown): TokenRefusal {
  if (error instanceof joseErrors.JWTExpired) return "UNAUTHENTICATED.tokenExpired";
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "exp" && error.reason === "missing") return "UNAUTHENTICATED.tokenWithoutExpiry";
    if (error.claim === "iss") return "UNAUTHENTICATED.tokenWrongIssuer";
    if (error.claim === "aud") return "UNAUTHENTICATED.tokenWrongAudience";
    if (error.claim === "nbf") return "UNAUTHENTICATED.tokenNotYetValid";
  }
  return "UNAUTHENTICATED.tokenInvalid";
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
    if (payload.iat !== undefined && payload.iat > now + CLOCK_SKEW_SECONDS)
      throw new InvalidTokenError("UNAUTHENTICATED.tokenFromTheFuture");
    const lifetimeFrom = Math.min(now, payload.iat ?? now);
    if (expiresAt > lifetimeFrom + rules.jwtMaxLifetimeSeconds + CLOCK_SKEW_SECONDS) {
      throw new InvalidTokenError("UNAUTHENTICATED.tokenLivesTooLong");
    }
    const email = normaliseEmail(payload.email);
    if (!email) throw new InvalidTokenError("UNAUTHENTICATED.tokenWithoutEmail");
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
