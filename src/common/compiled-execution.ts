import type { GatewayExecutor, GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from "@apollo/server-gateway-interface";
import {
  execute,
  locatedError,
  type GraphQLError,
  isAbstractType,
  Kind,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { LRUCache } from "lru-cache";

/**
 * Runs Apollo Server's operations as JavaScript compiled from each document by graphql-jit, instead of
 * walking the document on every request as graphql-js does. Apollo takes it as a "gateway": parsing,
 * validation and every plugin hook before execution (limits, cost, idempotency, the account screen
 * planner) run as before; only `execute` changes. Resolvers, type-graphql's middlewares and
 * `@Authorized` run as they are, called by the compiled code.
 *
 * What differs from graphql-js, and is made the same here:
 * - A field error from graphql-jit carries no AST nodes, only locations. Errors are rebuilt as
 *   graphql-js builds them, with the field's nodes (the error formatter reads them), the same path,
 *   cause and extensions.
 * - A request whose variables do not fit their declared types is answered by graphql-js, whose
 *   messages and nodes Apollo recognises (BAD_USER_INPUT, status 400). Nothing has run by then.
 * - A document graphql-jit cannot compile runs on graphql-js.
 *
 * Compiled documents are kept in a least-recently-used cache of `maxDocuments` entries, keyed by the
 * text's hash and the operation's name. A compiled document is large (the bench's settings query with
 * 50 members, about 170 KB of heap), so the default, 200, holds every operation our clients send with
 * room to spare and at most some 35 MB. Compiling costs about 1.5× parsing and validating the same
 * document (which Apollo does for every document it has not seen), so a caller sending a new document
 * each time costs somewhat more CPU, and never more memory than that.
 * Subscriptions do not come here (they run on graphql-ws with graphql-js).
 */
export class CompiledExecution {
  private readonly compiled: LRUCache<string, RunCompiled | typeof NOT_COMPILED>;

  constructor(
    private readonly schema: GraphQLSchema,
    readonly maxDocuments = 200,
  ) {
    this.compiled = new LRUCache({ max: maxDocuments });
    const asynchronous = Object.values(schema.getTypeMap()).filter(
      (type) => isAbstractType(type) && type.resolveType?.constructor.name === "AsyncFunction",
    );
    if (asynchronous.length > 0) {
      // graphql-jit takes resolveType's answer as it comes; type-graphql wraps a resolveType option in an async function.
      throw new Error(
        `Compiled execution needs ${asynchronous.map((type) => type.name).join(", ")} to resolve its type synchronously: ` +
          "a resolveType must answer at once, never with a promise (with type-graphql, leave the option out: it then resolves by class).",
      );
    }
  }

  /** How many operations ran compiled, and how many on graphql-js (variables refused, or a document that does not compile). */
  readonly runs = { compiled: 0, interpreted: 0 };

  /** How many documents are held compiled (or known not to compile) now. */
  get size(): number {
    return this.compiled.size;
  }

  /** The document's compiled form; null to run it on graphql-js this time. */
  compiledFor(document: DocumentNode, operationName: string | undefined, queryHash: string): RunCompiled | null {
    const key = operationName === undefined ? queryHash : `${queryHash}\n${operationName}`;
    const known = this.compiled.get(key);
    if (known !== undefined) return known === NOT_COMPILED ? null : known;
    const result = compileQuery(this.schema, document, operationName);
    const compiled = isCompiledQuery(result) ? result.query : NOT_COMPILED;
    this.compiled.set(key, compiled);
    return compiled === NOT_COMPILED ? null : compiled;
  }

  /** Runs one query or mutation, as graphql-js's `execute` would answer it. */
  async execute(args: {
    document: DocumentNode;
    operation: OperationDefinitionNode;
    operationName: string | undefined;
    queryHash: string;
    variables: Record<string, unknown> | undefined;
    contextValue: unknown;
  }): Promise<ExecutionResult> {
    const compiled = this.compiledFor(args.document, args.operationName, args.queryHash);
    if (compiled) {
      const result = await compiled(undefined, args.contextValue, args.variables);
      // No `data` at all: the variables were refused before anything ran.
      if (!("data" in result) || result.data === undefined) return this.interpret(args);
      if (result.errors) result.errors = result.errors.map((error) => withNodes(error, args.operation, args.document));
      this.runs.compiled++;
      return result;
    }
    return this.interpret(args);
  }

  private interpret(args: {
    document: DocumentNode;
    operationName: string | undefined;
    variables: Record<string, unknown> | undefined;
    contextValue: unknown;
  }) {
    this.runs.interpreted++;
    return execute({
      schema: this.schema,
      document: args.document,
      operationName: args.operationName,
      variableValues: args.variables,
      contextValue: args.contextValue,
    });
  }

  /** The executor Apollo calls for each operation. */
  readonly executor: GatewayExecutor = async (requestContext) =>
    this.execute({
      document: requestContext.document,
      operation: requestContext.operation,
      operationName: requestContext.request.operationName ?? undefined,
      queryHash: requestContext.queryHash,
      variables: requestContext.request.variables,
      contextValue: requestContext.context,
    });

  /** What Apollo Server takes as its `gateway` option, serving `schema` (which never changes). */
  gateway(): GatewayInterface {
    let loaded: GatewaySchemaLoadOrUpdateCallback | undefined;
    return {
      onSchemaLoadOrUpdate: (callback) => {
        loaded = callback;
        return () => {
          loaded = undefined;
        };
      },
      load: async () => {
        loaded?.({ apiSchema: this.schema, coreSupergraphSdl: "" });
        return { executor: this.executor };
      },
      stop: async () => {
        this.compiled.clear();
      },
    };
  }
}

/** The function graphql-jit compiles a document to: (root value, context, variables) to the result. */
type RunCompiled = CompiledQuery["query"];

const NOT_COMPILED = Symbol("not compiled");

/**
 * `error` as graphql-js would have located it: its cause (or, for an error graphql-jit raised itself, such
 * as a null in a non-null field, an Error with its message) at the AST nodes of the field at its path.
 */
function withNodes(error: GraphQLError, operation: OperationDefinitionNode, document: DocumentNode): GraphQLError {
  if (error.nodes || !error.path) return error;
  return locatedError(error.originalError ?? new Error(error.message), fieldNodesAt(operation, document, error.path), error.path);
}

/** The field nodes (one per selection that asks for it) answering `path`, response keys and list indexes. */
function fieldNodesAt(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  path: readonly (string | number)[],
): FieldNode[] | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let sets: SelectionSetNode[] = [operation.selectionSet];
  let nodes: FieldNode[] = [];
  for (const key of path) {
    if (typeof key === "number") continue;
    nodes = [];
    for (const set of sets) collectFields(set, key, fragments, nodes);
    if (nodes.length === 0) return undefined;
    sets = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  }
  return nodes;
}

function collectFields(
  set: SelectionSetNode,
  responseKey: string,
  fragments: Map<string, FragmentDefinitionNode>,
  into: FieldNode[],
): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if ((selection.alias ?? selection.name).value === responseKey) into.push(selection);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectFields(selection.selectionSet, responseKey, fragments, into);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment) collectFields(fragment.selectionSet, responseKey, fragments, into);
    }
  }
}
