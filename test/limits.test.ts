import { expect } from "chai";
import { TEST_JWT_SECRET, startTestServer, tokenFor, type GraphQLResponse, type TestServer } from "./helpers/server";
import { failsWith, ok, signIn } from "./helpers/factories";
import { MutationRateLimiter } from "../src/security/rate-limit";
import { ConfigError, loadConfig } from "../src/config";

/** Posts a raw body and returns the status, headers, parsed body and how long it took. */
async function post(server: TestServer, body: string, token?: string, contentType = "application/json") {
  const started = performance.now();
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as GraphQLResponse, ms: performance.now() - started };
}

const query = (document: string, variables?: Record<string, unknown>) => JSON.stringify({ query: document, variables });

/** `{ viewer { … on User { … on User { id } } } }` nested `levels` deep: valid GraphQL, only its depth is wrong. */
function nestedQuery(levels: number): string {
  return `{ viewer { ${"... on User { ".repeat(levels)}id${" }".repeat(levels)} } }`;
}

async function accountCount(server: TestServer, token: string): Promise<number> {
  return ok(await server.graphql<{ accounts: { totalCount: number } }>("{ accounts { totalCount } }", {}, token)).accounts.totalCount;
}

describe("request limits", () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer();
    token = (await signIn(server, "limits@example.com")).token;
  });
  after(() => server.close());

  afterEach(async () => {
    // Whatever was refused, the server keeps serving.
    expect(ok(await server.graphql("{ viewer { email } }", {}, token)).viewer.email).to.equal("limits@example.com");
    expect(server.logged).to.deep.equal([]);
  });

  it("refuses { viewer { id } } with 10,000 aliases quickly and clearly", async () => {
    const aliases = Array.from({ length: 10_000 }, (_, index) => `a${index}: viewer { id }`).join(" ");
    const result = await post(server, query(`{ ${aliases} }`), token);
    expect(result.status).to.equal(413); // ~200 KB: over the body limit before GraphQL sees it
    expect(result.body.errors?.[0]?.extensions?.code).to.equal("PAYLOAD_TOO_LARGE");
    expect(result.ms).to.be.below(1000);
    console.log(`      10,000 aliases: HTTP ${result.status} in ${result.ms.toFixed(0)} ms`);
  });

  it("refuses more than 30 aliases with TOO_MANY_ALIASES before any mutation runs", async () => {
    const creates = Array.from(
      { length: 31 },
      (_, index) => `c${index}: createAccount(input: { name: "Alias ${index}" }) { account { id } }`,
    ).join(" ");
    const result = await post(server, query(`mutation { ${creates} }`), token);
    expect(result.status).to.equal(400);
    failsWith(result.body, "TOO_MANY_ALIASES");
    expect(result.body.data ?? null).to.equal(null);
    expect(await accountCount(server, token)).to.equal(0);
    const thirty = Array.from({ length: 30 }, (_, index) => `a${index}: viewer { id }`).join(" ");
    ok((await post(server, query(`{ ${thirty} }`), token)).body);
  });

  it("counts aliases of __typename like any other alias", async () => {
    const typenames = Array.from({ length: 31 }, (_, index) => `t${index}: __typename`).join(" ");
    const result = await post(server, query(`{ ${typenames} }`), token);
    expect(result.status).to.equal(400);
    failsWith(result.body, "TOO_MANY_ALIASES");
    ok((await post(server, query("{ __typename viewer { __typename id } }"), token)).body);
  });

  it("refuses a query 50 levels deep with QUERY_TOO_DEEP, and allows one 10 deep", async () => {
    const deep = await post(server, query(nestedQuery(50)), token);
    expect(deep.status).to.equal(400);
    const error = failsWith(deep.body, "QUERY_TOO_DEEP");
    expect(error.message).to.contain("10 levels");
    expect(deep.ms).to.be.below(1000);
    console.log(`      50 levels deep: HTTP ${deep.status} in ${deep.ms.toFixed(0)} ms`);
    ok((await post(server, query(nestedQuery(8)), token)).body);
  });

  it("refuses a deep mutation before it runs", async () => {
    const result = await post(
      server,
      query(`mutation { createAccount(input: { name: "Deep" }) { account { ${"... on Account { ".repeat(12)}id${" }".repeat(12)} } } }`),
      token,
    );
    failsWith(result.body, "QUERY_TOO_DEEP");
    expect(await accountCount(server, token)).to.equal(0);
  });

  it("refuses more than 20 directives with TOO_MANY_DIRECTIVES", async () => {
    const result = await post(server, query(`{ viewer { ${"id @include(if: true) ".repeat(21)} } }`), token);
    failsWith(result.body, "TOO_MANY_DIRECTIVES");
  });

  it("refuses a document of more than 3,000 tokens with QUERY_TOO_LARGE", async () => {
    const result = await post(server, query(`{ viewer { ${"id ".repeat(3000)}} }`), token);
    expect(result.status).to.equal(400);
    failsWith(result.body, "QUERY_TOO_LARGE");
  });

  it("refuses nested pages whose cost is over 10,000 with QUERY_TOO_COMPLEX, counting `first` from variables", async () => {
    const nested = `query($first: Int) { accounts(first: $first) { edges { node { members(first: 100) { edges { node { user { id email name } } } } } } } }`;
    const result = await post(server, query(nested, { first: 100 }), token);
    expect(result.status).to.equal(400);
    const error = failsWith(result.body, "QUERY_TOO_COMPLEX");
    expect(error.extensions?.cost).to.equal(30_301);
    expect(error.extensions?.maxCost).to.equal(10_000);
    // The same shape with small pages is an ordinary screen.
    ok((await post(server, query(nested, { first: 5 }), token)).body);
    // And a measure kept for small pages is not the one the large pages get.
    failsWith((await post(server, query(nested, { first: 100 }), token)).body, "QUERY_TOO_COMPLEX");
    const withAccount = `query($id: ID!, $first: Int) { account(id: $id) { id } accounts(first: $first) { edges { node { members(first: 100) { edges { node { user { id email name } } } } } } } }`;
    const account = "QWNjb3VudDowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA";
    expect(
      (await post(server, query(withAccount, { id: account, first: 5 }), token)).body.errors?.map((e) => e.extensions?.code),
    ).to.deep.equal(["NOT_FOUND"]);
    failsWith((await post(server, query(withAccount, { id: account, first: 100 }), token)).body, "QUERY_TOO_COMPLEX");
  });

  it("refuses a costly mutation before it runs", async () => {
    const page = `members(first: 100) { edges { node { role joinedAt user { id email name } } } } contactHistory(first: 100) { edges { node { id slot actor { email } } } }`;
    const creates = Array.from(
      { length: 20 },
      (_, index) => `c${index}: createAccount(input: { name: "Costly ${index}" }) { account { id ${page} } }`,
    ).join(" ");
    failsWith((await post(server, query(`mutation { ${creates} }`), token)).body, "QUERY_TOO_COMPLEX");
    expect(await accountCount(server, token)).to.equal(0);
  });

  it("answers a 5 MB body with HTTP 413 and PAYLOAD_TOO_LARGE", async () => {
    const result = await post(server, query(`{ viewer { id } }`, { padding: "x".repeat(5 * 1024 * 1024) }), token);
    expect(result.status).to.equal(413);
    failsWith(result.body, "PAYLOAD_TOO_LARGE");
    expect(result.ms).to.be.below(2000);
    console.log(`      5 MB body: HTTP ${result.status} in ${result.ms.toFixed(0)} ms`);
  });

  it("refuses batched requests with BATCHING_NOT_SUPPORTED and runs none of them", async () => {
    const batch = JSON.stringify([
      { query: `mutation { createAccount(input: { name: "Batch 1" }) { account { id } } }` },
      { query: "{ viewer { id } }" },
    ]);
    const result = await post(server, batch, token);
    expect(result.status).to.equal(400);
    failsWith(result.body, "BATCHING_NOT_SUPPORTED");
    expect(await accountCount(server, token)).to.equal(0);
  });

  it("suggests field names outside production", async () => {
    const result = await server.graphql("{ viewr { id } }", {}, token);
    expect(result.errors?.[0]?.message).to.contain("Did you mean");
  });
});

describe("request limits in production", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { NODE_ENV: "production", MAX_QUERY_DEPTH: "4", MAX_QUERY_ALIASES: "2" } });
  });
  after(() => server.close());

  it("gives no field suggestions", async () => {
    const token = await tokenFor("prod@example.com");
    for (const document of [
      "{ viewr { id } }",
      "{ viewer { emial } }",
      'mutation { createAcount(input: { name: "x" }) { account { id } } }',
    ]) {
      const result = await server.graphql(document, {}, token);
      expect(result.errors?.[0]?.extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
      expect(JSON.stringify(result)).to.not.match(/Did you mean|"viewer"|"email"|createAccount/);
    }
  });

  it("reads its limits from the environment", async () => {
    const token = await tokenFor("prod@example.com");
    failsWith(await server.graphql(nestedQuery(4), {}, token), "QUERY_TOO_DEEP");
    failsWith(await server.graphql("{ a: viewer { id } b: viewer { id } c: viewer { id } }", {}, token), "TOO_MANY_ALIASES");
    ok(await server.graphql("{ a: viewer { id } b: viewer { id } }", {}, token));
  });
});

describe("request limits behind a larger body limit", () => {
  it("still refuses 10,000 aliases, by the token count, before parsing", async () => {
    const server = await startTestServer({ env: { BODY_LIMIT_BYTES: String(1024 * 1024) } });
    try {
      const token = await tokenFor("layers@example.com");
      const aliases = Array.from({ length: 10_000 }, (_, index) => `a${index}: viewer { id }`).join(" ");
      const result = await post(server, query(`{ ${aliases} }`), token);
      expect(result.status).to.equal(400);
      failsWith(result.body, "QUERY_TOO_LARGE");
      expect(result.ms).to.be.below(1000);
      console.log(`      10,000 aliases under a 1 MB body limit: HTTP ${result.status} in ${result.ms.toFixed(0)} ms`);
      expect(ok(await server.graphql("{ viewer { email } }", {}, token)).viewer.email).to.equal("layers@example.com");
    } finally {
      await server.close();
    }
  });
});

describe("the client address behind a proxy", () => {
  /** An anonymous mutation (confirming an address needs no sign-in), as if sent through a proxy for `client`. */
  const confirm = (server: TestServer, client: string) =>
    fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": client },
      body: JSON.stringify({ query: `mutation { verifyContactEmail(input: { token: "${"x".repeat(43)}" }) { verification { id } } }` }),
    });

  it("ignores X-Forwarded-For unless TRUST_PROXY names the proxy, so a caller cannot pose as many", async () => {
    const server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "2" } });
    try {
      const statuses = [];
      for (const client of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) statuses.push((await confirm(server, client)).status);
      expect(statuses).to.deep.equal([200, 200, 429]);
    } finally {
      await server.close();
    }
  });

  it("counts each client behind a trusted proxy on its own, and one client as one", async () => {
    const server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "2", TRUST_PROXY: "loopback" } });
    try {
      const apart = [];
      for (const client of ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) apart.push((await confirm(server, client)).status);
      expect(apart, "three clients behind the proxy").to.deep.equal([200, 200, 200]);
      const same = [];
      for (let index = 0; index < 3; index++) same.push((await confirm(server, "198.51.100.7")).status);
      expect(same, "one client three times").to.deep.equal([200, 200, 429]);
    } finally {
      await server.close();
    }
  });

  it("refuses a TRUST_PROXY that is neither a number of proxies nor addresses", () => {
    expect(() => loadConfig({ TRUST_PROXY: "everyone" })).to.throw(ConfigError, /^TRUST_PROXY/);
    expect(loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, TRUST_PROXY: "10.0.0.0/8, loopback" }).trustProxy).to.deep.equal([
      "10.0.0.0/8",
      "loopback",
    ]);
    expect(loadConfig({ AUTH_JWT_SECRET: TEST_JWT_SECRET, TRUST_PROXY: "1" }).trustProxy).to.equal(1);
    expect(loadConfig({}).trustProxy).to.equal(false);
  });
});

describe("mutation rate limit", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "5", MUTATION_RATE_WINDOW_SECONDS: "60" } });
  });
  after(() => server.close());

  it("refuses a caller's sixth mutation in a minute with RATE_LIMITED and HTTP 429, changing nothing", async () => {
    const caller = await signIn(server, "busy@example.com");
    const create = (name: string, token = caller.token) =>
      post(server, query(`mutation($name: String!) { createAccount(input: { name: $name }) { account { id } } }`, { name }), token);
    for (let index = 0; index < 5; index++) ok((await create(`Busy ${index}`)).body);
    const refused = await create("One too many");
    expect(refused.status).to.equal(429);
    const error = failsWith(refused.body, "RATE_LIMITED");
    expect(error.extensions?.retryAfterSeconds).to.be.within(1, 60);
    expect(Number(refused.headers.get("retry-after"))).to.equal(error.extensions?.retryAfterSeconds);
    expect(await accountCount(server, caller.token)).to.equal(5);

    // A new token for the same person does not reset the count; queries are not counted.
    failsWith((await create("New token", await tokenFor("busy@example.com"))).body, "RATE_LIMITED");
    expect(await accountCount(server, caller.token)).to.equal(5);
    // Another caller has an allowance of their own.
    const other = await signIn(server, "calm@example.com");
    ok((await create("Calm", other.token)).body);
  });

  it("counts every aliased mutation in a request, and refuses the whole request when they do not fit", async () => {
    const caller = await signIn(server, "aliases@example.com");
    const creates = (count: number) =>
      Array.from({ length: count }, (_, index) => `c${index}: createAccount(input: { name: "A${index}" }) { account { id } }`).join(" ");
    ok((await post(server, query(`mutation { ${creates(4)} }`), caller.token)).body);
    failsWith((await post(server, query(`mutation { ${creates(2)} }`), caller.token)).body, "RATE_LIMITED");
    expect(await accountCount(server, caller.token)).to.equal(4);
    ok((await post(server, query(`mutation { ${creates(1)} }`), caller.token)).body);
  });
});

describe("MutationRateLimiter", () => {
  it("allows a burst of `limit`, then refills at `limit` per window", () => {
    let now = 0;
    const limiter = new MutationRateLimiter(60, 60_000, () => now);
    for (let index = 0; index < 60; index++) expect(limiter.take("a", 1)).to.equal(0);
    expect(limiter.take("a", 1)).to.equal(1);
    expect(limiter.take("b", 1)).to.equal(0);
    now += 1000;
    expect(limiter.take("a", 1)).to.equal(0);
    expect(limiter.take("a", 1)).to.equal(1);
    now += 30_000;
    expect(limiter.take("a", 31)).to.equal(1);
    expect(limiter.take("a", 30)).to.equal(0);
  });

  it("is off at 0 and forgets idle callers once it tracks many", () => {
    expect(new MutationRateLimiter(0, 1000).take("a", 1000)).to.equal(0);
    let now = 0;
    const limiter = new MutationRateLimiter(10, 1000, () => now);
    for (let index = 0; index < 10_001; index++) limiter.take(`caller-${index}`, 1);
    now += 1000;
    limiter.take("late", 1);
    expect(limiter.size).to.equal(1);
  });
});

describe("limit settings", () => {
  it("has safe defaults", () => {
    const config = loadConfig({});
    expect(config.limits).to.deep.equal({ maxDepth: 10, maxAliases: 30, maxDirectives: 20, maxCost: 10_000, maxTokens: 3000 });
    expect(config.bodyLimitBytes).to.equal(102_400);
    expect([config.mutationRateLimit, config.mutationRateWindowSeconds, config.shutdownGraceMs]).to.deep.equal([60, 60, 10_000]);
  });

  it("refuses settings that are not whole numbers in range, naming the variable", () => {
    for (const [name, value] of [
      ["MAX_QUERY_DEPTH", "1"],
      ["MAX_QUERY_ALIASES", "lots"],
      ["MAX_QUERY_COST", "1e9"],
      ["MAX_QUERY_TOKENS", "-5"],
      ["MUTATION_RATE_LIMIT", "1.5"],
      ["MUTATION_RATE_WINDOW_SECONDS", "0"],
      ["SHUTDOWN_GRACE_MS", "forever"],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), name).to.throw(ConfigError, name);
    }
  });
});
