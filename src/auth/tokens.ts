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

export async function signToken(
  secret: string,
  identity: { email: string; name?: string | null },
  expiresIn: string | number = "12h",
): Promise<string> {
  const claims: Record<string, string> = { email: identity.email };
  if (identity.name) claims.name = identity.name;
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuedAt().setExpirationTime(expiresIn).sign(key(secret));
}

export class InvalidTokenError extends Error {}

/** Checks an HS256 token (only HS256: `alg: none` and every other algorithm are refused) and reads the caller. */
export async function verifyToken(secret: string, token: string): Promise<Identity> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { algorithms: ["HS256"] });
    const email = normaliseEmail(payload.email);
    if (!email) throw new InvalidTokenError("The token has no valid email claim.");
    // The identity provider's name cannot be refused, only made safe to store and show.
    return { email, name: cleanName(payload.name) };
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new InvalidTokenError("The token has expired.");
    throw new InvalidTokenError("The token is not valid.");
  }
}

/** Reads the token from an `Authorization: Bearer …` header value. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : "";
}
