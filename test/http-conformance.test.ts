import { expect } from "chai";
import { serverAudits, type AuditResult } from "graphql-http";
import { startTestServer, type TestServer } from "./helpers/server";

/**
 * The GraphQL-over-HTTP specification's audits from `graphql-http`, run against the real server.
 * Every MUST passes. SHOULDs that fail are listed here with the reason; docs/operations.md repeats them.
 */
const APOLLO_400 =
  "Apollo Server answers 400 for a request that never executes (parse, validation or variable errors) whatever the Accept header; " +
  "clients, proxies and monitoring then see a client error, and the request limits rely on the same status.";
const KNOWN_SHOULD_FAILURES: Record<string, string> = {
  "572B SHOULD use 200 status code on document parsing failure when accepting application/json": APOLLO_400,
  "FDE2 SHOULD use 200 status code on document validation failure when accepting application/json": APOLLO_400,
  "7B9B SHOULD use a status code of 200 on variable coercion failure when accepting application/json": APOLLO_400,
};

describe("GraphQL over HTTP conformance (graphql-http server audits)", function () {
  this.timeout(60_000);
  let server: TestServer;
  let results: { id: string; name: string; result: AuditResult }[];

  before(async () => {
    server = await startTestServer();
    results = [];
    for (const audit of serverAudits({ url: server.url })) results.push({ id: audit.id, name: audit.name, result: await audit.fn() });
  });
  after(() => server.close());

  it("passes every MUST", () => {
    const failed = results.filter(({ name, result }) => name.startsWith("MUST") && result.status !== "ok");
    const report = failed.map(({ name, result }) => `${name}: ${"reason" in result ? result.reason : ""}`);
    expect(report, report.join("\n")).to.deep.equal([]);
    const musts = results.filter(({ name }) => name.startsWith("MUST")).length;
    const shoulds = results.filter(({ name }) => name.startsWith("SHOULD"));
    const failing = shoulds.filter(({ result }) => result.status !== "ok");
    console.log(
      `      ${results.length} audits: ${musts} MUST all pass; ${shoulds.length - failing.length} of ${shoulds.length} SHOULD pass`,
    );
    for (const { id, name, result } of results.filter(({ result }) => result.status !== "ok")) {
      console.log(`        ${result.status} ${id} ${name}: ${"reason" in result ? result.reason : ""}`);
    }
  });

  it("fails no SHOULD but the known ones", () => {
    const failing = results
      .filter(({ name, result }) => name.startsWith("SHOULD") && result.status !== "ok")
      .map(({ id, name }) => `${id} ${name}`);
    expect(failing.sort()).to.deep.equal(Object.keys(KNOWN_SHOULD_FAILURES).sort());
  });
});
