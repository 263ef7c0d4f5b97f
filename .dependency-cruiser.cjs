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
    path: ["\\.entity\\.ts$", "\\.enums\\.ts$", "^src/nodes/node\\.type\\.ts$", "^src/contacts/notification-routing\\.ts$", "^src/contacts/account-contacts\\.ts$", "^src/contacts/contact-details\\.ts$", "^src/health/contact-health\\.ts$", "^src/accounts/contact-domains\\.ts$"],
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

/**
 * The folders of src/, lowest first: a file in one may import from its own folder and the folders
 * below it, never from one above (docs/architecture.md, "The folder order"). The files directly in
 * src/ (config, errors, database, context, loaders, modules, app, …) are outside this order: the
 * layers above place them.
 */
const FOLDERS = [
  "i18n",
  "common",
  "migrations",
  "idempotency",
  "auth",
  "graphiql",
  "nodes",
  "users",
  "contacts",
  "events",
  "history",
  "accounts",
  "notifications",
  "observability",
  "security",
  "verification",
  "members",
  "health",
  "webhooks",
  "live",
  "scripts",
];

/**
 * The imports that still point up the folder order when it was introduced, each by file. The rule
 * allows exactly these and fails on any other, so the list only shrinks: remove an entry when its
 * import goes (by moving the shared part down), never add one.
 */
const KNOWN_UPWARD_IMPORTS = {
  // An account and its members are one aggregate: AccountChange checks the member's role and reads
  // invitations, and the account's queries, service and resolver read memberships with the account.
  "src/accounts/account-change.ts": [
    "src/members/account-invitation.entity.ts",
    "src/members/account-member.entity.ts",
    "src/members/member.queries.ts",
    // The mail a change causes is queued in its transaction.
    "src/notifications/outbox.service.ts",
  ],
  "src/accounts/account.queries.ts": ["src/members/account-member.entity.ts", "src/members/member.queries.ts"],
  "src/accounts/account.resolver.ts": ["src/members/account-member.entity.ts", "src/members/member.queries.ts", "src/members/member.types.ts"],
  "src/accounts/account.service.ts": ["src/members/account-member.entity.ts", "src/members/member-change.entity.ts", "src/members/member.queries.ts"],
  // Contact rules run inside an AccountChange, check allowed domains, find members by address and
  // start verifications; their payloads extend the account's.
  "src/contacts/contact.service.ts": [
    "src/accounts/account-change.ts",
    "src/accounts/contact-domain.service.ts",
    "src/members/member.queries.ts",
    "src/verification/verification.service.ts",
  ],
  "src/contacts/save-contacts.service.ts": ["src/accounts/account-change.ts"],
  "src/contacts/contact.types.ts": ["src/accounts/account.types.ts"],
  "src/contacts/save-contacts.types.ts": ["src/accounts/account.types.ts"],
  // Removing an admin pauses the webhook endpoints they created.
  "src/members/member.service.ts": ["src/webhooks/webhook.queries.ts"],
  // Mail carries verification tokens and confirmation links; test messages skip unconfirmed addresses.
  "src/notifications/delivery.worker.ts": ["src/verification/verification-tokens.ts"],
  "src/notifications/outbox.service.ts": ["src/verification/confirmation-links.ts", "src/verification/verification-tokens.ts"],
  "src/notifications/test-notification.service.ts": ["src/verification/contact-verification.entity.ts"],
  // The metrics server shares the API's connection limits; metrics read the webhook queue.
  "src/observability/http.ts": ["src/security/connections.ts"],
  "src/observability/metrics.ts": ["src/webhooks/webhook-endpoint.entity.ts", "src/webhooks/webhook.queries.ts"],
};

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const exact = (files) => files.map((file) => `^${escape(file)}$`);

const folderOrder = FOLDERS.slice(0, -1).flatMap((folder, index) => {
  const above = FOLDERS.slice(index + 1);
  const to = `^src/(${above.join("|")})/`;
  const comment = `${folder}/ must not import from a folder above it: ${above.join(", ")} (docs/architecture.md)`;
  const known = Object.keys(KNOWN_UPWARD_IMPORTS).filter((file) => file.startsWith(`src/${folder}/`));
  return [
    { name: `folder-order-${folder}`, comment, severity: "error", from: { path: `^src/${folder}/`, pathNot: exact(known) }, to: { path: to } },
    ...known.map((file) => ({
      name: `folder-order-${folder}`,
      comment: `${comment}; only the imports KNOWN_UPWARD_IMPORTS lists for ${file}`,
      severity: "error",
      from: { path: exact([file]) },
      to: { path: to, pathNot: exact(KNOWN_UPWARD_IMPORTS[file]) },
    })),
  ];
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
      name: "in-the-folder-order",
      comment: "Every folder of src/ has a place in FOLDERS of .dependency-cruiser.cjs: add a new folder there, above what it imports.",
      severity: "error",
      from: { path: "^src/[^/]+/", pathNot: `^src/(${FOLDERS.join("|")})/` },
      to: {},
    },
    ...folderOrder,
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
