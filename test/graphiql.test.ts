import http from "node:http";
import vm from "node:vm";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { verifyToken } from "../src/auth/tokens";
import { loadConfig } from "../src/config";
import { Database } from "../src/database";
import { createApp } from "../src/app";
import { DEMO_ADMIN, demoRoles, seedDemoData } from "../src/seed";
import { isLoopbackAddress, isLoopbackHost } from "../src/graphiql/demo-token";
import { decodeGlobalId } from "../src/common/global-id";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, TEST_JWT_SECRET, type TestServer } from "./helpers/server";
import { createAccount, ok, signIn } from "./helpers/factories";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

interface GraphiQLPage {
  response: Response;
  html: string;
  settings: { defaultQuery: string; defaultHeaders?: string };
  assetUrls: string[];
}

async function openGraphiQL(server: { url: string }): Promise<GraphiQLPage> {
  const response = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT } });
  const html = await response.text();
  const json = /<script type="application\/json" id="graphiql-settings">(.*?)<\/script>/s.exec(html);
  const settings = json ? JSON.parse(json[1]!) : { defaultQuery: "" };
  const assetUrls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
  return { response, html, settings, assetUrls };
}

/** The page as a browser that reached the server under another name (`host`) would get it. */
function openGraphiQLAs(server: { url: string }, host: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get(server.url, { headers: { accept: BROWSER_ACCEPT, host, ...headers } }, (response) => {
      let html = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (html += chunk));
      response.on("end", () => resolve(html));
    });
    request.on("error", reject);
  });
}

/**
 * A development server with the demo data and DEMO_TOKEN on, listening on `host` (startTestServer always
 * uses 127.0.0.1). Config refuses a non-loopback HOST in development, so only the listen goes there.
 */
async function startServerOn(host: string): Promise<{ url: string; close(): Promise<void> }> {
  const config = loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, NODE_ENV: "development", DEMO_TOKEN: "true", PORT: "0" });
  const databaseUrl = await freshDatabaseUrl();
  const db = await Database.open({ databaseUrl, postgres: config.database });
  await db.migrate();
  const app = await createApp(config, db, () => undefined);
  expect(await seedDemoData(db, app.outbox)).to.equal(true);
  await new Promise<void>((resolve) => app.httpServer.listen(0, host, resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async close() {
      await app.apollo.stop();
      await db.close();
      await dropTestDatabase(databaseUrl);
    },
  };
}

describe("GraphiQL", () => {
  describe("in development", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { NODE_ENV: "development", DEMO_TOKEN: "true" } });
      expect(await seedDemoData(server.db, server.app.outbox)).to.equal(true);
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
      const verified = await verifyToken(server.config, token);
      expect(verified.identity.email).to.equal(DEMO_ADMIN.email);
      expect(verified.expiresAt - Date.now() / 1000).to.be.within(11 * 3600, 12 * 3600);
      expect(ok(await server.graphql("{ accounts { totalCount } }", {}, token)).accounts.totalCount).to.equal(3);
    });

    it("opens with an operation that runs as it is, in the 1.0 shapes", async () => {
      const { settings } = await openGraphiQL(server);
      const token = (JSON.parse(settings.defaultHeaders!) as { Authorization: string }).Authorization.replace(/^Bearer /, "");
      type Data = {
        viewer: { id: string; email: string };
        accounts: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: {
            cursor: string;
            node: {
              id: string;
              name: string;
              primaryContact: { id: string; email: string };
              roleContacts: { id: string }[];
              members: { totalCount: number; nodes: { id: string; displayName: string | null; user: { id: string; email: string } }[] };
            };
          }[];
        };
      };
      // The editor's text as it opens, comments and all, is what the run button sends.
      const data = ok(await server.graphql<Data>(settings.defaultQuery, {}, token));
      expect(decodeGlobalId(data.viewer.id)?.type).to.equal("User");
      expect(data.viewer.email).to.equal(DEMO_ADMIN.email);
      expect(data.accounts.totalCount).to.equal(3);
      expect(data.accounts.pageInfo).to.deep.equal({ hasNextPage: false, endCursor: data.accounts.edges.at(-1)!.cursor });
      const northwind = data.accounts.edges.map((edge) => edge.node).find((account) => account.name === "Northwind Traders")!;
      expect(decodeGlobalId(northwind.id)?.type).to.equal("Account");
      expect(decodeGlobalId(northwind.primaryContact.id)?.type).to.equal("User");
      const northwindRoles = Object.keys(demoRoles()[0]!).length;
      expect(northwind.roleContacts.map((contact) => decodeGlobalId(contact.id)?.type)).to.deep.equal(
        Array(northwindRoles).fill("ContactRole"),
      );
      expect(northwind.members.totalCount).to.equal(5);
      expect(northwind.members.nodes.map((member) => decodeGlobalId(member.id)?.type)).to.deep.equal(Array(5).fill("AccountMember"));
      // Members added by an admin who never signed in are named by what the admin typed.
      expect(northwind.members.nodes.find((member) => member.user.email === northwind.primaryContact.email)!.displayName).to.equal(
        "Grace Hopper",
      );
    });

    it("offers no token to a page reached under a name that is not this machine's (DNS rebinding)", async () => {
      for (const host of ["localhost", `127.0.0.1:${new URL(server.url).port}`, "[::1]:4000"]) {
        expect(await openGraphiQLAs(server, host), host).to.match(/Bearer ey/);
      }
      for (const host of ["attacker.example", "attacker.example:4000", "127.0.0.1.attacker.example", "localhost.attacker.example"]) {
        const html = await openGraphiQLAs(server, host);
        expect(html, host).to.include("graphiql-settings");
        expect(html, host).not.to.match(/Bearer ey/);
      }
    });

    it("offers no token to a request that came through a proxy, which would reach the server from loopback too", async () => {
      const host = new URL(server.url).host;
      expect(await openGraphiQLAs(server, host)).to.match(/Bearer ey/);
      for (const [name, value] of [
        ["x-forwarded-for", "203.0.113.7"],
        ["forwarded", "for=203.0.113.7;host=contacts.example.com"],
        ["x-forwarded-host", "contacts.example.com"],
        ["x-real-ip", "203.0.113.7"],
      ] as const) {
        const html = await openGraphiQLAs(server, host, { [name]: value });
        expect(html, name).to.include("graphiql-settings");
        expect(html, name).not.to.match(/Bearer ey/);
      }
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

    it("runs subscriptions: its fetcher is given the graphql-ws URL of the same path, and the Headers editor's token opens the socket", async () => {
      const { assetUrls } = await openGraphiQL(server);
      const origin = new URL(server.url).origin;
      const scriptUrl = (name: string) => origin + assetUrls.find((url) => url.endsWith(`/${name}`))!;
      // The page's start-up script, run against stand-ins for the browser and GraphiQL's globals: what it hands createFetcher.
      const start = await (await fetch(scriptUrl("start.js"))).text();
      const fetcherOptions: Record<string, unknown>[] = [];
      const element = { textContent: JSON.stringify({ defaultQuery: "" }) };
      const sandbox = {
        window: {
          location: { origin, pathname: "/graphql" },
          localStorage: { length: 0, key: () => null, getItem: () => null, setItem: () => undefined, removeItem: () => undefined },
        },
        document: { getElementById: () => element },
        GraphiQL: Object.assign(() => null, { createFetcher: (options: Record<string, unknown>) => fetcherOptions.push(options) }),
        React: { createElement: () => null },
        ReactDOM: { createRoot: () => ({ render: () => undefined }) },
      };
      vm.runInNewContext(start, sandbox);
      expect(fetcherOptions).to.deep.equal([{ url: `${origin}/graphql`, subscriptionUrl: `${origin.replace(/^http/, "ws")}/graphql` }]);
      // GraphiQL's own file carries the graphql-ws client that subscriptionUrl needs: no other script is loaded.
      expect(await (await fetch(scriptUrl("graphiql.min.js"))).text()).to.include("createWebsocketsFetcherFromUrl");
      // GraphiQL sends the Headers editor as the connection_init payload, with `Authorization` capitalised.
      const admin = await signIn(server, "graphiql-subscriber@example.com");
      const account = await createAccount(server, admin);
      const client = createClient({
        url: fetcherOptions[0]!.subscriptionUrl as string,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { Authorization: `Bearer ${admin.token}` },
      });
      try {
        const first = await new Promise<unknown>((resolve, reject) => {
          const stop = client.subscribe(
            {
              query: "subscription($id: ID!) { accountChanged(accountId: $id, afterSequence: 0) { sequence } }",
              variables: { id: account.id },
            },
            {
              next: (result) => {
                stop();
                resolve(result);
              },
              error: reject,
              complete: () => undefined,
            },
          );
        });
        expect(first).to.deep.equal({ data: { accountChanged: { sequence: 1 } } });
      } finally {
        await client.dispose();
      }
    });

    it("leaves API clients alone: JSON GET and POST still reach GraphQL", async () => {
      const get = await fetch(`${server.url}?query=${encodeURIComponent("{ __typename }")}`, {
        headers: { accept: "application/json", "apollo-require-preflight": "true" },
      });
      const answer = (await get.json()) as { data: unknown; errors?: unknown };
      expect(answer.data).to.deep.equal({ __typename: "Query" });
      expect(answer.errors).to.equal(undefined);
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

  describe("the demo admin's token", () => {
    it("is on a page no other site may read, even with CORS_ORIGINS=*", async () => {
      const server = await startTestServer({ env: { NODE_ENV: "development", DEMO_TOKEN: "true", CORS_ORIGINS: "*" } });
      try {
        await seedDemoData(server.db, server.app.outbox);
        const response = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT, origin: "https://evil.example.net" } });
        expect(await response.text()).to.match(/Bearer ey/);
        expect(response.headers.get("access-control-allow-origin")).to.equal(null);
      } finally {
        await server.close();
      }
    });

    it("is not offered without DEMO_TOKEN, though the server is in development and loaded the demo data itself", async () => {
      const server = await startTestServer({ env: { NODE_ENV: "development" } });
      try {
        expect(await seedDemoData(server.db, server.app.outbox)).to.equal(true);
        const { response, html, settings } = await openGraphiQL(server);
        expect(response.status).to.equal(200);
        expect(settings.defaultHeaders).to.equal(undefined);
        expect(settings.defaultQuery).to.include("npm run token");
        expect(html).not.to.match(/eyJ/);
      } finally {
        await server.close();
      }
    });

    it("is not offered by a server that listens on a non-loopback address such as 0.0.0.0", async () => {
      const server = await startServerOn("0.0.0.0");
      try {
        const { response, html, settings } = await openGraphiQL(server);
        expect(response.status).to.equal(200);
        expect(settings.defaultHeaders).to.equal(undefined);
        expect(html).not.to.match(/eyJ/);
      } finally {
        await server.close();
      }
    });

    it("is offered by the same set-up listening on 127.0.0.1", async () => {
      const server = await startServerOn("127.0.0.1");
      try {
        expect((await openGraphiQL(server)).settings.defaultHeaders).to.match(/Bearer ey/);
      } finally {
        await server.close();
      }
    });

    it("is not offered for a database whose data this server did not load as demo data", async () => {
      const server = await startTestServer({ env: { NODE_ENV: "development", DEMO_TOKEN: "true" } });
      try {
        // Real-looking data, even the demo admin's own account, but not loaded by the seed.
        const ada = await signIn(server, DEMO_ADMIN.email, DEMO_ADMIN.name);
        await createAccount(server, ada, "Northwind Traders");
        expect(await seedDemoData(server.db, server.app.outbox), "the seed leaves a database with data alone").to.equal(false);
        const { settings, html } = await openGraphiQL(server);
        expect(settings.defaultHeaders).to.equal(undefined);
        expect(html).not.to.match(/eyJ/);
      } finally {
        await server.close();
      }
    });

    it("tells loopback addresses and names from others", () => {
      for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
        expect(isLoopbackAddress(address), address).to.equal(true);
      for (const address of ["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "::ffff:10.0.0.1", "128.0.0.1", "localhost", ""]) {
        expect(isLoopbackAddress(address), address).to.equal(false);
      }
      for (const host of ["localhost", "localhost:4000", "127.0.0.1:4000", "[::1]:4000", "LOCALHOST"])
        expect(isLoopbackHost(host), host).to.equal(true);
      for (const host of [
        undefined,
        "",
        "example.com",
        "127.0.0.1.nip.io",
        "[::]:4000",
        "0.0.0.0:4000",
        "localhost@evil.example",
        "evil.example#localhost",
      ]) {
        expect(isLoopbackHost(host), String(host)).to.equal(false);
      }
    });
  });

  it("offers no token in development when the demo data is off", async () => {
    const server = await startTestServer({ env: { NODE_ENV: "development", DEMO_TOKEN: "true", SEED_DEMO_DATA: "false" } });
    try {
      const { response, settings } = await openGraphiQL(server);
      expect(response.status).to.equal(200);
      expect(settings.defaultHeaders).to.equal(undefined);
    } finally {
      await server.close();
    }
  });
});
