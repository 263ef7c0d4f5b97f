/**
 * The import map of src/, checked by `npm run lint:imports` and by test/architecture.test.ts.
 * docs/architecture.md explains the layers; a file belongs to the first layer whose pattern matches it.
 * An import may point to its own layer or to any layer below it, never up, and never round in a cycle.
 */

/** Highest first. Patterns are matched against paths like `src/accounts/account.service.ts`. */
const LAYERS = [
  {
    name: "app",
    comment: "start-up, HTTP and Apollo wiring: what builds the server and runs around GraphQL",
    path: ["^src/(main|app|schema|seed|modules|feature-module)\\.ts$", "\\.module\\.ts$", "^src/(scripts|graphiql|security|observability)/", "\\.routes\\.ts$", "\\.plugin\\.ts$", "^src/verification/confirmation-page\\.(html|text)\\.ts$"],
  },
  {
    name: "api",
    comment: "GraphQL: resolvers and the input, payload and connection types they take and give",
    path: ["\\.resolver\\.ts$", "\\.types\\.ts$", "\\.planner\\.ts$", "^src/users/auth-checker\\.ts$"],
  },
  {
    name: "request",
    comment: "the per-request context and its dataloaders",
    path: ["^src/(context|loaders)\\.ts$", "\\.loaders?\\.ts$"],
  },
  {
    name: "services",
    comment: "the rules: account changes, sign-in, mail, verification",
    path: ["\\.service\\.ts$", "^src/accounts/account-change\\.ts$", "^src/auth/", "^src/notifications/(delivery\\.worker|delivery-errors|mail-transport|mail-text)\\.ts$", "^src/webhooks/(webhook\\.worker|webhook-destination|webhook-signing|webhook-transport|webhook-payload)\\.ts$", "^src/verification/(verification-tokens|confirmation-links)\\.ts$"],
  },
  {
    name: "queries",
    comment: "the SQL: every statement the services and loaders run, one file per table group",
    path: ["\\.queries\\.ts$"],
  },
  {
    name: "data",
    comment: "how the service reaches its database: transactions, statements, pages, migrations",
    path: ["^src/database\\.ts$", "^src/common/(sql|pagination)\\.ts$", "^src/migrations/"],
  },
  {
    name: "model",
    comment: "entities, enums and the values computed from them, with no database access",
    path: ["\\.entity\\.ts$", "\\.enums\\.ts$", "^src/nodes/node\\.type\\.ts$", "^src/contacts/notification-routing\\.ts$", "^src/contacts/account-contacts\\.ts$", "^src/health/contact-health\\.ts$", "^src/accounts/contact-domains\\.ts$"],
  },
  {
    name: "base",
    comment: "settings, error codes and small helpers every layer may use",
    path: ["^src/(config|errors)\\.ts$", "^src/common/", "^src/i18n/"],
  },
];

const pattern = (paths) => paths.map((path) => `(?:${path})`).join("|");

/** Files of layer `index`: its own patterns, minus those of any layer above it. */
function layerFiles(index) {
  const above = LAYERS.slice(0, index).flatMap((layer) => layer.path);
  return { path: pattern(LAYERS[index].path), ...(above.length ? { pathNot: pattern(above) } : {}) };
}

const upwardImports = LAYERS.slice(1).map((layer, offset) => {
  const index = offset + 1;
  return {
    name: `no-upward-import-from-${layer.name}`,
    comment: `${layer.name} (${layer.comment}) must not import from a layer above it: ${LAYERS.slice(0, index).map((above) => above.name).join(", ")}`,
    severity: "error",
    from: layerFiles(index),
    to: { path: pattern(LAYERS.slice(0, index).flatMap((above) => above.path)) },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "A cycle of imports has no order to read or load it in; break it by moving the shared part down.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "in-a-layer",
      comment: "Every file of src/ belongs to a layer of .dependency-cruiser.cjs: add a pattern when adding a new kind of file.",
      severity: "error",
      from: { path: "^src/", pathNot: pattern(LAYERS.flatMap((layer) => layer.path)) },
      to: {},
    },
    ...upwardImports,
    {
      name: "migrations-stand-alone",
      comment: "A migration must keep doing what it did when it shipped: it imports no entity, query or service that later changes alter, only the helpers of common/ and migrations/support/ (which keep their behaviour for the migrations already using them).",
      severity: "error",
      from: { path: "^src/migrations/" },
      to: { path: "^src/", pathNot: ["^src/common/(?!sql\\.ts$|pagination\\.ts$)", "^src/migrations/support/"] },
    },
    {
      name: "sql-only-in-queries",
      comment: "Statements are written in *.queries.ts (and the data layer); everything else calls those functions.",
      severity: "error",
      from: { path: "^src/", pathNot: pattern(["\\.queries\\.ts$", ...LAYERS.find((layer) => layer.name === "data").path]) },
      to: { path: "^src/common/sql\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist)/" },
    // TypeScript 7 has no compiler API; swc reads the sources, type-only imports included.
    parser: "swc",
    tsPreCompilationDeps: true,
  },
};
