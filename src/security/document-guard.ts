import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { getMetadataStorage } from "type-graphql";
import type { Caller } from "../context";
import { DomainError } from "../errors";
import type { RequestLimits } from "../config";
import { ANONYMOUS_INTROSPECTIONS, MAX_SELECTIONS_WALKED } from "./cost";

/*
 * Bounds on the parsed document, checked in one linear pass before graphql-js validates it. Some
 * validation rules cost more than the document's size: OverlappingFieldsCanBeMerged compares every
 * pair of fields that answer under the same response path (`{ viewer { id } }` 700 times is 245,000
 * pairs, 200–400 ms), and fragments spread inside fragments multiply what the rules walk. Apollo does
 * not keep failed validations, so every request would pay again. This pass counts exactly those two
 * quantities, stops at the first one over its bound, and lets callers without a valid token name only
 * the public mutations (and `__typename`, and one introspection field), so nothing else of theirs is
 * ever validated.
 */

/** Selections (fields, fragment spreads, inline fragments) the document makes once every fragment is spread where it is used: as many as the cost walk takes. */
export const MAX_SPREAD_SELECTIONS = MAX_SELECTIONS_WALKED;

/** Variables a document may declare: graphql-js checks them in time that grows faster than their number. */
export const MAX_VARIABLES = 100;

/**
 * Pairs of fields answering under one response path (same parent path, same alias or name), counted
 * with fragments spread: what OverlappingFieldsCanBeMerged compares. Relay-style documents that spread
 * `id` from many fragments stay far below it.
 */
export const MAX_FIELD_PAIRS = 2000;

/** Root fields a caller without a valid token may name, besides the public mutations. */
const ANONYMOUS_META_FIELDS = new Set(["__typename", "__schema", "__type"]);
const INTROSPECTION_FIELDS = new Set(["__schema", "__type"]);

/** The mutations that need no sign-in: the root fields without `@Authorized()`. */
export function publicMutations(): Set<string> {
  const storage = getMetadataStorage();
  const authorized = new Set(storage.authorizedFields.map((field) => `${field.target.name}.${field.fieldName}`));
  return new Set(
    storage.mutations
      .filter((handler) => !authorized.has(`${handler.target.name}.${handler.methodName}`))
      .map((handler) => handler.schemaName),
  );
}

/** Parses `query` for the guard; null when it is not GraphQL at all (Apollo then answers with the syntax error). */
export function parseForGuard(query: string): DocumentNode | null {
  try {
    return parse(query, { noLocation: true });
  } catch {
    return null;
  }
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION && !fragments.has(definition.name.value))
      fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** A refusal before validation, or null when the document may be validated. */
export function guardDocument(
  document: DocumentNode,
  caller: Caller,
  mutations: ReadonlySet<string>,
  limits: Pick<RequestLimits, "maxAliases" | "maxDirectives">,
): DomainError | null {
  const fragments = fragmentsOf(document);
  if (caller.kind !== "identified") {
    const refusal = anonymousRefusal(document, fragments, caller, mutations);
    if (refusal) return refusal;
  }
  return countRefusal(document, limits) ?? sizeRefusal(document, fragments);
}

/**
 * Aliases, directives and variables as written (each fragment once). Validation refuses the first two
 * past their limits anyway, counting fragments each time they are spread; refusing here spares it the work.
 */
function countRefusal(document: DocumentNode, limits: Pick<RequestLimits, "maxAliases" | "maxDirectives">): DomainError | null {
  let aliases = 0;
  let directives = 0;
  let variables = 0;
  const count = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD && selection.alias) aliases++;
      if (selection.kind !== Kind.FRAGMENT_SPREAD && selection.selectionSet) count(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    directives += definition.directives?.length ?? 0;
    for (const variable of definition.variableDefinitions ?? []) {
      variables++;
      directives += variable.directives?.length ?? 0;
    }
    count(definition.selectionSet);
  }
  if (aliases > limits.maxAliases) return new DomainError("TOO_MANY_ALIASES.tooManyAliases", { max: limits.maxAliases });
  if (directives > limits.maxDirectives) return new DomainError("TOO_MANY_DIRECTIVES.tooManyDirectives", { max: limits.maxDirectives });
  if (variables > MAX_VARIABLES) return new DomainError("QUERY_TOO_COMPLEX.tooManyVariables", { max: MAX_VARIABLES });
  return null;
}

/** The root fields of a selection set, through inline fragments and spreads; each fragment is read once, however often it is spread. */
function rootFields(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  read: Set<string>,
  found: { name: string; key: string; conditional: boolean }[],
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      found.push({
        name: selection.name.value,
        key: selection.alias?.value ?? selection.name.value,
        conditional: (selection.directives?.length ?? 0) > 0,
      });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      rootFields(selection.selectionSet, fragments, read, found);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || read.has(fragment.name.value)) continue;
      read.add(fragment.name.value);
      rootFields(fragment.selectionSet, fragments, read, found);
    }
  }
}

/** Without a valid token a document may only call the public mutations, `__typename` and introspection (one field of it). */
function anonymousRefusal(
  document: DocumentNode,
  fragments: Map<string, FragmentDefinitionNode>,
  caller: Exclude<Caller, { kind: "identified" }>,
  mutations: ReadonlySet<string>,
): DomainError | null {
  const unauthenticated = () => new DomainError(caller.kind === "invalid" ? caller.reason : "UNAUTHENTICATED.missingToken");
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const found: { name: string; key: string; conditional: boolean }[] = [];
    rootFields(definition.selectionSet, fragments, new Set(), found);
    const allowed = (name: string) => ANONYMOUS_META_FIELDS.has(name) || (isMutation(definition) && mutations.has(name));
    if (found.some((field) => !allowed(field.name))) return unauthenticated();
    // The exact count, with @include and @skip resolved, follows once variables are known (security.plugin.ts).
    const introspections = new Set(
      found.filter((field) => INTROSPECTION_FIELDS.has(field.name) && !field.conditional).map((field) => field.key),
    );
    if (introspections.size > ANONYMOUS_INTROSPECTIONS) {
      return new DomainError("TOO_MANY_INTROSPECTIONS.anonymousIntrospection", {}, { maxIntrospections: ANONYMOUS_INTROSPECTIONS });
    }
  }
  return null;
}

const isMutation = (operation: OperationDefinitionNode) => operation.operation === "mutation";

class Oversized extends Error {
  constructor(readonly refusal: DomainError) {
    super(refusal.message);
  }
}

/**
 * Walks every operation with its fragments spread, and every fragment no operation spreads on its own
 * (validation visits those too), counting selections and same-path field pairs; refuses at the first
 * bound passed, so the walk itself never does more than MAX_SPREAD_SELECTIONS steps.
 */
function sizeRefusal(document: DocumentNode, fragments: Map<string, FragmentDefinitionNode>): DomainError | null {
  let selections = 0;
  let pairs = 0;
  const reached = new Set<FragmentDefinitionNode>();
  // A response path is numbered once (parent path's number and response key); counts are per number.
  let paths = new Map<string, number>();
  let counts: number[] = [];

  const walk = (selectionSet: SelectionSetNode, path: number, spreading: Set<string>) => {
    for (const selection of selectionSet.selections) {
      if (++selections > MAX_SPREAD_SELECTIONS)
        throw new Oversized(new DomainError("QUERY_TOO_COMPLEX.tooManySelections", { max: MAX_SPREAD_SELECTIONS }));
      if (selection.kind === Kind.FIELD) {
        const key = `${path}:${selection.alias?.value ?? selection.name.value}`;
        let id = paths.get(key);
        if (id === undefined) paths.set(key, (id = counts.push(0) - 1));
        pairs += counts[id]!;
        counts[id]!++;
        if (pairs > MAX_FIELD_PAIRS) throw new Oversized(new DomainError("QUERY_TOO_COMPLEX.repeatedFields", { max: MAX_FIELD_PAIRS }));
        if (selection.selectionSet) walk(selection.selectionSet, id, spreading);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        walk(selection.selectionSet, path, spreading);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || spreading.has(fragment.name.value)) continue; // unknown or cyclic: validation refuses it, cheaply
        reached.add(fragment);
        spreading.add(fragment.name.value);
        walk(fragment.selectionSet, path, spreading);
        spreading.delete(fragment.name.value);
      }
    }
  };
  const root = (selectionSet: SelectionSetNode, spreading: Set<string>) => {
    paths = new Map();
    counts = [0];
    walk(selectionSet, 0, spreading);
  };

  try {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) root(definition.selectionSet, new Set());
    }
    // What an operation spreads was walked with it, and holds no pair that operation did not.
    for (const fragment of document.definitions) {
      if (fragment.kind !== Kind.FRAGMENT_DEFINITION || reached.has(fragment)) continue;
      reached.add(fragment);
      root(fragment.selectionSet, new Set([fragment.name.value]));
    }
  } catch (error) {
    if (error instanceof Oversized) return error.refusal;
    throw error;
  }
  return null;
}
