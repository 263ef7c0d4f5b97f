import { expect } from "chai";
import { verifyToken } from "../src/auth/tokens";
import { DEMO_ADMIN } from "../src/seed";
import { startTestServer, type TestServer } from "./helpers/server";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

interface GraphiQLPage {
  response: Response;
  html: string;
  settings: { defaultQuery: string; defaultHeaders?: string };
  assetUrls: string[];
}

async function openGraphiQL(server: TestServer): Promise<GraphiQLPage> {
  const response = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT } });
  const html = await response.text();
  const json = /<script type="application\/json" id="graphiql-settings">(.*?)<\/script>/s.exec(html);
  const settings = json ? JSON.parse(json[1]!) : { defaultQuery: "" };
  const assetUrls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  return { response, html, settings, assetUrls };
}

describe("GraphiQL", () => {
  describe("in development", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { NODE_ENV: "development" } });
    });
    after(() => server.close());

    it("serves the page to a browser, loading only the server's own files", async () => {
      const page = await openGraphiQL(server);
      expect(page.response.status).to.equal(200);
      expect(page.response.headers.get("content-type")).to.match(/^text\/html/);
      expect(page.assetUrls.filter((url) => url !== "data:,")).to.have.length.greaterThan(4);
      for (const url of page.assetUrls) expect(url, "no other host").to.match(/^(\/graphiql\/|data:)/);
      expect(page.html).not.to.match(/https?:\/\//);
    });

    it("sends a strict Content-Security-Policy and keeps the page out of caches", async () => {
      const { response } = await openGraphiQL(server);
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).to.include("default-src 'none'").and.include("script-src 'self'").and.include("connect-src 'self'");
      expect(csp).not.to.include("unsafe-inline");
      expect(csp).not.to.include("unsafe-eval");
      expect(response.headers.get("cache-control")).to.equal("no-store");
    });

    it("opens with a valid token for the demo admin and the example operation", async () => {
      const { settings } = await openGraphiQL(server);
      expect(settings.defaultQuery).to.include("query MyAccountsAndContacts");
      const headers = JSON.parse(settings.defaultHeaders!) as { Authorization: string };
      const token = headers.Authorization.replace(/^Bearer /, "");
      expect((await verifyToken(server.config, token)).identity.email).to.equal(DEMO_ADMIN.email);
    });

    it("serves its files gzipped with long-lived cache headers, and 404s any other file or version", async () => {
      const { assetUrls } = await openGraphiQL(server);
      const origin = new URL(server.url).origin;
      const script = assetUrls.find((url) => url.endsWith("/graphiql.min.js"))!;
      const response = await fetch(origin + script, { headers: { "accept-encoding": "gzip" } });
      expect(response.status).to.equal(200);
      expect(response.headers.get("cache-control")).to.equal("public, max-age=31536000, immutable");
      expect(response.headers.get("content-type")).to.match(/^text\/javascript/);
      expect(response.headers.get("content-encoding")).to.equal("gzip");
      const etag = response.headers.get("etag")!;
      const revalidated = await fetch(origin + script, { headers: { "if-none-match": etag } });
      expect(revalidated.status).to.equal(304);

      const plain = await fetch(origin + script.replace(/graphiql\.min\.js$/, "start.js"), { headers: { "accept-encoding": "identity" } });
      expect(plain.headers.get("content-encoding")).to.equal(null);
      expect(await plain.text()).to.include("graphiql-settings");

      expect((await fetch(origin + script.replace(/[^/]+$/, "package.json"))).status).to.equal(404);
      expect((await fetch(origin + script.replace(/\/graphiql\/[^/]+\//, "/graphiql/old-version/"))).status).to.equal(404);
      expect((await fetch(`${origin}/graphiql/x/..%2F..%2Fpackage.json`)).status).to.equal(404);
    });

    it("leaves API clients alone: JSON GET and POST still reach GraphQL", async () => {
      const get = await fetch(`${server.url}?query=${encodeURIComponent("{ __typename }")}`, {
        headers: { accept: "application/json", "apollo-require-preflight": "true" },
      });
      expect(await get.json()).to.deep.equal({ data: { __typename: "Query" } });
      const post = await server.graphql("{ __typename }");
      expect(post.data).to.deep.equal({ __typename: "Query" });
    });
  });

  describe("in production", () => {
    it("is off unless GRAPHIQL=true", async () => {
      const server = await startTestServer({ env: { NODE_ENV: "production" } });
      try {
        const { response, html } = await openGraphiQL(server);
        expect(response.headers.get("content-type") ?? "").not.to.match(/^text\/html/);
        expect(html).not.to.include("graphiql-settings");
        expect((await fetch(`${new URL(server.url).origin}/graphiql/any/start.js`)).status).to.equal(404);
      } finally {
        await server.close();
      }
    });

    it("with GRAPHIQL=true serves the page but never a token, even with demo data on", async () => {
      const server = await startTestServer({ env: { NODE_ENV: "production", GRAPHIQL: "true", SEED_DEMO_DATA: "true" } });
      try {
        const { response, html, settings } = await openGraphiQL(server);
        expect(response.status).to.equal(200);
        expect(settings.defaultQuery).to.include("query MyAccountsAndContacts");
        expect(settings.defaultHeaders).to.equal(undefined);
        expect(html).not.to.match(/Bearer ey/);
      } finally {
        await server.close();
      }
    });
  });

  it("offers no token in development when the demo data is off", async () => {
    const server = await startTestServer({ env: { NODE_ENV: "development", SEED_DEMO_DATA: "false" } });
    try {
      const { response, settings } = await openGraphiQL(server);
      expect(response.status).to.equal(200);
      expect(settings.defaultHeaders).to.equal(undefined);
    } finally {
      await server.close();
    }
  });
});
