import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { buildSchema, isEnumType, isSpecifiedScalarType } from "graphql";
import { ErrorCode } from "../src/errors";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";
import { CODES_SEEN } from "./helpers/codes-seen";
import { typesReachableWithoutDeprecated } from "./helpers/schema-gate";

/*
 * The schema's ErrorCode enum lists exactly the codes the server can send: every code the source
 * throws is listed, every listed code is thrown somewhere (or sent by graphql-js and Apollo Server
 * themselves), and, when the whole suite runs, every listed code was answered by a test.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const SRC = path.join(ROOT, "src");
/** Sent by graphql-js and Apollo Server, not by this source. */
const SENT_BY_THE_LIBRARIES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_SUPPORTED",
]);

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The codes the source sends: message keys (`"NOT_FOUND.account"`) and `ErrorCode.X`, outside the table that lists them. */
function codesInSource(): Set<string> {
  const codes = new Set<string>();
  for (const file of sourceFiles(SRC)) {
    if (file.startsWith(path.join(SRC, "i18n"))) continue; // the messages, not their use
    let text = fs.readFileSync(file, "utf8");
    if (file === path.join(SRC, "errors.ts")) text = text.slice(text.indexOf("export type ErrorKey")); // skip the list itself
    for (const match of text.matchAll(/["`]([A-Z][A-Z_]+[A-Z])\.[a-z]\w*["`]/g)) codes.add(match[1]!);
    for (const match of text.matchAll(/ErrorCode\.([A-Z_]+)/g)) codes.add(match[1]!);
  }
  return codes;
}

const schemaCodes = () => {
  const type = buildSchema(fs.readFileSync(path.join(ROOT, "schema.graphql"), "utf8")).getType("ErrorCode");
  if (!isEnumType(type)) throw new Error("schema.graphql has no enum ErrorCode");
  return type.getValues();
};

describe("ErrorCode in the schema", () => {
  it("lists every code the source throws, and nothing the source never throws", () => {
    const listed = schemaCodes().map((value) => value.name);
    expect([...listed].sort()).to.deep.equal(Object.values(ErrorCode).sort());
    const thrown = codesInSource();
    expect(
      [...thrown].filter((code) => !listed.includes(code)),
      "codes thrown but not in ErrorCode",
    ).to.deep.equal([]);
    expect(
      listed.filter((code) => !thrown.has(code) && !SENT_BY_THE_LIBRARIES.has(code)),
      "codes in ErrorCode that nothing throws",
    ).to.deep.equal([]);
  });

  it("is the one type no field reaches: every other type is reachable from the root fields", () => {
    const schema = buildSchema(fs.readFileSync(path.join(ROOT, "schema.graphql"), "utf8"));
    const reachable = typesReachableWithoutDeprecated(schema);
    const named = Object.keys(schema.getTypeMap()).filter(
      (name) => !name.startsWith("__") && !isSpecifiedScalarType(schema.getType(name)!),
    );
    expect(named.filter((name) => !reachable.has(name))).to.deep.equal(["ErrorCode"]);
  });

  it("describes every code with what a screen should do", () => {
    for (const value of schemaCodes()) expect(value.description ?? "", value.name).to.have.length.greaterThan(40);
  });

  describe("codes graphql-js and Apollo Server send", () => {
    let server: TestServer;
    let token: string;
    before(async () => {
      server = await startTestServer();
      token = await tokenFor("codes@example.com");
    });
    after(() => server.close());

    // Signed in: a caller without a token is refused before validation (UNAUTHENTICATED).
    const post = async (body: unknown) => {
      const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
      const response = await fetch(server.url, { method: "POST", headers, body: JSON.stringify(body) });
      return ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors.map((error) => error.extensions.code);
    };

    it("answers each with its code", async () => {
      expect(await post({ query: "{ viewer { id" })).to.deep.equal(["GRAPHQL_PARSE_FAILED"]);
      expect(await post({ query: "{ nothing }" })).to.deep.equal(["GRAPHQL_VALIDATION_FAILED"]);
      expect(await post({ query: "query A { viewer { id } } query B { viewer { id } }" })).to.deep.equal(["OPERATION_RESOLUTION_FAILURE"]);
      expect(await post({ extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } })).to.deep.equal([
        "PERSISTED_QUERY_NOT_SUPPORTED",
      ]);
      expect(await post({ variables: {} })).to.deep.equal(["BAD_REQUEST"]);
    });
  });
});

// After every test of the run: if the whole suite ran, each listed code must have been answered by some test.
after(function () {
  const ran = new Set((this.test?.parent?.suites ?? []).map((suite) => suite.file && path.basename(suite.file)));
  const all = fs.readdirSync(__dirname).filter((name) => name.endsWith(".test.js"));
  if (!all.every((name) => ran.has(name))) return;
  const unseen = Object.values(ErrorCode).filter((code) => !CODES_SEEN.has(code));
  expect(unseen, "codes in ErrorCode that no test received from a server").to.deep.equal([]);
});
