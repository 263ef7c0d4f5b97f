import type { ApolloServerPlugin } from "@apollo/server";
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  getVariableValues,
  isAbstractType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { Context } from "../context";
import type { SingleStatementReads } from "../config";
import type { ConnectionArgs } from "../common/pagination";
import { rowIdOf } from "../common/global-id";
import { prefetchAccountScreen, type AccountScreenPlan } from "./account-screen.loaders";

/** The `Account` fields a plan covers, as the modules answering them declare (src/modules.ts). */
export interface AccountScreenFields {
  /** Fields answered from the account's contact slots (all of them, read as one list). */
  contactSlots: ReadonlySet<string>;
  /** The connection answered from one page of the account's members. */
  memberPage: string | null;
}

/** The fields a selection set selects on `typeName`, through fragments, with `@skip` and `@include` applied. */
function fieldsOf(
  schema: GraphQLSchema,
  selectionSet: SelectionSetNode,
  typeName: string,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  found: FieldNode[] = [],
): FieldNode[] {
  const type = schema.getType(typeName);
  const applies = (condition: string | undefined) => {
    if (condition === undefined || condition === typeName) return true;
    const abstract = schema.getType(condition);
    return abstract !== undefined && isAbstractType(abstract) && isObjectType(type) && schema.isSubType(abstract, type);
  };
  for (const selection of selectionSet.selections) {
    if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) continue;
    if (getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if === false) continue;
    if (selection.kind === Kind.FIELD) found.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(selection.typeCondition?.name.value)) fieldsOf(schema, selection.selectionSet, typeName, fragments, variables, found);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (fragment && applies(fragment.typeCondition.name.value))
        fieldsOf(schema, fragment.selectionSet, typeName, fragments, variables, found);
    }
  }
  return found;
}

const pageKey = (args: ConnectionArgs) => JSON.stringify([args.first ?? null, args.after ?? null, args.last ?? null, args.before ?? null]);

/**
 * What a query asks of the account its `account(id:)` field names, read from the operation the way
 * execution will read it (variables coerced, fragments and directives applied); null when it has no
 * such field or anything about it is in doubt — the resolvers then load everything themselves, and
 * report whatever is wrong with it.
 */
export function planAccountScreen(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  rawVariables: Record<string, unknown> | undefined,
  screenFields: AccountScreenFields,
): AccountScreenPlan | null {
  if (operation.operation !== "query") return null;
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (errors || !coerced) return null;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const query = schema.getQueryType();
  const field =
    query && fieldsOf(schema, operation.selectionSet, query.name, fragments, coerced).find((node) => node.name.value === "account");
  if (!query || !field?.selectionSet) return null;
  const { id } = getArgumentValues(query.getFields().account!, field, coerced);
  if (typeof id !== "string") return null;
  let accountId: string;
  try {
    accountId = rowIdOf(id, "Account", "id");
  } catch {
    return null;
  }
  const selected = fieldsOf(schema, field.selectionSet, "Account", fragments, coerced);
  const names = new Set(selected.map((node) => node.name.value));
  const accountType = schema.getType("Account");
  const { memberPage } = screenFields;
  const membersField = memberPage !== null && isObjectType(accountType) ? accountType.getFields()[memberPage] : undefined;
  const pages = new Map<string, ConnectionArgs>();
  for (const node of selected) {
    if (membersField && node.name.value === memberPage) {
      const args = getArgumentValues(membersField, node, coerced) as ConnectionArgs;
      pages.set(pageKey(args), args);
    }
  }
  return {
    accountId,
    contactSlots: [...names].some((name) => screenFields.contactSlots.has(name)),
    // Two different pages of members: the plan reads neither, and the loaders read each as they would anyway.
    members: pages.size === 1 ? [...pages.values()][0]! : null,
  };
}

/**
 * Answers a query for one account (the settings screen) from one statement: the caller, the membership
 * check and everything the plan covers, read before execution and handed to the loaders. By default on
 * PostgreSQL only: on SQLite, whose statements cost no network round trip, building and parsing the JSON
 * measured no cheaper than the statements it saves.
 */
export function accountScreenPlugin(where: SingleStatementReads, screenFields: AccountScreenFields): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      if (where === "off" || (where === "postgres" && contextValue.db.driver !== "postgres")) return;
      return {
        async executionDidStart({ schema, document, operation, request }) {
          let plan: AccountScreenPlan | null = null;
          try {
            plan = planAccountScreen(schema, document, operation, request.variables, screenFields);
          } catch {
            return;
          }
          if (plan) prefetchAccountScreen(contextValue, plan);
        },
      };
    },
  };
}
