import { expect } from "chai";
import { SignJWT, UnsecuredJWT } from "jose";
import { startTestServer, TEST_JWT_SECRET, tokenFor, type TestServer } from "./helpers/server";
import { failsWith, ok } from "./helpers/factories";
import { globalId } from "../src/common/global-id";

const key = new TextEncoder().encode(TEST_JWT_SECRET);

describe("authentication", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function refused(headers: Record<string, string>, target: TestServer = server): Promise<string> {
    const response = await fetch(target.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query: "{ viewer { id email } }" }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] };
    expect(response.status).to.equal(401);
    expect(body.errors?.[0]?.extensions.code).to.equal("UNAUTHENTICATED");
    expect(body.data).to.equal(null);
    return body.errors![0]!.message;
  }

  /** A token with exactly these claims, signed with the server's secret. */
  function signed(claims: Record<string, unknown>): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(key);
  }

  const now = () => Math.floor(Date.now() / 1000);

  it("refuses a request without a token with UNAUTHENTICATED", () => refused({}));

  it("refuses a malformed Authorization header", async () => {
    await refused({ authorization: "Bearer" });
    await refused({ authorization: "Token abc" });
    await refused({ authorization: "Bearer not.a.jwt" });
  });

  it("refuses a token signed with another secret", async () => {
    await refused({
      authorization: `Bearer ${await tokenFor("mallory@example.com", undefined, "another-secret-of-sufficient-length-000")}`,
    });
  });

  it("refuses an unsigned token (alg: none)", async () => {
    const unsigned = new UnsecuredJWT({ email: "mallory@example.com" }).setIssuedAt().setExpirationTime("1h").encode();
    await refused({ authorization: `Bearer ${unsigned}` });
  });

  it("refuses a token signed with another algorithm family's header", async () => {
    const token = await new SignJWT({ email: "mallory@example.com" })
      .setProtectedHeader({ alg: "HS512" })
      .setExpirationTime("1h")
      .sign(key);
    await refused({ authorization: `Bearer ${token}` });
  });

  it("refuses an expired token", async () => {
    const token = await new SignJWT({ email: "late@example.com" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(key);
    await refused({ authorization: `Bearer ${token}` });
  });

  it("refuses a token without an email claim, or with one that is not an address", async () => {
    const noEmail = await new SignJWT({ sub: "123" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(key);
    await refused({ authorization: `Bearer ${noEmail}` });
    const badEmail = await new SignJWT({ email: "not-an-address" }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("1h").sign(key);
    await refused({ authorization: `Bearer ${badEmail}` });
  });

  it("refuses a token without exp, however often it is sent", async () => {
    const token = await signed({ email: "forever@example.com", iat: now() });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await refused({ authorization: `Bearer ${token}` })).to.match(/^The token must carry an expiry time \(exp\)\. /);
    }
  });

  it("refuses a token whose exp is further away than AUTH_JWT_MAX_LIFETIME (24h by default)", async () => {
    for (const exp of [1e300, now() + 25 * 3600, now() + 365 * 86_400]) {
      const message = await refused({ authorization: `Bearer ${await signed({ email: "far@example.com", iat: now(), exp })}` });
      expect(message, String(exp)).to.match(/longer than this server accepts/);
    }
    ok(await server.graphql("{ viewer { email } }", {}, await signed({ email: "near@example.com", iat: now(), exp: now() + 23 * 3600 })));
    ok(await server.graphql("{ viewer { email } }", {}, await signed({ email: "no-iat@example.com", exp: now() + 23 * 3600 })));
  });

  it("measures the lifetime from iat: a month-long token is refused in its last hour too", async () => {
    const message = await refused({
      authorization: `Bearer ${await signed({ email: "old@example.com", iat: now() - 30 * 86_400, exp: now() + 3600 })}`,
    });
    expect(message).to.match(/longer than this server accepts/);
    ok(
      await server.graphql("{ viewer { email } }", {}, await signed({ email: "fresh@example.com", iat: now() - 3600, exp: now() + 3600 })),
    );
  });

  it("refuses a token issued in the future", async () => {
    const message = await refused({
      authorization: `Bearer ${await signed({ email: "early@example.com", iat: now() + 3600, exp: now() + 7200 })}`,
    });
    expect(message).to.match(/issued in the future/);
  });

  it("refuses a token whose exp or iat is not a number", async () => {
    await refused({ authorization: `Bearer ${await signed({ email: "odd@example.com", exp: "tomorrow" })}` });
    await refused({ authorization: `Bearer ${await signed({ email: "odd@example.com", iat: "now", exp: now() + 60 })}` });
  });

  it("caps lifetimes at AUTH_JWT_MAX_LIFETIME when it is set", async () => {
    const strict = await startTestServer({ env: { AUTH_JWT_MAX_LIFETIME: "15m" } });
    try {
      await refused({ authorization: `Bearer ${await signed({ email: "hour@example.com", iat: now(), exp: now() + 3600 })}` }, strict);
      ok(
        await strict.graphql("{ viewer { email } }", {}, await signed({ email: "quarter@example.com", iat: now(), exp: now() + 14 * 60 })),
      );
    } finally {
      await strict.close();
    }
  });

  describe("with AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE set", () => {
    const ISSUER = "https://sign-in.example.com/";
    const AUDIENCE = "contact-points";
    let checked: TestServer;
    before(async () => {
      checked = await startTestServer({ env: { AUTH_JWT_ISSUER: ISSUER, AUTH_JWT_AUDIENCE: AUDIENCE } });
    });
    after(() => checked.close());

    const claims = (extra: Record<string, unknown>) => ({ email: "claims@example.com", iat: now(), exp: now() + 600, ...extra });

    it("accepts a token from that issuer for that audience (aud may list several)", async () => {
      ok(await checked.graphql("{ viewer { email } }", {}, await signed(claims({ iss: ISSUER, aud: AUDIENCE }))));
      ok(await checked.graphql("{ viewer { email } }", {}, await signed(claims({ iss: ISSUER, aud: ["billing", AUDIENCE] }))));
    });

    it("refuses a token from another issuer, or with none", async () => {
      const other = await refused(
        { authorization: `Bearer ${await signed(claims({ iss: "https://evil.example.net/", aud: AUDIENCE }))}` },
        checked,
      );
      expect(other).to.match(/issuer/);
      await refused({ authorization: `Bearer ${await signed(claims({ aud: AUDIENCE }))}` }, checked);
    });

    it("refuses a token for another audience, or with none", async () => {
      const other = await refused({ authorization: `Bearer ${await signed(claims({ iss: ISSUER, aud: "another-api" }))}` }, checked);
      expect(other).to.match(/audience/);
      await refused({ authorization: `Bearer ${await signed(claims({ iss: ISSUER }))}` }, checked);
    });

    it("lets a server without the settings ignore iss and aud", async () => {
      ok(await server.graphql("{ viewer { email } }", {}, await signed(claims({ iss: "https://anyone.example/", aud: "anything" }))));
    });
  });

  it("refuses mutations without a token, and writes nothing", async () => {
    const response = await server.graphql(`mutation { createAccount(input: { name: "Sneaky" }) { account { id } } }`, {}, null);
    failsWith(response, "UNAUTHENTICATED");
    const count = await server.db.read((m) => m.query(`SELECT COUNT(*) AS n FROM "accounts"`));
    expect(Number(count[0].n)).to.equal(0);
  });

  it("creates the caller's user record on first sight, once, with the email lower-cased", async () => {
    const first = ok(await server.graphql("{ viewer { id email name } }", {}, await tokenFor("New.Person@Example.COM", "New Person")));
    expect(first.viewer).to.include({ email: "new.person@example.com", name: "New Person" });
    const again = ok(await server.graphql("{ viewer { id email } }", {}, await tokenFor("new.person@example.com")));
    expect(again.viewer.id).to.equal(first.viewer.id);
    const rows = await server.db.read((m) => m.query(`SELECT "id" FROM "users" WHERE "email" = 'new.person@example.com'`));
    expect(rows.map((row: { id: string }) => globalId("User", row.id))).to.deep.equal([first.viewer.id]);
  });

  it("provisions one user when a new caller's first requests arrive at once", async () => {
    const token = await tokenFor("burst@example.com");
    const responses = await Promise.all(Array.from({ length: 8 }, () => server.graphql("{ viewer { id } }", {}, token)));
    const ids = new Set(responses.map((response) => ok(response).viewer.id));
    expect(ids.size).to.equal(1);
  });
});
