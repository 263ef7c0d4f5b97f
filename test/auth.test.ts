import { expect } from "chai";
import { SignJWT, UnsecuredJWT } from "jose";
import { startTestServer, TEST_JWT_SECRET, tokenFor, type TestServer } from "./helpers/server";
import { failsWith, ok } from "./helpers/factories";

const key = new TextEncoder().encode(TEST_JWT_SECRET);

describe("authentication", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function refused(headers: Record<string, string>) {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ query: "{ viewer { id email } }" }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] };
    expect(response.status).to.equal(401);
    expect(body.errors?.[0]?.extensions.code).to.equal("UNAUTHENTICATED");
    expect(body.data).to.equal(null);
  }

  it("refuses a request without a token with UNAUTHENTICATED", () => refused({}));

  it("refuses a malformed Authorization header", async () => {
    await refused({ authorization: "Bearer" });
    await refused({ authorization: "Token abc" });
    await refused({ authorization: "Bearer not.a.jwt" });
  });

  it("refuses a token signed with another secret", async () => {
    await refused({ authorization: `Bearer ${await tokenFor("mallory@example.com", undefined, "another-secret-of-sufficient-length-000")}` });
  });

  it("refuses an unsigned token (alg: none)", async () => {
    const unsigned = new UnsecuredJWT({ email: "mallory@example.com" }).setIssuedAt().setExpirationTime("1h").encode();
    await refused({ authorization: `Bearer ${unsigned}` });
  });

  it("refuses a token signed with another algorithm family's header", async () => {
    const token = await new SignJWT({ email: "mallory@example.com" }).setProtectedHeader({ alg: "HS512" }).setExpirationTime("1h").sign(key);
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

  it("refuses mutations without a token, and writes nothing", async () => {
    const response = await server.graphql(`mutation { createAccount(input: { name: "Sneaky" }) { id } }`, {}, null);
    failsWith(response, "UNAUTHENTICATED");
    const count = await server.db.read((m) => m.query(`SELECT COUNT(*) AS n FROM "accounts"`));
    expect(Number(count[0].n)).to.equal(0);
  });

  it("creates the caller's user record on first sight, once, with the email lower-cased", async () => {
    const first = ok(await server.graphql("{ viewer { id email name } }", {}, await tokenFor("New.Person@Example.COM", "New Person")));
    expect(first.viewer).to.include({ email: "new.person@example.com", name: "New Person" });
    const again = ok(await server.graphql("{ viewer { id email } }", {}, await tokenFor("new.person@example.com")));
    expect(again.viewer.id).to.equal(first.viewer.id);
  });

  it("provisions one user when a new caller's first requests arrive at once", async () => {
    const token = await tokenFor("burst@example.com");
    const responses = await Promise.all(Array.from({ length: 8 }, () => server.graphql("{ viewer { id } }", {}, token)));
    const ids = new Set(responses.map((response) => ok(response).viewer.id));
    expect(ids.size).to.equal(1);
  });
});
