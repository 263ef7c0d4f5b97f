import type { RequestHandler } from "express";
import {
  getNamedType,
  GraphQLError,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  Lexer,
  SchemaMetaFieldDef,
  Source,
  TokenKind,
  TypeMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { RequestLimits } from "../config";
import { DomainError, ErrorCode } from "../errors";
import { maxDepthRule } from "./depth";

/*
 * What one request may cost. Each limit is checked before any resolver runs and refused with its own
 * error code: batching and document size on the raw request, depth, aliases and directives while the
 * document is validated, cost once the operation and its variables are known.
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
    costLimit: { enabled: false }, // blind to page sizes; queryCost counts them
    maxDepth: { enabled: false }, // exempts __schema wholesale; maxDepthRule exempts only ofType
    maxAliases: {
      n: limits.maxAliases,
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

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, node: FieldNode): GraphQLField<unknown, unknown> | undefined {
  const name = node.name.value;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/** How many items a paged field asks for: its `first` argument, from the query, its variables or its default. */
function pageSize(definition: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): number {
  const argument = definition.args.find((arg) => arg.name === "first");
  if (!argument) return 1;
  const given = node.arguments?.find((arg) => arg.name.value === "first")?.value;
  let value: unknown = argument.defaultValue;
  if (given?.kind === Kind.INT) value = Number(given.value);
  if (given?.kind === Kind.VARIABLE && variables[given.name.value] != null) value = variables[given.name.value];
  return typeof value === "number" && Number.isFinite(value) ? Math.max(1, value) : 1;
}

/**
 * What an operation costs: one point per object it resolves (scalars are free: they are read from an
 * object already loaded), counting an object inside a page once for every item the page may hold
 * (`first`). `accounts(first: 100) { edges { node { members(first: 100) { edges { node { user { email }
 * } } } } } }` costs 30,301; the 100-account console list with 10 members each about 3,700; a
 * settings screen a few hundred.
 */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> = {}): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const costOf = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, multiplier: number): number => {
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const definition = fieldDefinition(schema, parent, selection);
        const type = definition && getNamedType(definition.type);
        if (definition && selection.selectionSet && type && isCompositeType(type)) {
          cost += multiplier + costOf(selection.selectionSet, type, multiplier * pageSize(definition, selection, variables));
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        cost += costOf(selection.selectionSet, condition && isCompositeType(condition) ? condition : parent, multiplier);
      } else {
        cost += multiplier * fragmentCost(selection.name.value);
      }
    }
    return cost;
  };
  // Cost grows linearly with the multiplier, so each fragment is costed once: spreading one fragment
  // many times at many levels cannot make this walk explode.
  const fragmentCosts = new Map<string, number>();
  const fragmentCost = (name: string): number => {
    const known = fragmentCosts.get(name);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    const condition = fragment && schema.getType(fragment.typeCondition.name.value);
    fragmentCosts.set(name, 0); // a cycle (refused by validation already) adds nothing
    const cost = fragment && condition && isCompositeType(condition) ? costOf(fragment.selectionSet, condition, 1) : 0;
    fragmentCosts.set(name, cost);
    return cost;
  };
  const root = schema.getRootType(operation.operation);
  return root ? costOf(operation.selectionSet, root, 1) : 0;
}

/** Refuses an operation that costs more than `maxCost`, naming both figures. */
export function checkCost(cost: number, maxCost: number): void {
  if (cost > maxCost) {
    throw new DomainError(
      ErrorCode.QUERY_TOO_COMPLEX,
      `This query would cost ${cost} points and the limit is ${maxCost}. Ask for fewer items per page or fewer nested lists.`,
      { cost, maxCost },
    );
  }
}
