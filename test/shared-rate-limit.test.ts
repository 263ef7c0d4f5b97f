import { expect } from "chai";
import { Client } from "pg";
import { createLogger } from "../src/observability/logger";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, tokenFor, TEST_JWT_SECRET, type TestServer } from "./helpers/server";
import { spawnServer, type ServerProcess } from "./helpers/process";
import { testingOnPostgres } from "./helpers/postgres";

const LIMIT = 4;
const create = (name: string) => `mutation Create { createAccount(input: { name: "${name}" }) { __typename } }`;

async function mutate(url: string, token: string, name: string) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: create(name) }),
  });
  const body = (await response.json()) as { errors?: { extensions?: { code?: string; retryAfterSeconds?: number } }[] };
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    code: body.errors?.[0]?.extensions?.code ?? "OK",
    body,
  };
}

describe("the mutation rate limit on PostgreSQL", function () {
  this.timeout(60_000);
  before(function () {
    if (!testingOnPostgres()) {
      console.log("      (skipped: TEST_DATABASE_URL is not a postgres:// URL; `npm run test:postgres` runs these tests)");
      this.skip();
    }
  });

  describe("shared by two server processes", () => {
    let databaseUrl: string;
    let servers: ServerProcess[] = [];
    before(async () => {
      databaseUrl = await freshDatabaseUrl();
      const env = {
        DATABASE_URL: databaseUrl,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        NODE_ENV: "test",
        SEED_DEMO_DATA: "false",
        MUTATION_RATE_LIMIT: String(LIMIT),
        MUTATION_RATE_WINDOW_SECONDS: "60",
        DATABASE_POOL_SIZE: "3",
      };
      servers = await Promise.all([spawnServer(env, "listening on", 30_000), spawnServer(env, "listening on", 30_000)]);
    });
    after(async () => {
      await Promise.all(
        servers.map((server) => {
          server.child.kill("SIGTERM");
          return server.exited;
        }),
      );
      if (databaseUrl) await dropTestDatabase(databaseUrl);
    });

    it(`refuses a caller's ${LIMIT + 1}th mutation in a window whichever process each one reached`, async () => {
      const token = await tokenFor("everywhere@example.com");
      const answers = [];
      for (let index = 0; index < LIMIT; index++) answers.push(await mutate(servers[index % 2]!.url, token, `Shared ${index}`));
      expect(answers.map((answer) => answer.code)).to.deep.equal(Array(LIMIT).fill("OK"));

      for (const server of servers) {
        const refused = await mutate(server.url, token, "One too many");
        expect(refused.status).to.equal(429);
        expect(refused.code).to.equal("RATE_LIMITED");
        const retryAfter = refused.body.errors![0]!.extensions!.retryAfterSeconds!;
        expect(retryAfter).to.be.within(1, 60);
        expect(Number(refused.retryAfter)).to.equal(retryAfter);
      }
      // A new token for the same person shares the count; another person has an allowance of their own.
      expect((await mutate(servers[1]!.url, await tokenFor("everywhere@example.com"), "New token")).code).to.equal("RATE_LIMITED");
      expect((await mutate(servers[0]!.url, await tokenFor("elsewhere@example.com"), "Elsewhere")).code).to.equal("OK");

      const sql = new Client({ connectionString: databaseUrl });
      await sql.connect();
      try {
        expect((await sql.query(`SELECT COUNT(*)::int AS count FROM "accounts"`)).rows[0].count).to.equal(LIMIT + 1);
        // Callers are stored only as digests: no address or email is kept in the table.
        const keys = (await sql.query(`SELECT "key", "points" FROM "mutation_rate_limits" ORDER BY "points" DESC`)).rows as {
          key: string;
          points: number;
        }[];
        expect(keys.map((row) => row.points)).to.deep.equal([LIMIT, 1]);
        for (const row of keys) expect(row.key).to.match(/^mutations:[0-9a-f]{64}$/);
      } finally {
        await sql.end();
      }
      for (const server of servers) expect(server.output()).to.not.match(/"level":"(error|fatal)"/);
    });

    it("spends nothing on a refused request, so concurrent bursts from both processes allow exactly the limit", async () => {
      const token = await tokenFor("burst@example.com");
      const answers = await Promise.all(Array.from({ length: 12 }, (_, index) => mutate(servers[index % 2]!.url, token, `Burst ${index}`)));
      const codes = answers.map((answer) => answer.code);
      expect(codes.filter((code) => code === "OK")).to.have.lengthOf(LIMIT);
      expect(codes.filter((code) => code === "RATE_LIMITED")).to.have.lengthOf(12 - LIMIT);
    });
  });

  describe("when the shared count cannot be read", () => {
    let server: TestServer;
    const lines: string[] = [];
    before(async () => {
      const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
      server = await startTestServer({ logger, env: { MUTATION_RATE_LIMIT: "2", METRICS_TOKEN: "metrics-token-for-tests-0123456789" } });
    });
    after(() => server.close());

    it("counts in the process instead, logs it once, counts every failure, and logs when the count answers again", async () => {
      const token = await tokenFor("degraded@example.com");
      await server.db.write((manager) => manager.query(`ALTER TABLE "mutation_rate_limits" RENAME TO "mutation_rate_limits_away"`));
      const codes = [];
      for (let index = 0; index < 3; index++) codes.push((await mutate(server.url, token, `Degraded ${index}`)).code);
      expect(codes).to.deep.equal(["OK", "OK", "RATE_LIMITED"]);

      const failures = lines.map((line) => JSON.parse(line)).filter((record) => record.level === "error");
      expect(failures).to.have.lengthOf(1);
      expect(failures[0].msg).to.match(/shared mutation rate limit cannot be read/);
      expect(failures[0].reqId).to.be.a("string");
      const metrics = await (
        await fetch(server.url.replace("/graphql", "/metrics"), { headers: { authorization: "Bearer metrics-token-for-tests-0123456789" } })
      ).text();
      expect(metrics).to.match(/^contact_points_rate_limit_store_failures_total 3$/m);
      expect(server.logged, "the fault of the limiter is not an error of the request").to.deep.equal([]);

      await server.db.write((manager) => manager.query(`ALTER TABLE "mutation_rate_limits_away" RENAME TO "mutation_rate_limits"`));
      expect((await mutate(server.url, await tokenFor("recovered@example.com"), "Recovered")).code).to.equal("OK");
      expect(lines.map((line) => JSON.parse(line).msg)).to.include("The shared mutation rate limit answers again.");
    });
  });
});
