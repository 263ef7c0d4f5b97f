// ESLint for the published schema: @graphql-eslint's schema rules, `flat/schema-recommended` and
// `flat/schema-relay`, on schema.graphql (emitted from src/, see `npm run schema`).
// `npm run lint:schema` runs it; test/toolchain.test.ts fails on any problem it reports.
//
// Every rule of the two presets is on as the presets set it, except those in `schemaRuleExceptions`
// below, each with the reason. Add to that list only with a reason a frontend engineer would accept.
import { defineConfig } from "eslint/config";
import graphqlPlugin from "@graphql-eslint/eslint-plugin";

/** The preset rules this project turns off or configures differently, and why. */
export const schemaRuleExceptions = {
  "@graphql-eslint/relay-edge-types": {
    setting: ["error", { withEdgeSuffix: true, shouldImplementNode: true, listTypeCanWrapOnlyEdgeType: false }],
    reason:
      "Edge types keep every check (an `Edge` suffix, a `cursor`, a `node` that implements Node), but " +
      "`listTypeCanWrapOnlyEdgeType` would forbid every list that is not a connection's `edges`: the " +
      "`nodes` shortcut on every connection, `Query.nodes`, and the plain short lists " +
      "that are not paged because they are small and bounded: each declares its bound beside the field " +
      "in src/ with `@MaxItems` (billing contacts, one contact per role, …), and " +
      "test/second-order-limits.test.ts refuses a list of objects with neither a page nor a bound. " +
      "Relay itself only requires connections to be connections; it does not forbid other lists.",
  },
  "@graphql-eslint/strict-id-in-types": {
    setting: [
      "error",
      {
        acceptedIdNames: ["id"],
        acceptedIdTypes: ["ID"],
        exceptions: {
          suffixes: ["Connection", "Edge", "Payload"],
          types: [
            "PageInfo",
            "NotificationRecipient",
            "ContactHealth",
            "ContactIssue",
            "ExternalContact",
            "AccountChangedEvent",
            "AccountContact",
          ],
        },
      },
    ],
    reason:
      "Every object with an identity of its own has `id: ID!` and implements Node. These are value " +
      "types with no identity to give: connections and edges (a page of a list, a position in it), " +
      "mutation payloads (one response), PageInfo, NotificationRecipient (an address computed from " +
      "the slots, per category), ContactHealth and ContactIssue (computed from the account's contacts " +
      "on every read), ExternalContact (an outside address as the author of a history row, never " +
      "fetched on its own), AccountChangedEvent (one delivery of a subscription, named by its `sequence` " +
      "within the account; the rows it carries have ids), AccountContact (a filled slot of the account, " +
      "named by its slot and position within it; a billing contact's position moves when one before it goes). Clients cache them inside their parent object (see docs/frontend.md).",
  },
  "@graphql-eslint/no-unreachable-types": {
    setting: "off",
    reason:
      "`enum ErrorCode` types `extensions.code`, which travels in `errors`, outside `data`: no field " +
      "returns it, by design, so code generators and clients find it in the schema. The rule has no " +
      "option to name one type; test/error-codes.test.ts checks instead that every other type is " +
      "reachable from the root fields.",
  },
  "@graphql-eslint/require-description": {
    setting: [
      "error",
      {
        types: true,
        rootField: true,
        DirectiveDefinition: true,
        FieldDefinition: true,
        EnumValueDefinition: true,
        ignoredSelectors: ["ObjectTypeDefinition[name.value=/^(Query|Mutation|Subscription)$/]"],
      },
    ],
    reason:
      "type-graphql emits the root types Query, Mutation and Subscription without a description of their own (it " +
      "has no option for one); every root field has one and `rootField: true` keeps that checked. " +
      "In exchange the rule also checks what the preset leaves out and this schema promises " +
      "(test/schema.test.ts): a description on every field and every enum value.",
  },
};

const rules = {
  ...graphqlPlugin.configs["flat/schema-recommended"].rules,
  ...graphqlPlugin.configs["flat/schema-relay"].rules,
  ...Object.fromEntries(Object.entries(schemaRuleExceptions).map(([rule, { setting }]) => [rule, setting])),
};

export default defineConfig([
  {
    // Only the published schema: operations (examples/*.graphql) are documents, not schema.
    files: ["schema.graphql"],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: "schema.graphql" } },
    },
    plugins: { "@graphql-eslint": graphqlPlugin },
    rules,
  },
]);
