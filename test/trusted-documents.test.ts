import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { expect } from "chai";
import { startTestServer, tokenFor, type GraphQLResponse, type TestServer } from "./helpers/server";
import { failsWith, ok } from "./helpers/factories";

/*
 * Operations sent by id from a build-time manifest. With TRUSTED_DOCUMENTS=allow an id and a text are
 * both accepted; with `only`, a text no manifest holds is refused before it is parsed. A document run
 * by id obeys every rule a text does.
 */

const VIEWER = "query Viewer { viewer { email } }";
const ACCOUNT = "query Account($id: ID!) { account(id: $id) { name viewerRole } }";
const CREATE = "mutation Create($input: CreateAccountInput!) { createAccount(input: $input) { account { id name } } }";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let directory: string;
/** Relay's and GraphQL Code Generator's shape: id → text. */
let flatManifest: string;
/** Apollo's persisted query manifest. */
let apolloManifest: string;

before(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-trusted-"));
  flatManifest = path.join(directory, "persisted-documents.json");
  fs.writeFileSync(flatManifest, JSON.stringify({ viewer1: VIEWER, [sha256(ACCOUNT)]: ACCOUNT }));
  apolloManifest = path.join(directory, "persisted-query-manifest.json");
  fs.writeFileSync(
    apolloManifest,
    JSON.stringify({
      format: "apollo-persisted-query-manifest",
      version: 1,
      operations: [{ id: "create-1", name: "Create", type: "mutation", body: CREATE }],
    }),
  );
});
after(() => fs.rmSync(directory, { recursive: true, force: true }));

async function post(server: TestServer, body: unknown, token: string | null): Promise<GraphQLResponse> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { ...((await response.json()) as GraphQLResponse), status: response.status };
}

async function get(server: TestServer, params: Record<string, string>, token: string): Promise<GraphQLResponse> {
  const response = await fetch(`${server.url}?${new URLSearchParams(params)}`, {
    headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" },
  });
  return { ...((await response.json()) as GraphQLResponse), status: response.status };
}

for (const mode of ["allow", "only"] as const) {
  describe(`trusted documents, TRUSTED_DOCUMENTS=${mode}`, () => {
    let server: TestServer;
    /** Signed in with documents from the manifest only, as a client of an `only` server is. */
    const alice = { email: `alice-${mode}@example.com`, token: "" };
    const mallory = { email: `mallory-${mode}@example.com`, token: "" };
    let accountId: string;

    before(async () => {
      server = await startTestServer({ env: { TRUSTED_DOCUMENTS: mode, TRUSTED_DOCUMENTS_MANIFEST: `${flatManifest},${apolloManifest}` } });
      alice.token = await tokenFor(alice.email);
      mallory.token = await tokenFor(mallory.email);
      const created = ok(await post(server, { documentId: "create-1", variables: { input: { name: "Trusted" } } }, alice.token));
      accountId = (created.createAccount as { account: { id: string } }).account.id;
    });
    after(() => server.close());

    it("runs a document named by the manifest's id, by sha256:<hash>, and by Apollo's persistedQuery hash", async () => {
      expect(ok(await post(server, { documentId: "viewer1" }, alice.token))).to.deep.equal({ viewer: { email: alice.email } });
      expect(ok(await post(server, { documentId: `sha256:${sha256(VIEWER)}` }, alice.token))).to.deep.equal({
        viewer: { email: alice.email },
      });
      const byHash = await post(
        server,
        { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(ACCOUNT) } }, variables: { id: accountId } },
        alice.token,
      );
      expect(ok(byHash)).to.deep.equal({ account: { name: "Trusted", viewerRole: "ADMIN" } });
      expect(ok(await get(server, { documentId: "viewer1" }, alice.token))).to.deep.equal({ viewer: { email: alice.email } });
    });

    it("runs a mutation from an Apollo manifest, by its id", async () => {
      const created = await post(server, { documentId: "create-1", variables: { input: { name: "By id" } } }, alice.token);
      expect(ok(created).createAccount.account.name).to.equal("By id");
    });

    it("keeps every rule for a document sent by id: another tenant's account is null, a mutation needs a token", async () => {
      const foreign = await post(server, { documentId: `sha256:${sha256(ACCOUNT)}`, variables: { id: accountId } }, mallory.token);
      expect(foreign.data).to.deep.equal({ account: null });
      failsWith(foreign, "NOT_FOUND");
      const anonymous = await post(server, { documentId: "create-1", variables: { input: { name: "Nobody" } } }, null);
      failsWith(anonymous, "UNAUTHENTICATED");
    });

    it("answers PERSISTED_QUERY_NOT_FOUND for an id no manifest holds, running nothing", async () => {
      const unknown = await post(server, { documentId: `sha256:${sha256("{ viewer { id } }")}` }, alice.token);
      expect(unknown.status).to.equal(400);
      failsWith(unknown, "PERSISTED_QUERY_NOT_FOUND");
      expect(unknown.data).to.equal(undefined);
    });

    if (mode === "allow") {
      it("still runs documents sent as text, and text with an unknown hash (Apollo's retry after a miss)", async () => {
        expect(ok(await post(server, { query: "{ viewer { id email } }" }, alice.token)).viewer.email).to.equal(alice.email);
        const retry = await post(
          server,
          { query: "{ viewer { email } }", extensions: { persistedQuery: { version: 1, sha256Hash: sha256("{ viewer { email } }") } } },
          alice.token,
        );
        expect(ok(retry)).to.deep.equal({ viewer: { email: alice.email } });
      });
    } else {
      it("refuses text no manifest holds with TRUSTED_DOCUMENT_REQUIRED, before it is parsed", async () => {
        for (const query of [
          "{ viewer { id email } }",
          "{ this is not graphql",
          'mutation { createAccount(input: { name: "Text" }) { account { id } } }',
        ]) {
          const refused = await post(server, { query }, alice.token);
          expect(refused.status, query).to.equal(400);
          failsWith(refused, "TRUSTED_DOCUMENT_REQUIRED");
        }
        const viaGet = await get(server, { query: "{ viewer { id } }" }, alice.token);
        failsWith(viaGet, "TRUSTED_DOCUMENT_REQUIRED");
        const retry = await post(
          server,
          { query: "{ viewer { id } }", extensions: { persistedQuery: { version: 1, sha256Hash: sha256("{ viewer { id } }") } } },
          alice.token,
        );
        failsWith(retry, "PERSISTED_QUERY_NOT_FOUND");
      });

      it("accepts the exact text of a trusted document", async () => {
        expect(ok(await post(server, { query: VIEWER }, alice.token))).to.deep.equal({ viewer: { email: alice.email } });
      });
    }
  });
}

describe("trusted document settings", () => {
  it("refuses to start with a manifest document that does not match the schema, naming it", async () => {
    const stale = path.join(directory, "stale.json");
    fs.writeFileSync(stale, JSON.stringify({ old: "{ viewer { telephone } }" }));
    let failure: unknown = null;
    try {
      const server = await startTestServer({ env: { TRUSTED_DOCUMENTS: "only", TRUSTED_DOCUMENTS_MANIFEST: stale } });
      await server.close();
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).to.include("document old does not match the schema");
  });

  it("refuses TRUSTED_DOCUMENTS=only without a manifest, and an unknown mode", async () => {
    const settings: Record<string, string>[] = [
      { TRUSTED_DOCUMENTS: "only" },
      { TRUSTED_DOCUMENTS: "strict", TRUSTED_DOCUMENTS_MANIFEST: flatManifest },
    ];
    for (const env of settings) {
      let failure: unknown = null;
      try {
        const server = await startTestServer({ env });
        await server.close();
      } catch (error) {
        failure = error;
      }
      expect(String(failure), JSON.stringify(env)).to.match(/TRUSTED_DOCUMENTS/);
    }
  });
});
