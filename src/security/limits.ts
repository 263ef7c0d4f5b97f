import type { RequestHandler } from "express";
import { GraphQLError, Lexer, Source, TokenKind, type ValidationContext, type ValidationRule } from "graphql";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { RequestLimits } from "../config";
import { DomainError, ErrorCode } from "../errors";
import { maxDepthRule } from "./depth";

/*
 * What one request may cost. Each limit is checked before any resolver runs and refused with its own
 * error code: batching and document size on the raw request, depth, aliases and directives while the
 * document is validated, cost (cost.ts) once the operation and its variables are known.
 */

type Rejection = (context: ValidationContext | null, error: GraphQLError) => void;

function reject(code: ErrorCode, message: string): { propagateOnRejection: false; onReject: Rejection[] } {
  return { propagateOnRejection: false, onReject: [(context) => context?.reportError(new DomainError(code, message))] };
}

/** Refuses `subscription` (or any operation the schema has no root type for) as invalid, as graphql-js 17 does. */
const knownOperationTypes: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (!context.getSchema().getRootType(node.operation)) {
      context.reportError(new GraphQLError(`This API has no ${node.operation} operations.`, { nodes: node }));
    }
  },
});

/** The depth rule, graphql-armor's alias and directive rules, each reporting its own code, and knownOperationTypes. */
export function limitValidationRules(limits: RequestLimits): ValidationRule[] {
  const armor = new ApolloArmor({
    blockFieldSuggestion: { enabled: false }, // Apollo hides suggestions in production (hideSchemaDetailsFromClientErrors)
    maxTokens: { enabled: false }, // armor throws from a parsing hook (an HTTP 500); counted by requestGuard instead
    costLimit: { enabled: false }, // blind to page sizes; cost.ts counts them
    maxDepth: { enabled: false }, // exempts __schema wholesale; maxDepthRule exempts only ofType
    maxAliases: {
      n: limits.maxAliases,
      allowList: [], // armor exempts aliased `__typename` by default: thousands of them still cost work to answer
      ...reject(ErrorCode.TOO_MANY_ALIASES, `The query uses more than ${limits.maxAliases} aliases. Split it into several requests.`),
    },
    maxDirectives: {
      n: limits.maxDirectives,
      ...reject(ErrorCode.TOO_MANY_DIRECTIVES, `The query uses more than ${limits.maxDirectives} directives.`),
    },
  });
  return [knownOperationTypes, maxDepthRule(limits.maxDepth), ...(armor.protect().validationRules ?? [])];
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

function refuse(response: Parameters<RequestHandler>[1], code: ErrorCode, message: string): void {
  response.status(400).json({ errors: [{ message, extensions: { code } }] });
}

/** Runs on the parsed HTTP body before Apollo: refuses batched requests and documents with too many tokens. */
export function requestGuard(limits: RequestLimits): RequestHandler {
  return (request, response, next) => {
    const body: unknown = request.body;
    if (Array.isArray(body)) {
      return refuse(response, ErrorCode.BATCHING_NOT_SUPPORTED, "Send one operation per request: batched requests are not supported.");
    }
    const fromBody = body && typeof body === "object" ? (body as { query?: unknown }).query : undefined;
    const query = fromBody ?? (request.query as Record<string, unknown>).query;
    if (typeof query === "string" && exceedsTokenLimit(query, limits.maxTokens)) {
      return refuse(response, ErrorCode.QUERY_TOO_LARGE, `The query has more than ${limits.maxTokens} tokens. Send a smaller document.`);
    }
    next();
  };
}
