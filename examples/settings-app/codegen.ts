// GraphQL Code Generator's client preset over schema.graphql and the operations in src/: typed documents
// in src/gql/ (git-ignored) that Apollo Client's hooks accept as they are. scripts/build.mjs runs it
// from the project root before type-checking and bundling.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["examples/settings-app/src/**/*.{ts,tsx}", "!examples/settings-app/src/gql/**"],
  generates: {
    "examples/settings-app/src/gql/": {
      preset: "client",
      presetConfig: {
        // One screen whose form works on whole accounts: result types carry every field of the
        // fragments they spread, so no unmasking is needed (docs/frontend.md, "Fragment masking").
        fragmentMasking: false,
      },
      config: {
        // Ids are opaque strings both ways; DateTime is an ISO-8601 string on the wire. strictScalars
        // fails the generation if the schema gains a scalar nobody mapped.
        scalars: { ID: { input: "string", output: "string" }, DateTime: "string" },
        strictScalars: true,
        enumsAsTypes: true,
        // A value added to an enum after this screen was built arrives as '%future added value'.
        futureProofEnums: true,
        useTypeImports: true,
        // Apollo Client adds __typename to every object it asks for; the types say so.
        nonOptionalTypename: true,
        skipTypeNameForRoot: true,
      },
    },
  },
};

export default config;
