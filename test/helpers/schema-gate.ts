import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";
import { CriticalityLevel, diff, type Change } from "@graphql-inspector/core";

/*
 * The schema evolution gate: after a release the schema only grows. A breaking change
 * (as @graphql-inspector/core classifies it) is allowed only when what it removes or changes was
 * marked @deprecated in the released schema:
 *
 * - a field, input field, argument or enum value: that element, or the field an argument belongs to;
 * - a type (types cannot carry @deprecated): when every way to reach it from the root types in the
 *   released schema went through a deprecated field, argument or input field.
 *
 * Anything else that breaks (a required argument or input field added, a type's kind changed, an
 * interface or union member dropped, a directive changed) is refused.
 */

export interface GateResult {
  /** Breaking changes to what the released schema did not deprecate: these fail the build. */
  refused: Change[];
  /** Breaking changes to what the released schema deprecated: allowed. */
  allowed: Change[];
  /** Every change, breaking or not (additions, description changes, dangerous ones). */
  changes: Change[];
}

export async function checkSchemaEvolution(released: GraphQLSchema, current: GraphQLSchema): Promise<GateResult> {
  const changes = await diff(released, current);
  const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
  const reachable = typesReachableWithoutDeprecated(released);
  const result: GateResult = { refused: [], allowed: [], changes };
  for (const change of breaking) {
    (wasDeprecated(released, reachable, change) ? result.allowed : result.refused).push(change);
  }
  return result;
}

/** One line per change, for a failure message: `FIELD_REMOVED Account.name: Field 'name' was removed…`. */
export function describeChanges(changes: Change[]): string {
  return changes.map((change) => `${change.type} ${change.path ?? ""}: ${change.message}`).join("\n");
}

function wasDeprecated(released: GraphQLSchema, reachable: Set<string>, change: Change): boolean {
  if (!change.path) return false;
  const [typeName, memberName, argumentName, ...rest] = change.path.split(".");
  if (rest.length > 0 || !typeName) return false;
  const type = released.getType(typeName);
  if (!type) return false; // a directive (`@name`), or something the released schema did not have
  if (memberName === undefined) {
    // Only removing a type can be covered by deprecation: its kind, interfaces or members cannot.
    return change.type === "TYPE_REMOVED" && !reachable.has(typeName);
  }
  if (isObjectType(type) || isInterfaceType(type)) {
    const field = type.getFields()[memberName];
    if (!field) return false;
    if (field.deprecationReason != null) return true;
    if (argumentName === undefined) return false;
    const argument = field.args.find((candidate) => candidate.name === argumentName);
    return argument?.deprecationReason != null;
  }
  if (argumentName !== undefined) return false;
  if (isInputObjectType(type)) return type.getFields()[memberName]?.deprecationReason != null;
  if (isEnumType(type)) return type.getValue(memberName)?.deprecationReason != null;
  return false;
}

/**
 * The named types a client can reach from the root types without using anything deprecated: through
 * non-deprecated fields, their non-deprecated arguments, non-deprecated input fields, an interface's
 * implementations and a union's members.
 */
export function typesReachableWithoutDeprecated(schema: GraphQLSchema): Set<string> {
  const reached = new Set<string>();
  const queue: GraphQLNamedType[] = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (type): type is NonNullable<typeof type> => type != null,
  );
  const visit = (type: GraphQLNamedType) => {
    if (!reached.has(type.name)) queue.push(type);
  };
  while (queue.length > 0) {
    const type = queue.pop()!;
    if (reached.has(type.name)) continue;
    reached.add(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.deprecationReason != null) continue;
        visit(getNamedType(field.type));
        for (const argument of field.args) if (argument.deprecationReason == null) visit(getNamedType(argument.type));
      }
      if (isInterfaceType(type)) for (const implementation of schema.getPossibleTypes(type)) visit(implementation);
      for (const implemented of type.getInterfaces()) visit(implemented);
    } else if (isUnionType(type)) {
      for (const member of type.getTypes()) visit(member);
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (field.deprecationReason == null) visit(getNamedType(field.type));
    }
  }
  return reached;
}
