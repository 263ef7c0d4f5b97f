import fs from "node:fs";
import { createHash } from "node:crypto";
import { parse, validate, type GraphQLSchema } from "graphql";
import type { RequestHandler } from "express";
import { negotiateLocale, translate, type MessageKey } from "../i18n";

/**
 * Trusted documents (persisted operations): the operations a team's own clients send, listed at
 * build time in a manifest, and sent by id instead of by text.
 *
 * A request names its document with `documentId` (the GraphQL over HTTP convention; `sha256:<hex>`
 * or the id as the manifest has it) or with `extensions.persistedQuery.sha256Hash` (what Apollo
 * Client's persisted-queries link and GraphQL Code Generator's client preset send). The server puts
 * the manifest's text in its place, and the request goes on as if the client had sent that text, so
 * every rule (the caller's rights, the request limits, the cost) still applies. Apollo Server keeps
 * each document it has parsed and validated, so a trusted document is parsed and validated once.
 *
 * With `only`, text a manifest does not hold is refused before it is parsed: the server runs no
 * document its own clients did not ship, and a stranger's document costs it one lookup.
 */

export type TrustedDocumentsMode = "off" | "allow" | "only";

/** The documents of the manifests, by id; each also by its SHA-256, so either names it. */
export class TrustedDocuments {
  private readonly byId = new Map<string, string>();
  private readonly texts = new Set<string>();

  constructor(documents: Iterable<[string, string]>) {
    for (const [id, text] of documents) {
      this.byId.set(id, text);
      this.byId.set(sha256(text), text);
      this.texts.add(text);
    }
  }

  get size(): number {
    return this.texts.size;
  }

  /** The text of the document `id` names (`sha256:<hex>`, `<hex>`, or the manifest's own id); undefined when none. */
  text(id: string): string | undefined {
    return this.byId.get(id.startsWith("sha256:") ? id.slice("sha256:".length) : id);
  }

  /** Whether `text` is exactly one of the manifests' documents. */
  holds(text: string): boolean {
    return this.texts.has(text);
  }

  /**
   * Reads manifests: Relay's persisted queries and GraphQL Code Generator's persisted documents (an
   * object of id → text), or Apollo's persisted query manifest (`operations: [{ id, body }]`). Each
   * document must be valid against `schema`: a manifest from another version of the schema stops the
   * start, rather than failing each request that uses it.
   */
  static load(files: readonly string[], schema: GraphQLSchema): TrustedDocuments {
    const documents: [string, string][] = [];
    for (const file of files) {
      let manifest: unknown;
      try {
        manifest = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch (error) {
        throw new Error(`TRUSTED_DOCUMENTS_MANIFEST ${file}: ${(error as Error).message}`);
      }
      for (const [id, text] of entriesOf(manifest, file)) {
        const problems = validate(schema, parseOrThrow(text, file, id));
        if (problems.length > 0)
          throw new Error(`TRUSTED_DOCUMENTS_MANIFEST ${file}: document ${id} does not match the schema: ${problems[0]!.message}`);
        documents.push([id, text]);
      }
    }
    return new TrustedDocuments(documents);
  }
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function parseOrThrow(text: string, file: string, id: string) {
  try {
    return parse(text);
  } catch (error) {
    throw new Error(`TRUSTED_DOCUMENTS_MANIFEST ${file}: document ${id} is not GraphQL: ${(error as Error).message}`);
  }
}

function entriesOf(manifest: unknown, file: string): [string, string][] {
  if (manifest && typeof manifest === "object" && Array.isArray((manifest as { operations?: unknown }).operations)) {
    return (manifest as { operations: unknown[] }).operations.map((operation, index) => {
      const { id, body } = (operation ?? {}) as { id?: unknown; body?: unknown };
      if (typeof id !== "string" || typeof body !== "string")
        throw new Error(`TRUSTED_DOCUMENTS_MANIFEST ${file}: operations[${index}] needs a string id and body`);
      return [id, body];
    });
  }
  if (manifest && typeof manifest === "object" && !Array.isArray(manifest)) {
    return Object.entries(manifest).map(([id, text]) => {
      if (typeof text !== "string") throw new Error(`TRUSTED_DOCUMENTS_MANIFEST ${file}: the document ${id} is not a string`);
      return [id, text];
    });
  }
  throw new Error(`TRUSTED_DOCUMENTS_MANIFEST ${file}: expected an object of id → document, or { operations: [{ id, body }] }`);
}

export interface RequestBody {
  query?: unknown;
  documentId?: unknown;
  extensions?: { persistedQuery?: { sha256Hash?: unknown } } & Record<string, unknown>;
}

/** The id a request names its document by, if any. */
function documentIdOf(body: RequestBody): string | undefined {
  if (typeof body.documentId === "string") return body.documentId;
  const hash = body.extensions?.persistedQuery?.sha256Hash;
  return typeof hash === "string" ? hash : undefined;
}

/**
 * What a request runs, under the trusted-document rules: the text its id names (or its own text, where
 * that is allowed), or the refusal to answer. `documentId` and `persistedQuery` are taken out of it.
 */
export function resolveTrustedDocument(
  documents: TrustedDocuments,
  mode: Exclude<TrustedDocumentsMode, "off">,
  body: RequestBody,
): { query: unknown; refusal?: never } | { refusal: MessageKey } {
  const id = documentIdOf(body);
  if (id !== undefined) {
    const text = documents.text(id);
    // A client that also sent the text (Apollo's retry after a miss) may run it where text is allowed.
    if (text === undefined && (mode === "only" || typeof body.query !== "string" || body.query === ""))
      return { refusal: "PERSISTED_QUERY_NOT_FOUND.unknownDocument" };
    delete body.documentId;
    if (body.extensions?.persistedQuery) delete body.extensions.persistedQuery;
    return { query: text ?? body.query };
  }
  if (mode === "only" && typeof body.query === "string" && !documents.holds(body.query))
    return { refusal: "TRUSTED_DOCUMENT_REQUIRED.notTrusted" };
  return { query: body.query };
}

/**
 * Puts each named trusted document's text in the request, before the request limits and Apollo see
 * it; with `only`, refuses text that is not one of them. Runs after the JSON body parser.
 */
export function trustedDocumentsMiddleware(documents: TrustedDocuments, mode: Exclude<TrustedDocumentsMode, "off">): RequestHandler {
  return (request, response, next) => {
    const fromBody = request.body && typeof request.body === "object" && !Array.isArray(request.body);
    const body: RequestBody = fromBody ? (request.body as RequestBody) : { ...(request.query as RequestBody) };
    const named = documentIdOf(body) !== undefined;
    const resolved = resolveTrustedDocument(documents, mode, body);
    if (resolved.refusal) {
      const message = translate(negotiateLocale(request.headers["accept-language"]), resolved.refusal);
      response.status(400).json({ errors: [{ message, extensions: { code: resolved.refusal.slice(0, resolved.refusal.indexOf(".")) } }] });
      return;
    }
    if (!named) return next();
    if (fromBody) {
      body.query = resolved.query;
    } else {
      // GET: Apollo reads the operation from the URL's query string, so the URL is rewritten.
      const url = new URL(request.url, "http://localhost");
      url.searchParams.delete("documentId");
      url.searchParams.delete("extensions");
      url.searchParams.set("query", String(resolved.query));
      request.url = `${url.pathname}?${url.searchParams.toString()}`;
    }
    next();
  };
}
