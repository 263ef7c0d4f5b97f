import {
  __Type,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";
import { DomainError } from "../errors";

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, node: FieldNode): GraphQLField<unknown, unknown> | undefined {
  const name = node.name.value;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

const composite = (type: GraphQLNamedType | null | undefined): GraphQLCompositeType | undefined =>
  type && isCompositeType(type) ? type : undefined;

/**
 * Refuses an operation nested more than `maxDepth` levels deep with QUERY_TOO_DEEP. Every field, inline
 * fragment and fragment spread is a level, introspection included, except `__Type.ofType`: a type
 * reference such as `[Account!]!` is a chain of them, which graphql-js's own introspection query reads
 * eight deep. The chain ends after the schema's deepest wrapping, and cost counts what it resolves.
 */
export function maxDepthRule(maxDepth: number): ValidationRule {
  return (context) => {
    const schema = context.getSchema();
    // A fragment's depth depends only on its own type condition, so each is measured once.
    const fragmentDepths = new Map<string, number>();

    const selectionSetDepth = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | undefined): number => {
      let deepest = 0;
      for (const selection of selectionSet.selections) deepest = Math.max(deepest, selectionDepth(selection, parent));
      return deepest;
    };

    const fragmentDepth = (name: string): number => {
      const known = fragmentDepths.get(name);
      if (known !== undefined) return known;
      fragmentDepths.set(name, 0); // a cycle, refused by validation already, adds nothing
      const fragment = context.getFragment(name);
      const depth = fragment ? selectionSetDepth(fragment.selectionSet, composite(schema.getType(fragment.typeCondition.name.value))) : 0;
      fragmentDepths.set(name, depth);
      return depth;
    };

    const selectionDepth = (selection: SelectionNode, parent: GraphQLCompositeType | undefined): number => {
      switch (selection.kind) {
        case Kind.FIELD: {
          const definition = parent && fieldDefinition(schema, parent, selection);
          const level = parent === __Type && selection.name.value === "ofType" ? 0 : 1;
          const below = selection.selectionSet
            ? selectionSetDepth(selection.selectionSet, composite(definition && getNamedType(definition.type)))
            : 0;
          return level + below;
        }
        case Kind.INLINE_FRAGMENT: {
          const condition = selection.typeCondition ? composite(schema.getType(selection.typeCondition.name.value)) : parent;
          return 1 + selectionSetDepth(selection.selectionSet, condition);
        }
        case Kind.FRAGMENT_SPREAD:
          return 1 + fragmentDepth(selection.name.value);
      }
    };

    return {
      OperationDefinition(operation) {
        const depth = selectionSetDepth(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
        if (depth > maxDepth) {
          context.reportError(new DomainError("QUERY_TOO_DEEP.tooDeep", { max: maxDepth }));
        }
      },
    };
  };
}
