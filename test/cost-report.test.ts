import { expect } from "chai";
import { startTestServer, type GraphQLResponse, type TestServer } from "./helpers/server";
import { failsWith, ok, signIn, type TestUser } from "./helpers/factories";
import { CONTACT_ROLES } from "../src/contacts/contact.enums";

/*
 * Every answer says what its operation cost and what the limit is, and an answer to mutations says how
 * many more the caller may send in the window (`extensions.cost`, after Shopify's). On PostgreSQL the
 * allowance is the shared one.
 */

interface CostReport {
  requested: number | null;
  limit: number;
  mutations?: { limit: number; remaining: number; windowSeconds: number };
}

type Answer = GraphQLResponse & { extensions?: { cost?: CostReport } };

const CONSOLE_LIST = `{ accounts(first: 100) { edges { node { primaryContact { email } billingContacts { email } roleContacts { user { email } } members(first: 10) { edges { node { user { email } } } } } } } }`;
const CREATE = `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`;

describe("the cost on every answer", () => {
  let server: TestServer;
  let caller: TestUser;

  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "3", MUTATION_RATE_WINDOW_SECONDS: "60" } });
    caller = await signIn(server, "cost-report@example.com");
  });
  after(() => server.close());

  async function send(query: string, variables: Record<string, unknown> = {}, token: string | null = caller.token): Promise<Answer> {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { ...((await response.json()) as Answer), status: response.status };
  }

  it("reports a query's cost in points and the limit, and no mutation allowance", async () => {
    const viewer = await send("{ viewer { id } }");
    ok(viewer);
    expect(viewer.extensions?.cost).to.deep.equal({ requested: 1, limit: 10_000 });
    const list = await send(CONSOLE_LIST);
    ok(list);
    // 36 points per account, and one per role for each role contact's user (test/second-order-limits.test.ts).
    expect(list.extensions?.cost).to.deep.equal({ requested: 1 + 100 * (36 + CONTACT_ROLES.length), limit: 10_000 });
  });

  it("reports the cost of a query refused for its cost", async () => {
    const refused = await send(
      `{ accounts(first: 100) { nodes { members(first: 100) { nodes { user { email } } } contactHistory(first: 100) { nodes { actor { email } } } } } }`,
    );
    const error = failsWith(refused, "QUERY_TOO_COMPLEX");
    expect(refused.extensions?.cost?.requested).to.equal(error.extensions?.cost).and.to.be.above(10_000);
    expect(refused.extensions?.cost?.limit).to.equal(10_000);
  });

  it("counts down the caller's mutations, and says none are left when it refuses one", async () => {
    const first = await send(CREATE, { input: { name: "Counted 1" } });
    ok(first);
    expect(first.extensions?.cost?.mutations).to.deep.equal({ limit: 3, remaining: 2, windowSeconds: 60 });
    expect(first.extensions?.cost?.requested).to.equal(2); // the payload and its account
    const twoAtOnce = await send(
      `mutation { a: createAccount(input: { name: "Counted 2" }) { account { id } } b: createAccount(input: { name: "Counted 3" }) { account { id } } }`,
    );
    ok(twoAtOnce);
    expect(twoAtOnce.extensions?.cost?.mutations?.remaining).to.equal(0);
    const refused = await send(CREATE, { input: { name: "Counted 4" } });
    failsWith(refused, "RATE_LIMITED");
    expect(refused.extensions?.cost?.mutations).to.deep.equal({ limit: 3, remaining: 0, windowSeconds: 60 });
    // A query spends nothing and says nothing about the allowance.
    expect((await send("{ viewer { id } }")).extensions?.cost?.mutations).to.equal(undefined);
  });

  it("counts a caller without a token by address on the public mutations", async () => {
    const answer = await send(`mutation { verifyContactEmail(input: { token: "no-such-token" }) { verification { state } } }`, {}, null);
    failsWith(answer, "BAD_USER_INPUT");
    expect(answer.extensions?.cost?.mutations?.limit).to.equal(3);
    expect(answer.extensions?.cost?.mutations?.remaining).to.be.within(0, 2);
  });

  it("answers with requested: null when the document was refused before it could be costed", async () => {
    const refusals: [string, string | null][] = [
      ["{ viewer { nope } }", caller.token], // validation
      ["{ viewer { id ", caller.token], // syntax
      [`{ ${Array.from({ length: 50 }, () => "viewer { id }").join(" ")} }`, caller.token], // the document guard
      [`{ ${Array.from({ length: 1100 }, () => "viewer { id }").join(" ")} }`, caller.token], // the token limit
      ["{ viewer { id } }", null], // no token
    ];
    for (const [query, token] of refusals) {
      const answer = await send(query, {}, token);
      expect(answer.errors, query.slice(0, 40)).to.have.length.above(0);
      expect(answer.extensions?.cost, query.slice(0, 40)).to.deep.equal({ requested: null, limit: 10_000 });
    }
  });
});
