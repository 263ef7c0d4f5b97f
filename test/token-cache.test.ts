import { expect } from "chai";
import { SignJWT } from "jose";
import { loadConfig } from "../src/config";
import { VerifiedTokens } from "../src/auth/token-cache";
import { InvalidTokenError, signToken } from "../src/auth/tokens";
import { TEST_JWT_SECRET } from "./helpers/server";

const RULES = loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET });

function signedWith(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

function remembered(tokens: VerifiedTokens): number {
  return (tokens as unknown as { verified: Map<string, unknown> }).verified.size;
}

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidTokenError);
    return (error as Error).message;
  }
  throw new Error("expected the token to be refused");
}

describe("verified token cache", () => {
  it("answers a token it has checked with the same identity", async () => {
    const tokens = new VerifiedTokens(RULES);
    const token = await signToken(TEST_JWT_SECRET, { email: "Cached@Example.com", name: "Cached" });
    const first = await tokens.verify(token);
    expect(first).to.deep.equal({ email: "cached@example.com", name: "Cached" });
    expect(await tokens.verify(token)).to.deep.equal(first);
  });

  it("refuses a remembered token once it expires", async function () {
    this.timeout(5000);
    const tokens = new VerifiedTokens(RULES);
    const expires = Math.floor(Date.now() / 1000) + 2;
    const token = await signToken(TEST_JWT_SECRET, { email: "brief@example.com" }, expires);
    await tokens.verify(token);
    await new Promise((resolve) => setTimeout(resolve, expires * 1000 - Date.now() + 50));
    expect(await refusal(tokens.verify(token))).to.match(/expired/);
  });

  it("never lets a forged signature ride on a remembered token", async () => {
    const tokens = new VerifiedTokens(RULES);
    const token = await signToken(TEST_JWT_SECRET, { email: "real@example.com" });
    await tokens.verify(token);
    const [header, payload] = token.split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ email: "admin@example.com", exp: 4102444800 })).toString("base64url");
    expect(await refusal(tokens.verify(`${header}.${forgedPayload}.${token.split(".")[2]}`))).to.match(/not valid/);
    expect(await refusal(tokens.verify(`${header}.${payload}.AAAA`))).to.match(/not valid/);
    const otherSecret = await signToken(`${TEST_JWT_SECRET}-other`, { email: "real@example.com" });
    expect(await refusal(tokens.verify(otherSecret))).to.match(/not valid/);
  });

  it("keeps at most its capacity of tokens and still checks the ones it dropped", async () => {
    const tokens = new VerifiedTokens(RULES, 2);
    const signed = await Promise.all(["a", "b", "c"].map((name) => signToken(TEST_JWT_SECRET, { email: `${name}@example.com` })));
    for (const token of signed) await tokens.verify(token);
    expect(remembered(tokens)).to.equal(2);
    expect((await tokens.verify(signed[0]!)).email).to.equal("a@example.com");
  });

  it("never remembers a token the verifier refuses: no exp, or an exp beyond the maximum lifetime", async () => {
    const tokens = new VerifiedTokens(RULES);
    const now = Math.floor(Date.now() / 1000);
    const forever = await signedWith({ email: "forever@example.com", iat: now });
    const far = await signedWith({ email: "far@example.com", iat: now, exp: 1e300 });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await refusal(tokens.verify(forever))).to.match(/expiry time/);
      expect(await refusal(tokens.verify(far))).to.match(/longer than this server accepts/);
    }
    expect(remembered(tokens)).to.equal(0);
  });

  it("applies the verifier's issuer and audience rules to every token it remembers", async () => {
    const rules = loadConfig({
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      AUTH_JWT_ISSUER: "https://sign-in.example.com/",
      AUTH_JWT_AUDIENCE: "contact-points",
    });
    const tokens = new VerifiedTokens(rules);
    const right = await signToken(TEST_JWT_SECRET, { email: "right@example.com" }, "10m", {
      issuer: rules.jwtIssuer,
      audience: rules.jwtAudience,
    });
    expect((await tokens.verify(right)).email).to.equal("right@example.com");
    // The same token is fine for a server without the settings, but this one refuses a token without them.
    const plain = await signToken(TEST_JWT_SECRET, { email: "right@example.com" }, "10m");
    expect((await new VerifiedTokens(RULES).verify(plain)).email).to.equal("right@example.com");
    expect(await refusal(tokens.verify(plain))).to.match(/issuer|audience/);
  });
});
