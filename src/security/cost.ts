import {
  __Directive,
  __Field,
  __InputValue,
  __Schema,
  __Type,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  isWrappingType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type GraphQLType,
  type OperationDefinitionNode,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";
import { DomainError } from "../errors";
import { message } from "../i18n";

/*
 * What an operation costs: one point per object it resolves (scalars are free: they are read from an
 * object already loaded), counting an object inside a page once for every item the page may hold.
 * graphql-query-complexity walks the operation exactly as execution will run it: arguments and
 * `@include`/`@skip` conditions are coerced by graphql-js from the literals, the variables, the
 * variables' defaults and the schema's defaults, through named and inline fragments. A connection
 * without `first` or `last` counts the page size its field declares (`defaultPageSize`).
 *
 * `accounts(first: 100) { edges { node { members(first: 100) { edges { node { user { email } } } } } } }`
 * costs 30,301; the 100-account console list with 10 members each 4,001; a settings screen a few
 * hundred; graphql-js's full introspection query about as many points as the objects it returns.
 */

/** Selections the cost walk visits at most: spreading fragments inside fragments multiplies them. */
export const MAX_SELECTIONS_WALKED = 10_000;

/** Callers without a valid token may ask for `__schema` or `__type` once per request. */
export const ANONYMOUS_INTROSPECTIONS = 1;

type PerTypeList = "fields" | "inputFields" | "enumValues" | "interfaces" | "possibleTypes";

/** How many items the introspection lists hold, measured on the schema itself. */
interface IntrospectionSizes {
  types: number;
  directives: number;
  /**
   * Items per named type, on average: summed over `__schema { types }` this is exact. One type may
   * hold more than the average, but one type's lists are short.
   */
  perType: Record<PerTypeList, number>;
  argsPerField: number;
  argsPerDirective: number;
  /** LIST and NON_NULL wrappers around a field's, argument's or input field's type: each is an `ofType` object. */
  wrappersPerReference: number;
}

const average = (total: number, count: number) => (count === 0 ? 0 : total / count);

function measureSchema(schema: GraphQLSchema): IntrospectionSizes {
  const named = Object.values(schema.getTypeMap());
  const totals: Record<PerTypeList, number> = { fields: 0, inputFields: 0, enumValues: 0, interfaces: 0, possibleTypes: 0 };
  let fieldCount = 0;
  let fieldArgs = 0;
  let references = 0;
  let wrappers = 0;
  const reference = (type: GraphQLType) => {
    references++;
    for (let wrapped = type; isWrappingType(wrapped); wrapped = wrapped.ofType) wrappers++;
  };
  for (const type of named) {
    if (isObjectType(type) || isInterfaceType(type)) {
      const fields = Object.values(type.getFields());
      totals.fields += fields.length;
      totals.interfaces += type.getInterfaces().length;
      for (const field of fields) {
        fieldCount++;
        fieldArgs += field.args.length;
        reference(field.type);
        for (const arg of field.args) reference(arg.type);
      }
    }
    if (isAbstractType(type)) totals.possibleTypes += schema.getPossibleTypes(type).length;
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields());
      totals.inputFields += fields.length;
      for (const field of fields) reference(field.type);
    }
    if (isEnumType(type)) totals.enumValues += type.getValues().length;
  }
  const directives = schema.getDirectives();
  const directiveArgs = directives.flatMap((directive) => directive.args);
  for (const arg of directiveArgs) reference(arg.type);
  return {
    types: named.length,
    directives: directives.length,
    // Rounded up: a schema that grows by small types must not make one big type's lists cheaper.
    perType: {
      fields: Math.ceil(average(totals.fields, named.length)),
      inputFields: average(totals.inputFields, named.length),
      enumValues: average(totals.enumValues, named.length),
      interfaces: average(totals.interfaces, named.length),
      possibleTypes: average(totals.possibleTypes, named.length),
    },
    argsPerField: average(fieldArgs, fieldCount),
    argsPerDirective: average(directiveArgs.length, directives.length),
    wrappersPerReference: average(wrappers, references),
  };
}

const schemaSizes = new WeakMap<GraphQLSchema, IntrospectionSizes>();

function introspectionSizes(schema: GraphQLSchema): IntrospectionSizes {
  let sizes = schemaSizes.get(schema);
  if (!sizes) {
    sizes = measureSchema(schema);
    schemaSizes.set(schema, sizes);
  }
  return sizes;
}

/** How many items an introspection list field holds, or undefined for any other field. */
function introspectionItems(
  sizes: IntrospectionSizes,
  parent: GraphQLCompositeType,
  field: GraphQLField<unknown, unknown>,
): number | undefined {
  if (parent === __Schema && field.name === "types") return sizes.types;
  if (parent === __Schema && field.name === "directives") return sizes.directives;
  if (parent === __Type && field.name in sizes.perType) return sizes.perType[field.name as PerTypeList];
  if (parent === __Field && field.name === "args") return sizes.argsPerField;
  if (parent === __Directive && field.name === "args") return sizes.argsPerDirective;
  return undefined;
}

/** How many times the average type's lists the lists of the type named `name` are (at least 1). */
function namedTypeScale(schema: GraphQLSchema, sizes: IntrospectionSizes, name: unknown): number {
  const type = typeof name === "string" ? schema.getType(name) : undefined;
  if (!type) return 1;
  const own: Partial<Record<PerTypeList, number>> = {
    fields: isObjectType(type) || isInterfaceType(type) ? Object.keys(type.getFields()).length : 0,
    inputFields: isInputObjectType(type) ? Object.keys(type.getFields()).length : 0,
    enumValues: isEnumType(type) ? type.getValues().length : 0,
  };
  return Math.max(1, ...Object.entries(own).map(([list, count]) => count / Math.max(1, sizes.perType[list as PerTypeList])));
}

/** The argument of a list field that names its items one by one (`nodes(ids:)`): the field returns one item per id. */
const ITEMS_ARGUMENT = "ids";

/**
 * How many items a field returns, for each of which its selection runs: for a connection, `last` as
 * execution coerced it, else `first`, else the page size the field uses without either (its
 * `defaultPageSize` extension); for a list of ids, one per id; for a list that is not paged, the most
 * items it can hold (its `maxItems` extension, see MaxItems); for a single object, one.
 */
function pageSize(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  const size = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? Math.max(1, value) : undefined);
  if (field.args.some((arg) => arg.name === ITEMS_ARGUMENT) && isListType(getNullableType(field.type))) {
    const ids = args[ITEMS_ARGUMENT];
    return Array.isArray(ids) ? Math.max(1, ids.length) : 1;
  }
  // A null `last` or `first` is read as absent by the page resolvers.
  return size(args.last) ?? size(args.first) ?? size(field.extensions?.defaultPageSize) ?? size(field.extensions?.maxItems) ?? 1;
}

function costEstimator(schema: GraphQLSchema, introspections: Set<string>): ComplexityEstimator {
  const sizes = introspectionSizes(schema);
  return ({ type, field, node, args, childComplexity }) => {
    if (!isCompositeType(getNamedType(field.type))) return 0;
    if (field === SchemaMetaFieldDef || field === TypeMetaFieldDef) {
      // Fields under one response key are merged and run once.
      introspections.add(node.alias?.value ?? node.name.value);
    }
    // `__type` asks for one type the caller names: count its lists at that type's size, not the average.
    if (field === TypeMetaFieldDef) return 1 + namedTypeScale(schema, sizes, args.name) * childComplexity;
    const items = introspectionItems(sizes, type, field);
    if (items !== undefined) return items * (1 + childComplexity);
    // The wrappers a type reference resolves are counted once, at the reference.
    if (type === __Type && field.name === "ofType") return childComplexity;
    if ((type === __Field || type === __InputValue) && field.name === "type") return 1 + sizes.wrappersPerReference + childComplexity;
    return 1 + pageSize(field, args) * childComplexity;
  };
}

export interface OperationMeasure {
  cost: number;
  /** Distinct response keys of `__schema` and `__type` fields the operation runs. */
  introspections: number;
}

/** The document's fragments by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Measures made, by operation (Apollo keeps one parsed document per query text) and the variables that can change them. */
const measures = new WeakMap<OperationDefinitionNode, Map<string, OperationMeasure>>();
const MEASURES_PER_OPERATION = 256;

/**
 * The values of the variables a measure can depend on: every variable but those of type `ID` or `ID!`,
 * which validation lets fill only single `ID` arguments, and no such argument changes a cost (a list of
 * ids counts its items, and a list is another type). Absent and null differ: a default fills an absent one.
 */
function measureKey(operation: OperationDefinitionNode, variables: Record<string, unknown>): string {
  const relevant = (operation.variableDefinitions ?? []).filter((definition) => {
    const type = definition.type.kind === Kind.NON_NULL_TYPE ? definition.type.type : definition.type;
    return !(type.kind === Kind.NAMED_TYPE && type.name.value === "ID");
  });
  return JSON.stringify(
    relevant.map(({ variable }) => (Object.hasOwn(variables, variable.name.value) ? [variables[variable.name.value]] : [])),
  );
}

/**
 * Measures the operation as it will run. Returns null when its variables do not fit their types:
 * execution then refuses the whole request, before any resolver, with graphql-js's own errors.
 * A screen sends the same operation for one account after another: its measure is kept per operation
 * and per the variables that can change it.
 */
export function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): OperationMeasure | null {
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors) return null;
  let known = measures.get(operation);
  const key = measureKey(operation, variables);
  const measured = known?.get(key);
  if (measured) return measured;
  const measure = measureAnew(schema, document, operation, variables);
  if (!known || known.size >= MEASURES_PER_OPERATION) measures.set(operation, (known = new Map()));
  known.set(key, measure);
  return measure;
}

function measureAnew(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): OperationMeasure {
  // Only the operation that runs, with the fragments it may use.
  const definitions: DefinitionNode[] = [operation, ...fragmentsOf(document).values()];
  const introspections = new Set<string>();
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: { kind: Kind.DOCUMENT, definitions },
      variables,
      estimators: [costEstimator(schema, introspections)],
      maxQueryNodes: MAX_SELECTIONS_WALKED,
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) throw tooManySelections();
    // An argument or @include/@skip condition that coerces to null where it may not: execution would fail as well.
    if (error instanceof GraphQLError) {
      const params = { detail: error.message };
      throw new DomainError("BAD_USER_INPUT.invalidVariables", params, { http: { status: 400 } }, [
        { field: "variables", message: message("BAD_USER_INPUT.invalidVariables", params) },
      ]);
    }
    throw error;
  }
  return { cost: Math.ceil(cost), introspections: introspections.size };
}

function tooManySelections(): DomainError {
  return new DomainError("QUERY_TOO_COMPLEX.tooManySelections", { max: MAX_SELECTIONS_WALKED });
}

/** Refuses an operation that costs more than `maxCost`, naming both figures. */
export function checkCost(cost: number, maxCost: number): void {
  if (cost > maxCost) {
    throw new DomainError("QUERY_TOO_COMPLEX.tooCostly", { cost, maxCost }, { cost, maxCost });
  }
}

/** Refuses a caller without a valid token who asks for the schema more than once in one request. */
export function checkAnonymousIntrospections(introspections: number): void {
  if (introspections > ANONYMOUS_INTROSPECTIONS) {
    throw new DomainError("TOO_MANY_INTROSPECTIONS.anonymousIntrospection", {}, { maxIntrospections: ANONYMOUS_INTROSPECTIONS });
  }
}
