// GraphQL Code Generator's client preset over every operation in examples/: typed documents for
// src/client.ts. Run from the project root: `npx graphql-codegen --config examples/typed-client/codegen.ts`
// (test/toolchain.test.ts runs it into a temporary copy, then `tsc --strict` on the client).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["examples/*.graphql"],
  generates: {
    "examples/typed-client/src/gql/": {
      preset: "client",
      presetConfig: {
        // Fragment masking stays on (the preset's default): an operation's result type shows only the
        // fields it selects itself, and a fragment's fields are read with getFragmentData(Fragment, ref),
        // so each part of the screen sees only the fields it asked for. The preset calls the function
        // `useFragment`; outside React that name misleads, so this client calls it getFragmentData.
        fragmentMasking: { unmaskFunctionName: "getFragmentData" },
      },
      config: {
        // Ids are opaque strings (never numbers, so not the preset's `string | number` for inputs);
        // DateTime is an ISO-8601 string on the wire. strictScalars fails the generation if the schema
        // gains a scalar nobody mapped, instead of typing it `any`.
        scalars: { ID: { input: "string", output: "string" }, DateTime: "string" },
        strictScalars: true,
        // String unions instead of TypeScript enums: `"ADMIN" | "MEMBER"`.
        enumsAsTypes: true,
        // Lets a new enum value (additive, allowed after 1.0) arrive without breaking exhaustive switches
        // at compile time: handle the unknown case.
        futureProofEnums: true,
        useTypeImports: true,
      },
    },
    // Every error code the server sends, as a type for `extensions.code` (the preset types only what
    // the documents select, and no field returns an ErrorCode).
    "examples/typed-client/src/gql/error-codes.ts": {
      plugins: ["typescript"],
      config: { onlyEnums: true, enumsAsTypes: true, futureProofEnums: true },
    },
  },
};

export default config;
