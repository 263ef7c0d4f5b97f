import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { getIntrospectionQuery, parse } from "graphql";
import { startTestServer, tokenFor, type GraphQLResponse, type TestServer } from "./helpers/server";
import { failsWith, ok, signIn } from "./helpers/factories";
import { guardDocument, MAX_FIELD_PAIRS, MAX_VARIABLES, publicMutations } from "../src/security/document-guard";
import { loadConfig } from "../src/config";
import { MAX_VALIDATION_ERRORS } from "../src/security/limits";

/*
 * Some documents cost graphql-js's validation far more than their size (OverlappingFieldsCanBeMerged
 * compares every pair of fields under one response path; fragments multiply what it walks), and Apollo
 * keeps no failed validation. A guard counts those quantities on the parsed document and refuses before
 * validation starts. Each hostile document below also names a field the schema does not have: had
 * validation run, its GRAPHQL_VALIDATION_FAILED would be in the answer, so one error with the guard's
 * code shows the guard came first. `npm run bench:refusals` measures the milliseconds.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const repeat = (count: number, make: (index: number) => string) => Array.from({ length: count }, (_, index) => make(index)).join(" ");

/** Documents built to make validation slow, with the code the guard refuses each with. */
const HOSTILE: { name: string; query: string; code: string }[] = [
  { name: "{ viewer { id } } 700 times", query: `{ ${repeat(700, () => "viewer { id }")} nope }`, code: "QUERY_TOO_COMPLEX" },
  { name: "id 2,900 times in one selection", query: `{ viewer { ${repeat(2900, () => "id")} } nope }`, code: "QUERY_TOO_COMPLEX" },
  { name: "__typename 2,900 times", query: `{ ${repeat(2900, () => "__typename")} nope }`, code: "QUERY_TOO_COMPLEX" },
  { name: "330 inline fragments", query: `{ ${repeat(330, () => "... on Query { viewer { id } }")} nope }`, code: "QUERY_TOO_COMPLEX" },
  {
    name: "one fragment spread 1,400 times",
    query: `{ ${repeat(1400, () => "...F")} nope } fragment F on Query { viewer { id } }`,
    code: "QUERY_TOO_COMPLEX",
  },
  {
    name: "a chain of 60 fragments, all spread at the root",
    query: `{ ${repeat(60, (index) => `...F${index}`)} nope } ${repeat(60, (index) => `fragment F${index} on Query { viewer { id } ${index > 0 ? `...F${index - 1}` : ""} }`)}`,
    code: "QUERY_TOO_COMPLEX",
  },
  {
    name: "fragments fanning out 8^7",
    query: `{ viewer { ...F0 } nope } ${repeat(7, (level) => (level === 6 ? `fragment F${level} on User { id }` : `fragment F${level} on User { ${repeat(8, () => `...F${level + 1}`)} }`))}`,
    code: "QUERY_TOO_COMPLEX",
  },
  {
    name: "an unused fragment naming viewer 700 times",
    query: `{ nope } fragment U on Query { ${repeat(700, () => "viewer { id }")} }`,
    code: "QUERY_TOO_COMPLEX",
  },
  {
    name: "two fragments of one name",
    query: `{ nope } fragment U on Query { __typename } fragment U on Query { ${repeat(700, () => "viewer { id }")} }`,
    code: "QUERY_TOO_COMPLEX",
  },
  { name: "700 unused variables", query: `query(${repeat(700, (index) => `$v${index}: Int`)}) { nope }`, code: "QUERY_TOO_COMPLEX" },
  {
    name: "400 directives on one field",
    query: `{ viewer ${repeat(400, () => "@include(if: true)")} { id } nope }`,
    code: "TOO_MANY_DIRECTIVES",
  },
  { name: "31 aliases", query: `{ ${repeat(31, (index) => `a${index}: viewer { id }`)} nope }`, code: "TOO_MANY_ALIASES" },
];

/** Every GraphQL document the examples and the reference screen send. */
function exampleDocuments(): { name: string; query: string }[] {
  const examples = path.join(ROOT, "examples");
  const documents = fs
    .readdirSync(examples)
    .filter((file) => file.endsWith(".graphql"))
    .map((file) => ({ name: file, query: fs.readFileSync(path.join(examples, file), "utf8") }));
  const operations = fs.readFileSync(path.join(examples, "settings-app", "src", "operations.ts"), "utf8");
  const fragments = [...operations.matchAll(/graphql\(`([^`]*)`\)/g)].map((match) => match[1]!);
  // The screen's operations spread its fragments: one document holds them all, as codegen sends them.
  documents.push({ name: "settings-app operations", query: fragments.join("\n") });
  return documents;
}

async function post(server: TestServer, query: string, token: string | null): Promise<{ status: number; body: GraphQLResponse }> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse };
}

describe("documents refused before validation", () => {
  let server: TestServer;
  let token: string;
  before(async () => {
    server = await startTestServer();
    token = (await signIn(server, "validation-cost@example.com")).token;
  });
  after(() => server.close());
  afterEach(() => expect(server.logged).to.deep.equal([]));

  for (const { name, query, code } of HOSTILE) {
    it(`refuses ${name} with ${code} alone: validation never saw it`, async () => {
      const { status, body } = await post(server, query, token);
      expect(status).to.equal(400);
      expect(body.errors?.map((error) => error.extensions?.code)).to.deep.equal([code]);
      expect(body.data ?? null).to.equal(null);
    });
  }

  it("refuses a hostile document sent with GET the same way", async () => {
    const query = `{ ${repeat(100, () => "viewer { id }")} nope }`;
    const response = await fetch(`${server.url}?query=${encodeURIComponent(query)}`, {
      headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" },
    });
    expect(response.status).to.equal(400);
    const body = (await response.json()) as GraphQLResponse;
    expect(body.errors?.map((error) => error.extensions?.code)).to.deep.equal(["QUERY_TOO_COMPLEX"]);
  });

  it("answers a caller without a token with UNAUTHENTICATED before validating anything but the public mutations", async () => {
    for (const query of [
      `{ ${repeat(700, () => "viewer { id }")} }`,
      "{ viewer { id } nope }",
      `mutation { createAccount(input: { name: "x" }) { account { id } } nope }`,
      "{ ...F } fragment F on Query { accounts { totalCount } }",
    ]) {
      const { status, body } = await post(server, query, null);
      expect(status, query.slice(0, 60)).to.equal(401);
      expect(body.errors?.map((error) => error.extensions?.code)).to.deep.equal(["UNAUTHENTICATED"]);
    }
    const expired = await tokenFor("validation-cost@example.com", undefined, "another-secret-that-is-long-enough-for-hs256");
    const forged = await post(server, "{ viewer { id } nope }", expired);
    expect(forged.status).to.equal(401);
    expect(forged.body.errors?.map((error) => error.extensions?.code)).to.deep.equal(["UNAUTHENTICATED"]);
  });

  it("still lets a caller without a token confirm an address, ask for __typename, and introspect once", async () => {
    const verify = await post(
      server,
      `mutation { verifyContactEmail(input: { token: "not-a-real-token" }) { verification { state } } }`,
      null,
    );
    failsWith(verify.body, "BAD_USER_INPUT");
    expect(ok((await post(server, "{ __typename }", null)).body)).to.deep.equal({ __typename: "Query" });
    ok((await post(server, getIntrospectionQuery(), null)).body);
    const twice = await post(server, `{ a: __schema { queryType { name } } b: __schema { queryType { name } } }`, null);
    failsWith(twice.body, "TOO_MANY_INTROSPECTIONS");
  });

  it(`reports at most ${MAX_VALIDATION_ERRORS} validation errors, and says it stopped`, async () => {
    const { status, body } = await post(server, `{ ${repeat(50, (index) => `missing${index}`)} }`, token);
    expect(status).to.equal(400);
    expect(body.errors).to.have.length(MAX_VALIDATION_ERRORS + 1);
    expect(body.errors!.every((error) => error.extensions?.code === "GRAPHQL_VALIDATION_FAILED")).to.equal(true);
  });
});

describe("the document guard", () => {
  const limits = loadConfig({}).limits;
  const signedIn = { kind: "identified", identity: { email: "guard@example.com", name: null } } as const;
  const guard = (query: string, caller: Parameters<typeof guardDocument>[1] = signedIn) =>
    guardDocument(parse(query), caller, publicMutations(), limits)?.extensions.code ?? null;

  it("lets every document of the examples and the reference screen through, and every full introspection query", () => {
    const documents = exampleDocuments();
    expect(documents.length).to.be.above(5);
    for (const { name, query } of documents) expect(guard(query), name).to.equal(null);
    for (const options of [
      {},
      { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true },
    ]) {
      expect(guard(getIntrospectionQuery(options))).to.equal(null);
      expect(guard(getIntrospectionQuery(options), { kind: "anonymous" })).to.equal(null);
    }
  });

  it(`counts pairs of fields under one response path, with fragments spread: at most ${MAX_FIELD_PAIRS}`, () => {
    // n repeats of viewer { id } make n(n-1)/2 pairs at viewer and as many at viewer.id.
    expect(guard(`{ ${repeat(44, () => "viewer { id }")} }`)).to.equal(null); // 1,892
    expect(guard(`{ ${repeat(46, () => "viewer { id }")} }`)).to.equal("QUERY_TOO_COMPLEX"); // 2,070
    // Aliases make other paths: no pairs.
    expect(guard(`{ ${repeat(30, (index) => `a${index}: viewer { id }`)} }`)).to.equal(null);
    // A fragment's fields count where it is spread.
    expect(guard(`{ viewer { ...U ...U } ${repeat(44, () => "viewer { ...U }")} } fragment U on User { id }`)).to.equal(
      "QUERY_TOO_COMPLEX",
    );
  });

  it(`refuses more than ${MAX_VARIABLES} variables`, () => {
    expect(guard(`query(${repeat(MAX_VARIABLES, (index) => `$v${index}: Int`)}) { __typename }`)).to.equal(null);
    expect(guard(`query(${repeat(MAX_VARIABLES + 1, (index) => `$v${index}: Int`)}) { __typename }`)).to.equal("QUERY_TOO_COMPLEX");
  });

  it("lets a caller without a token name only the public mutations, __typename and introspection", () => {
    const anonymous = { kind: "anonymous" } as const;
    expect([...publicMutations()].sort()).to.deep.equal(["declineContactEmail", "verifyContactEmail"]);
    expect(guard(`mutation { verifyContactEmail(input: { token: "t" }) { verification { state } } }`, anonymous)).to.equal(null);
    expect(guard(`mutation { ... on Mutation { createAccount(input: { name: "x" }) { account { id } } } }`, anonymous)).to.equal(
      "UNAUTHENTICATED",
    );
    expect(guard(`query { verifyContactEmail }`, anonymous)).to.equal("UNAUTHENTICATED");
    expect(guard(`{ __typename }`, { kind: "invalid", reason: "UNAUTHENTICATED.tokenExpired" })).to.equal(null);
    expect(guard(`{ viewer { id } }`, { kind: "invalid", reason: "UNAUTHENTICATED.tokenExpired" })).to.equal("UNAUTHENTICATED");
    // Fragments fanning out 8^9 at the root: read once each, then refused by size, without walking them all.
    const fan = repeat(10, (level) =>
      level === 9 ? `fragment F${level} on Query { __typename }` : `fragment F${level} on Query { ${repeat(8, () => `...F${level + 1}`)} }`,
    );
    expect(guard(`{ ...F0 } ${fan}`, anonymous)).to.equal("QUERY_TOO_COMPLEX");
  });
});
