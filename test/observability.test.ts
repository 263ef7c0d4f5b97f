import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { signToken } from "../src/auth/tokens";
import { createLogger, type Logger } from "../src/observability/logger";
import { MAX_OPERATION_LABELS, OTHER_LABEL, UNNAMED_OPERATION } from "../src/observability/metrics";
import { Account } from "../src/accounts/account.entity";
import { DeliveryKind, DeliveryState, NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { ConfigError, loadConfig } from "../src/config";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";
import { spawnServer, freePort, postGraphQL, type ServerProcess } from "./helpers/process";
import { testingOnPostgres } from "./helpers/postgres";
import { ok } from "./helpers/factories";

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface LogRecord {
  level: string;
  time: string;
  msg: string;
  reqId?: string;
  operation?: string | null;
  operationType?: string | null;
  outcome?: string;
  status?: number;
  durationMs?: number;
  userId?: string;
  err?: Record<string, unknown>;
}

/** A logger whose lines are kept, as written, for the test to read. */
function capturedLogger(): { logger: Logger; text: () => string; records: () => LogRecord[] } {
  const lines: string[] = [];
  const logger = createLogger("info", { write: (line: string) => void lines.push(line) });
  return {
    logger,
    text: () => lines.join(""),
    records: () => lines.map((line) => JSON.parse(line) as LogRecord),
  };
}

/** POSTs a GraphQL document with whatever headers the test chooses; returns status, headers and body. */
async function send(server: TestServer, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>) {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, requestId: response.headers.get("x-request-id"), body: (await response.json()) as any };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Request lines, oldest first. */
const requestLines = (records: LogRecord[]) => records.filter((record) => record.msg === "GraphQL request");

function metricsUrl(server: TestServer): string {
  return server.url.replace("/graphql", "/metrics");
}

/** One sample's value from Prometheus text, matched by the metric name and every label given. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = new Map([...(match[3] ?? "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((label) => [label[1]!, label[2]!]));
    if (Object.entries(labels).every(([key, value]) => present.get(key) === value)) return Number(match[4]);
  }
  return undefined;
}

/** Every value the label takes in the samples of one metric. */
function labelValues(text: string, name: string, label: string): Set<string> {
  const values = new Set<string>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const value = new RegExp(`[{,]${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(line)?.[1];
    if (value !== undefined) values.add(value);
  }
  return values;
}

describe("request log lines", () => {
  let server: TestServer;
  let capture: ReturnType<typeof capturedLogger>;
  before(async () => {
    capture = capturedLogger();
    server = await startTestServer({ logger: capture.logger });
  });
  after(() => server.close());

  it("writes one JSON line per GraphQL request with its id, operation, outcome, status, duration and the caller's user id", async () => {
    const token = await tokenFor("logged@example.com");
    const before = requestLines(capture.records()).length;
    const result = await send(server, "query WhoAmI { viewer { id email } }", { ...bearer(token), "x-request-id": "trace-4f2a.01" });
    expect(result.status).to.equal(200);
    expect(result.requestId).to.equal("trace-4f2a.01");

    const lines = requestLines(capture.records()).slice(before);
    expect(lines).to.have.lengthOf(1);
    const line = lines[0]!;
    expect(line).to.include({
      level: "info",
      reqId: "trace-4f2a.01",
      operation: "WhoAmI",
      operationType: "query",
      outcome: "OK",
      status: 200,
    });
    expect(line.durationMs).to.be.a("number").and.at.least(0);
    expect(Number.isNaN(Date.parse(line.time))).to.equal(false);
    const viewerId = result.body.data.viewer.id as string;
    const [stored] = await server.db.read((manager) => manager.query(`SELECT "id" FROM "users" WHERE "email" = 'logged@example.com'`));
    expect([viewerId, stored.id]).to.include(line.userId);
  });

  it("names the first error's code as the outcome, and the status it was answered with", async () => {
    const before = requestLines(capture.records()).length;
    await send(server, "query Anonymous { viewer { id } }");
    await send(server, "{ viewer { id email } ", bearer(await tokenFor("typo@example.com")));
    const empty = await fetch(server.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(empty.status).to.equal(400);
    const batch = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([{ query: "{ __typename }" }]),
    });
    expect(batch.status).to.equal(400);
    const big = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(200_000) } }),
    });
    expect(big.status).to.equal(413);

    const lines = requestLines(capture.records()).slice(before);
    expect(lines.map((line) => [line.outcome, line.status])).to.deep.equal([
      ["UNAUTHENTICATED", 401],
      ["GRAPHQL_PARSE_FAILED", 400],
      ["BAD_REQUEST", 400],
      ["BATCHING_NOT_SUPPORTED", 400],
      ["PAYLOAD_TOO_LARGE", 413],
    ]);
    expect(lines[0]!.operation).to.equal("Anonymous");
    expect(lines[0]).to.not.have.property("userId");
    for (const line of lines) expect(line.reqId).to.match(UUID);
  });

  it("makes its own request id when the incoming one is not a short plain token", async () => {
    for (const incoming of ["has spaces in it", "x".repeat(65), "<script>alert(1)</script>", "a,b", "-starts-with-dash"]) {
      const result = await send(server, "{ __typename }", { "x-request-id": incoming });
      expect(result.requestId, incoming).to.match(UUID);
      const line = requestLines(capture.records()).at(-1)!;
      expect(line.reqId).to.equal(result.requestId);
      expect(capture.text()).to.not.include(incoming);
    }
  });

  it("never writes a token, an Authorization header or the request body, even when the token is refused", async () => {
    const valid = await tokenFor("careful@example.com");
    const wrongSecret = await signToken("another-secret-that-is-long-enough-for-hs256", { email: "careful@example.com" });
    const expired = await signToken(server.config.jwtSecret, { email: "careful@example.com" }, Math.floor(Date.now() / 1000) - 60);
    const bodySecret = "Zebra Project Codename 7731";

    ok((await send(server, "{ viewer { id email } }", bearer(valid))).body);
    ok(
      (
        await send(server, `mutation Create($name: String!) { createAccount(input: { name: $name }) { __typename } }`, bearer(valid), {
          name: bodySecret,
        })
      ).body,
    );
    for (const refused of [wrongSecret, expired, `${valid}x`, "not-a-jwt"]) {
      const result = await send(server, "query Refused { viewer { id } }", bearer(refused));
      expect(result.status).to.equal(401);
      expect(requestLines(capture.records()).at(-1)).to.include({ outcome: "UNAUTHENTICATED", status: 401 });
    }
    await send(server, "{ viewer { id } }", { authorization: `Basic ${Buffer.from(`careful:${valid}`).toString("base64")}` });

    const text = capture.text();
    for (const token of [valid, wrongSecret, expired]) {
      for (const part of token.split(".")) expect(text).to.not.include(part);
    }
    expect(text).to.not.include("not-a-jwt");
    expect(text).to.not.match(/bearer|basic |authorization/i);
    expect(text).to.not.include(bodySecret);
    expect(text).to.not.include("careful@example.com");
  });
});

describe("unexpected errors in the log", () => {
  it("logs an unexpected error once, with the id of the request that met it, and no statement parameters", async () => {
    const capture = capturedLogger();
    const server = await startTestServer({ logger: capture.logger });
    try {
      await server.db.write((manager) => manager.query(`ALTER TABLE "users" RENAME TO "users_elsewhere"`));
      const result = await send(server, "query Broken { viewer { id } }", {
        ...bearer(await tokenFor("unlucky@example.com")),
        "x-request-id": "req-broken-1",
      });
      expect(result.body.errors[0].extensions.code).to.equal("INTERNAL_SERVER_ERROR");
      expect(server.logged).to.have.lengthOf(1);

      const records = capture.records();
      const errors = records.filter((record) => record.level === "error");
      expect(errors).to.have.lengthOf(1);
      expect(errors[0]).to.include({ msg: "Unexpected error", reqId: "req-broken-1" });
      expect(errors[0]!.err).to.include.keys("type", "message", "stack");
      expect(Object.keys(errors[0]!.err!)).to.satisfy((keys: string[]) =>
        keys.every((key) => ["type", "message", "code", "stack", "cause"].includes(key)),
      );
      expect(requestLines(records).at(-1)).to.include({ reqId: "req-broken-1", outcome: "INTERNAL_SERVER_ERROR" });
      // The failing statement's parameters held the caller's address.
      expect(capture.text()).to.not.include("unlucky@example.com");
    } finally {
      await server.close();
    }
  });
});

describe("GET /metrics", () => {
  it("is not served at all when neither METRICS_TOKEN nor METRICS_PORT is set", async () => {
    const server = await startTestServer();
    try {
      expect((await fetch(metricsUrl(server))).status).to.equal(404);
      expect((await fetch(metricsUrl(server), { headers: bearer(METRICS_TOKEN) })).status).to.equal(404);
    } finally {
      await server.close();
    }
  });

  describe("with METRICS_TOKEN", () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ env: { METRICS_TOKEN, MUTATION_RATE_LIMIT: "2" } });
    });
    after(() => server.close());

    const scrape = async () => {
      const response = await fetch(metricsUrl(server), { headers: bearer(METRICS_TOKEN) });
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.match(/^text\/plain; version=0\.0\.4/);
      return response.text();
    };

    it("refuses a scrape without the token, with a wrong one, or with the token sent another way", async () => {
      const refusals: Record<string, string>[] = [
        {},
        bearer("metrics-token-for-tests-012345678"),
        bearer(`${METRICS_TOKEN}0`),
        bearer(""),
        { authorization: METRICS_TOKEN },
        { authorization: `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString("base64")}` },
        bearer(await tokenFor("user@example.com")),
      ];
      for (const headers of refusals) {
        const response = await fetch(metricsUrl(server), { headers });
        expect(response.status, JSON.stringify(headers)).to.equal(401);
        expect(response.headers.get("www-authenticate")).to.match(/^Bearer/);
        expect(await response.text()).to.not.include("contact_points_");
      }
    });

    it("counts requests by operation and outcome, and reports in-flight requests, the writer, the outbox, refusals and the process", async () => {
      const token = await tokenFor("scraped@example.com");
      for (let index = 0; index < 3; index++) ok((await send(server, "query Viewer { viewer { id email } }", bearer(token))).body);
      await send(server, "query Viewer { viewer { id email } }");
      await send(server, "{ __typename }");
      for (let index = 0; index < 3; index++)
        await send(server, `mutation Create { createAccount(input: { name: "Metrics ${index}" }) { __typename } }`, bearer(token));

      const [account] = await server.db.read((manager) => manager.find(Account, { take: 1 }));
      const hourAgo = new Date(Date.now() - 3600_000);
      await server.db.write((manager) =>
        manager.insert(NotificationDelivery, {
          accountId: account!.id,
          kind: DeliveryKind.TEST,
          email: "outbox@example.com",
          subject: "Waiting",
          body: "Waiting to be sent.",
          state: DeliveryState.PENDING,
          attempts: 0,
          createdAt: hourAgo,
          nextAttemptAt: hourAgo,
        }),
      );

      const text = await scrape();
      const duration = "contact_points_graphql_request_duration_seconds_count";
      expect(sample(text, duration, { operation: "Viewer", outcome: "OK" })).to.equal(3);
      expect(sample(text, duration, { operation: "Viewer", outcome: "UNAUTHENTICATED" })).to.equal(1);
      expect(sample(text, duration, { operation: UNNAMED_OPERATION, outcome: "OK" })).to.equal(1);
      expect(sample(text, duration, { operation: "Create", outcome: "OK" })).to.equal(2);
      expect(sample(text, duration, { operation: "Create", outcome: "RATE_LIMITED" })).to.equal(1);
      expect(sample(text, "contact_points_mutations_rate_limited_total")).to.equal(1);
      expect(sample(text, "contact_points_graphql_requests_in_flight")).to.equal(0);
      expect(sample(text, "contact_points_database_writer_wait_seconds_count")).to.be.at.least(2);
      expect(sample(text, "contact_points_outbox_pending_messages")).to.equal(1);
      expect(sample(text, "contact_points_outbox_messages", { state: "PENDING" })).to.equal(1);
      expect(sample(text, "contact_points_outbox_messages", { state: "SENT" })).to.equal(0);
      expect(sample(text, "contact_points_outbox_messages", { state: "FAILED" })).to.equal(0);
      expect(sample(text, "contact_points_outbox_oldest_pending_age_seconds")).to.be.within(3599, 3700);
      expect(sample(text, "contact_points_rate_limit_store_failures_total")).to.equal(0);
      expect(sample(text, "process_cpu_user_seconds_total")).to.be.a("number");
      expect(sample(text, "nodejs_eventloop_lag_seconds")).to.be.a("number");
      expect(
        sample(text, "contact_points_database_statements_total", { driver: testingOnPostgres() ? "postgres" : "sqlite" }),
      ).to.be.at.least(2);
      if (testingOnPostgres()) {
        expect(sample(text, "contact_points_database_group_commit_writes_count")).to.equal(0);
      } else {
        expect(sample(text, "contact_points_database_group_commit_writes_count")).to.be.at.least(2);
        expect(sample(text, "contact_points_database_group_commit_writes_sum")).to.be.at.least(2);
      }
      if (testingOnPostgres()) {
        expect(sample(text, "contact_points_database_pool_connections")).to.be.at.least(1);
        expect(sample(text, "contact_points_database_pool_idle_connections")).to.be.a("number");
        expect(sample(text, "contact_points_database_pool_waiting_requests")).to.equal(0);
      }
      // Nothing a caller sent becomes a series but the operation's name.
      expect(text).to.not.include("scraped@example.com");
      expect(text).to.not.include("Metrics 0");
    });

    /** Starts a request whose body is only partly sent, so it stays in flight. */
    function halfSentRequest(token: string) {
      const body = JSON.stringify({ query: "query Slow { __typename }" });
      const { port } = new URL(server.url);
      const headers = { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${token}` };
      const request = http.request({ host: "127.0.0.1", port, path: "/graphql", method: "POST", headers });
      const answered = new Promise<number | "aborted">((resolve) => {
        request.once("response", (response) => {
          response.resume();
          response.once("end", () => resolve(response.statusCode!));
        });
        request.once("error", () => resolve("aborted"));
      });
      request.write(body.slice(0, 10));
      return { finish: () => request.end(body.slice(10)), abort: () => request.destroy(), answered };
    }

    async function waitForInFlight(expected: number): Promise<void> {
      let inFlight: number | undefined;
      for (const deadline = Date.now() + 5000; Date.now() < deadline && inFlight !== expected; ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight = sample(await scrape(), "contact_points_graphql_requests_in_flight");
      }
      expect(inFlight).to.equal(expected);
    }

    it("counts a request in flight until its response is done, or its client goes away", async () => {
      const token = await tokenFor("slow@example.com");
      const finished = halfSentRequest(token);
      const abandoned = halfSentRequest(token);
      await waitForInFlight(2);
      finished.finish();
      expect(await finished.answered).to.equal(200);
      await waitForInFlight(1);
      abandoned.abort();
      expect(await abandoned.answered).to.equal("aborted");
      await waitForInFlight(0);
      const slow = "contact_points_graphql_request_duration_seconds_count";
      const text = await scrape();
      expect(sample(text, slow, { operation: "Slow", outcome: "OK" })).to.equal(1);
      expect(sample(text, slow, { operation: UNNAMED_OPERATION, outcome: "CLIENT_CLOSED_REQUEST" })).to.equal(1);
    });

    it("keeps the operation label bounded, whatever names callers invent", async () => {
      const token = await tokenFor("inventive@example.com");
      for (let batch = 0; batch < MAX_OPERATION_LABELS + 20; batch += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, index) => send(server, `query Invented${batch + index} { __typename }`, bearer(token))),
        );
      }
      // Without a valid token no new name is admitted, and an over-long name never is.
      await send(server, "query FromNobody { __typename }");
      await send(server, `query ${"N".repeat(70)} { __typename }`, bearer(token));

      const text = await scrape();
      const operations = labelValues(text, "contact_points_graphql_request_duration_seconds_count", "operation");
      expect(operations.size).to.be.at.most(MAX_OPERATION_LABELS + 2);
      expect(operations).to.include(OTHER_LABEL);
      expect(operations).to.not.include("FromNobody");
      expect([...operations].every((operation) => operation.length <= 64)).to.equal(true);
      expect(
        sample(text, "contact_points_graphql_request_duration_seconds_count", { operation: OTHER_LABEL, outcome: "OK" }),
      ).to.be.at.least(22);
    });
  });
});

describe("metrics on their own port", function () {
  this.timeout(60_000);
  let server: ServerProcess | undefined;
  let directory: string;
  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-metrics-port-"));
  });
  after(async () => {
    server?.child.kill("SIGTERM");
    await server?.exited;
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("serves /metrics on METRICS_PORT without a token, and not on the API's port, and logs start-up as JSON lines", async () => {
    const metricsPort = await freePort();
    server = await spawnServer({
      DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`,
      PUBLIC_URL: "https://contacts.example.com",
      AUTH_JWT_SECRET: "metrics-port-test-secret-long-enough-for-hs256",
      NODE_ENV: "production",
      MAIL_TRANSPORT: "file",
      METRICS_PORT: String(metricsPort),
    });
    const token = await signToken("metrics-port-test-secret-long-enough-for-hs256", { email: "port@example.com" });
    expect((await postGraphQL(server.url, "query Port { viewer { email } }", token)).data.viewer.email).to.equal("port@example.com");

    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).to.equal(200);
    expect(
      sample(await metrics.text(), "contact_points_graphql_request_duration_seconds_count", { operation: "Port", outcome: "OK" }),
    ).to.equal(1);
    expect((await fetch(server.url.replace("/graphql", "/metrics"))).status).to.equal(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/graphql`)).status).to.equal(404);

    const lines = server
      .output()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogRecord);
    expect(lines.map((line) => line.msg)).to.include(`Metrics are served on http://127.0.0.1:${metricsPort}/metrics`);
    expect(lines.find((line) => line.msg.includes(` is listening on ${server!.url} `))).to.include({
      driver: "sqlite",
      database: path.join(directory, "contacts.sqlite"),
    });
    expect(lines.find((line) => line.msg === "GraphQL request")).to.include({ operation: "Port", outcome: "OK", status: 200 });

    server.child.kill("SIGTERM");
    expect(await server.exited).to.equal(0);
    server = undefined;
    const closed = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
      () => "open",
      () => "closed",
    );
    expect(closed).to.equal("closed");
  });
});

describe("log and metrics settings", () => {
  it("reads LOG_LEVEL, METRICS_TOKEN and METRICS_PORT, with everything off by default", () => {
    expect(loadConfig({}).logLevel).to.equal("info");
    expect(loadConfig({}).metrics).to.deep.equal({ token: null, port: null });
    expect(loadConfig({ LOG_LEVEL: "WARN", METRICS_TOKEN, METRICS_PORT: "9464" })).to.deep.include({
      logLevel: "warn",
      metrics: { token: METRICS_TOKEN, port: 9464 },
    });
  });

  it("refuses an unknown level, a short or spaced token, and a metrics port that is the API's, naming the variable", () => {
    for (const [env, name] of [
      [{ LOG_LEVEL: "verbose" }, "LOG_LEVEL"],
      [{ METRICS_TOKEN: "short" }, "METRICS_TOKEN"],
      [{ METRICS_TOKEN: "a token with spaces in it" }, "METRICS_TOKEN"],
      [{ METRICS_PORT: "0" }, "METRICS_PORT"],
      [{ METRICS_PORT: "4000" }, "METRICS_PORT"],
      [{ METRICS_PORT: "http" }, "METRICS_PORT"],
    ] as const) {
      expect(() => loadConfig(env), JSON.stringify(env)).to.throw(ConfigError, name);
    }
  });
});
