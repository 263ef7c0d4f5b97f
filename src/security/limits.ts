import type { Request, RequestHandler } from "express";
import {
  getOperationAST,
  GraphQLError,
  Lexer,
  Source,
  TokenKind,
  type DocumentNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { RequestLimits } from "../config";
import { DomainError, LocalisedRequestError, type ErrorKey } from "../errors";
import { negotiateLocale, translate, type Params } from "../i18n";
import { maxDepthRule } from "./depth";
import { guardDocument, parseForGuard, publicMutations } from "./document-guard";
import type { Caller } from "../context";
import { uncostedReport } from "./security.plugin";
import { requestScope } from "../observability/logger";

/*
 * What one request may cost. Each limit is checked before any resolver runs and refused with its own
 * error code: batching and document size on the raw request, what validation would cost on the parsed
 * document (document-guard.ts), depth, aliases and directives while the document is validated, cost
 * (cost.ts) once the operation and its variables are known.
 */

/** Validation errors reported at most; graphql-js adds one saying it stopped. */
export const MAX_VALIDATION_ERRORS = 10;

type Rejection = (context: ValidationContext | null, error: GraphQLError) => void;

function reject(key: ErrorKey, params: Params): { propagateOnRejection: false; onReject: Rejection[] } {
  return { propagateOnRejection: false, onReject: [(context) => context?.reportError(new DomainError(key, params))] };
}

/** Which operations a transport serves: HTTP queries and mutations, WebSocket (graphql-ws) subscriptions. */
export type Transport = "http" | "websocket";

/**
 * Refuses an operation the schema has no root type for as invalid, as graphql-js 17 does, and one the
 * transport does not serve: subscriptions over HTTP, queries and mutations over WebSocket.
 */
const servedOperationTypes =
  (transport: Transport): ValidationRule =>
  (context) => ({
    OperationDefinition(node) {
      if (!context.getSchema().getRootType(node.operation)) {
        context.reportError(
          new LocalisedRequestError("GRAPHQL_VALIDATION_FAILED.unknownOperationType", { operation: node.operation }, { nodes: node }),
        );
      } else if (transport === "http" && node.operation === "subscription") {
        context.reportError(new LocalisedRequestError("GRAPHQL_VALIDATION_FAILED.subscriptionOverHttp", {}, { nodes: node }));
      } else if (transport === "websocket" && node.operation !== "subscription") {
        context.reportError(new LocalisedRequestError("GRAPHQL_VALIDATION_FAILED.onlySubscriptionsOverWebSocket", {}, { nodes: node }));
      }
    },
  });

/** The depth rule, graphql-armor's alias and directive rules, each reporting its own code, and servedOperationTypes. */
export function limitValidationRules(limits: RequestLimits, transport: Transport = "http"): ValidationRule[] {
  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false }, // Apollo hides suggestions in production (hideSchemaDetailsFromClientErrors)
    maxTokens: { enabled: false }, // armor throws from a parsing hook (an HTTP 500); counted by requestGuard instead
    costLimit: { enabled: false }, // blind to page sizes; cost.ts counts them
    maxDepth: { enabled: false }, // exempts __schema wholesale; maxDepthRule exempts only ofType
    maxAliases: {
      n: limits.maxAliases,
      allowList: [], // armor exempts aliased `__typename` by default: thousands of them still cost work to answer
      ...reject("TOO_MANY_ALIASES.tooManyAliases", { max: limits.maxAliases }),
    },
    maxDirectives: {
      n: limits.maxDirectives,
      ...reject("TOO_MANY_DIRECTIVES.tooManyDirectives", { max: limits.maxDirectives }),
    },
  });
  return [servedOperationTypes(transport), maxDepthRule(limits.maxDepth), ...(armor.protect().validationRules ?? [])];
}

/** True when `query` has more than `max` tokens; stops counting at the first one too many. */
export function exceedsTokenLimit(query: string, max: number): boolean {
  const lexer = new Lexer(new Source(query));
  try {
    for (let count = 1; lexer.advance().kind !== TokenKind.EOF; count++) {
      if (count > max) return true;
    }
  } catch {
    return false; // not GraphQL at all: the parser answers with the syntax error
  }
  return false;
}

/** A refusal written before Apollo runs, in the language the request prefers; nothing was costed. */
function refuse(
  request: Parameters<RequestHandler>[0],
  response: Parameters<RequestHandler>[1],
  limits: RequestLimits,
  key: ErrorKey,
  params: Params = {},
): void {
  const code = key.slice(0, key.indexOf("."));
  const message = translate(negotiateLocale(request.headers["accept-language"]), key, params);
  response.status(400).json({ errors: [{ message, extensions: { code } }], extensions: { cost: uncostedReport(limits) } });
}

/** What the request's log line and metrics say about an operation refused before Apollo saw it. */
function describeRefused(request: Request, document: DocumentNode, caller: Caller): void {
  const scope = requestScope(request);
  if (!scope) return;
  const body: unknown = request.body;
  const named =
    body && typeof body === "object"
      ? (body as { operationName?: unknown }).operationName
      : (request.query as Record<string, unknown>).operationName;
  const operation = getOperationAST(document, typeof named === "string" ? named : undefined);
  scope.operationName = operation?.name?.value ?? null;
  scope.operationType = operation?.operation;
  scope.signedIn = caller.kind === "identified";
}

/**
 * Runs on the parsed HTTP body before Apollo: refuses batched requests, documents with too many tokens,
 * and documents that would cost more to validate than their size (document-guard.ts), or name fields
 * the caller may not call without a valid token. `callerOf` says who the request comes from.
 */
export function requestGuard(limits: RequestLimits, callerOf: (request: Request) => Promise<Caller>): RequestHandler {
  const mutations = publicMutations();
  return async (request, response, next) => {
    const body: unknown = request.body;
    if (Array.isArray(body)) {
      return refuse(request, response, limits, "BATCHING_NOT_SUPPORTED.batched");
    }
    const fromBody = body && typeof body === "object" ? (body as { query?: unknown }).query : undefined;
    const query = fromBody ?? (request.query as Record<string, unknown>).query;
    if (typeof query !== "string") return next();
    if (exceedsTokenLimit(query, limits.maxTokens)) {
      return refuse(request, response, limits, "QUERY_TOO_LARGE.tooManyTokens", { max: limits.maxTokens });
    }
    const document = parseForGuard(query);
    if (!document) return next();
    let refusal: DomainError | null;
    try {
      const caller = await callerOf(request);
      refusal = guardDocument(document, caller, mutations, limits);
      if (refusal) describeRefused(request, document, caller);
    } catch (error) {
      return next(error);
    }
    if (!refusal) return next();
    const locale = negotiateLocale(request.headers["accept-language"]);
    const status = (refusal.extensions.http as { status?: number } | undefined)?.status ?? 400;
    const error = { message: translate(locale, refusal.text.key, refusal.text.params), extensions: refusal.extensionsIn(locale, "") };
    // A caller without a valid token heard `data: null` from execution before; the answer keeps that shape.
    const data = refusal.code === "UNAUTHENTICATED" ? { data: null } : {};
    response.status(status).json({ errors: [error], ...data, extensions: { cost: uncostedReport(limits) } });
  };
}
