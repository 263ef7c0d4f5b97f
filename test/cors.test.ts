import { expect } from "chai";
import { ConfigError, loadConfig } from "../src/config";
import { TEST_JWT_SECRET, startTestServer, tokenFor, type TestServer } from "./helpers/server";

const APP = "https://settings.example.com";
const OTHER = "https://evil.example.net";

function preflight(server: TestServer, origin: string) {
  return fetch(server.url, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
  });
}

function postFrom(server: TestServer, origin: string, token: string) {
  return fetch(server.url, {
    method: "POST",
    headers: { origin, "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ viewer { email } }" }),
  });
}

describe("CORS and CSRF prevention", () => {
  describe("with no CORS_ORIGINS", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    it("lets no browser origin call the API", async () => {
      const answer = await preflight(server, APP);
      expect(answer.headers.get("access-control-allow-origin")).to.equal(null);
      const post = await postFrom(server, APP, await tokenFor("cors-none@example.com"));
      expect(post.headers.get("access-control-allow-origin")).to.equal(null);
    });

    it("keeps Apollo's CSRF prevention on: a simple cross-site request is refused before it runs", async () => {
      const token = await tokenFor("csrf@example.com");
      const form = await fetch(server.url, {
        method: "POST",
        headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: 'mutation { createAccount(input: { name: "CSRF" }) { account { id } } }' }),
      });
      expect(form.status).to.equal(400);
      expect(await form.text()).to.match(/CSRF/i);
      const get = await fetch(`${server.url}?query=${encodeURIComponent("{ viewer { email } }")}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(get.status).to.equal(400);
      expect(await get.text()).to.match(/CSRF/i);
    });
  });

  describe("with CORS_ORIGINS listing the frontend's origins", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { CORS_ORIGINS: `${APP}, http://localhost:5173` } });
    });
    after(() => server.close());

    it("answers a listed origin's preflight for Authorization and Content-Type, without credentials", async () => {
      const answer = await preflight(server, APP);
      expect(answer.status).to.be.oneOf([200, 204]);
      expect(answer.headers.get("access-control-allow-origin")).to.equal(APP);
      expect(answer.headers.get("access-control-allow-methods")).to.include("POST");
      expect(answer.headers.get("access-control-allow-headers")?.toLowerCase()).to.include("authorization");
      expect(answer.headers.get("access-control-allow-credentials")).to.equal(null);
      expect(answer.headers.get("access-control-max-age")).to.equal("600");
    });

    it("allows each listed origin on the request itself and varies caches by Origin", async () => {
      const token = await tokenFor("cors-listed@example.com");
      for (const origin of [APP, "http://localhost:5173"]) {
        const post = await postFrom(server, origin, token);
        expect(post.status).to.equal(200);
        expect(post.headers.get("access-control-allow-origin")).to.equal(origin);
        expect(post.headers.get("vary")).to.match(/origin/i);
        expect(((await post.json()) as { data: { viewer: { email: string } } }).data.viewer.email).to.equal("cors-listed@example.com");
      }
    });

    it("gives an unlisted origin no CORS headers", async () => {
      expect((await preflight(server, OTHER)).headers.get("access-control-allow-origin")).to.equal(null);
      expect((await postFrom(server, OTHER, await tokenFor("cors-other@example.com"))).headers.get("access-control-allow-origin")).to.equal(
        null,
      );
    });
  });

  describe("on a rate-limited mutation from a listed origin", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { CORS_ORIGINS: APP, MUTATION_RATE_LIMIT: "1", MUTATION_RATE_WINDOW_SECONDS: "60" } });
    });
    after(() => server.close());

    it("exposes Retry-After on the 429, so the browser app can read when to try again", async () => {
      const token = await tokenFor("cors-busy@example.com");
      const create = (name: string) =>
        fetch(server.url, {
          method: "POST",
          headers: { origin: APP, "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: `mutation { createAccount(input: { name: "${name}" }) { __typename } }` }),
        });
      expect((await create("First")).status).to.equal(200);
      const refused = await create("Second");
      expect(refused.status).to.equal(429);
      expect(refused.headers.get("access-control-allow-origin")).to.equal(APP);
      expect(Number(refused.headers.get("retry-after"))).to.be.within(1, 60);
      const exposed = (refused.headers.get("access-control-expose-headers") ?? "").split(",").map((name) => name.trim().toLowerCase());
      expect(exposed).to.include("retry-after");
    });
  });

  describe("with CORS_ORIGINS=*", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { CORS_ORIGINS: "*" } });
    });
    after(() => server.close());

    it("allows any origin with a literal * and never allows credentials", async () => {
      const answer = await preflight(server, OTHER);
      expect(answer.headers.get("access-control-allow-origin")).to.equal("*");
      expect(answer.headers.get("access-control-allow-credentials")).to.equal(null);
      const post = await postFrom(server, OTHER, await tokenFor("cors-any@example.com"));
      expect(post.headers.get("access-control-allow-origin")).to.equal("*");
      expect(post.headers.get("access-control-allow-credentials")).to.equal(null);
      expect(post.headers.get("access-control-expose-headers")?.toLowerCase()).to.include("retry-after");
    });
  });

  it("refuses to start with an entry that is not an origin", () => {
    for (const bad of ["https://app.example.com/", "https://app.example.com/settings", "app.example.com", "https://App.example.com"]) {
      expect(() => loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, CORS_ORIGINS: bad }), bad).to.throw(ConfigError, /CORS_ORIGINS/);
    }
    expect(
      loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, CORS_ORIGINS: " https://a.example.com ,http://localhost:3000," }).corsOrigins,
    ).to.deep.equal(["https://a.example.com", "http://localhost:3000"]);
  });
});
