import { ADD_WEBHOOK_ENDPOINT, attemptWebhookDeliveries, LOCAL_WEBHOOKS_ENV, UNREACHABLE_WEBHOOK_URL } from "./helpers/webhooks";
import { expect } from "chai";
import { acceptFromLink } from "./helpers/outbox";
import {
  astFromValue,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInterfaceType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  print,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from "graphql";
import { startTestServer, tokenFor, TEST_JWT_SECRET, type GraphQLResponse, type TestServer } from "./helpers/server";
import {
  accountWithMembers,
  addMember,
  createAccount,
  mutate,
  ok,
  readAccount,
  signIn,
  type AccountState,
  type TestUser,
} from "./helpers/factories";
import { decodeGlobalId, globalId, NODE_TYPE_NAMES, type NodeTypeName } from "../src/common/global-id";

/*
 * Tenant isolation, for every Query and Mutation field the schema has (read from the running
 * server's schema, so a field added later is covered without touching this file). Each field is
 * called with arguments that point at another tenant's account and users (global ids of the type each
 * argument takes; `node` and `nodes` with the ids of every object the target holds, of every type),
 * asking for everything its result type offers, pages by `first` and by `last`, by an outsider (a
 * signed-in member of another account), an anonymous caller and a caller with a token signed by
 * someone else. Each must be refused, and no id, email or name of the target account may appear
 * anywhere in any answer.
 */

/** Refusals an outsider may get for a field aimed at another tenant's account. */
const OUTSIDER_REFUSALS = ["NOT_FOUND", "FORBIDDEN"];
/** Refusals a caller without a valid token may get. */
const ANONYMOUS_REFUSALS = ["UNAUTHENTICATED", "NOT_FOUND"];
/** Root fields that always need a signed-in caller. */
const ALWAYS_SIGNED_IN = [
  "Query.viewer",
  "Query.accounts",
  "Query.accountsNeedingAttention",
  "Query.account",
  "Mutation.createAccount",
  "Mutation.addAccountMember",
];
/** How deep the generated selection goes below each root field: deep enough to reach users in pages. */
const SELECTION_DEPTH = 5;

/**
 * The Node type each ID argument or input field takes, where its name alone does not say: "any" for
 * `node` and `nodes`, which take ids of every type. The rest go by name (`accountId`, `userId`, …).
 */
/** The target's webhook endpoint: nothing listens there; an outsider must never see the URL. */
const TARGET_WEBHOOK_URL = "http://127.0.0.1:9/zephyrine-target-hook";

const ID_ARGUMENTS: Record<string, NodeTypeName | "any"> = {
  "Query.account.id": "Account",
  "Query.node.id": "any",
  "Query.nodes.ids": "any",
  "RequeueNotificationDeliveryInput.deliveryId": "NotificationDelivery",
  "UpdateWebhookEndpointInput.webhookEndpointId": "WebhookEndpoint",
  "RotateWebhookSecretInput.webhookEndpointId": "WebhookEndpoint",
  "RemoveWebhookEndpointInput.webhookEndpointId": "WebhookEndpoint",
};

/** The Node type an ID argument or input field takes: by the table above, else by its name. */
function idTypeOf(coordinate: string, name: string): NodeTypeName | "any" | undefined {
  if (coordinate in ID_ARGUMENTS) return ID_ARGUMENTS[coordinate];
  if (/^accountId$/.test(name)) return "Account";
  if (/^(userId|reassignTo|primaryContactUserId|billingContactUserIds)$/.test(name)) return "User";
  if (/^invitationId$/.test(name)) return "AccountInvitation";
  return undefined;
}

type NodeIds = Record<NodeTypeName, string[]>;

interface Target {
  account: AccountState;
  admin: TestUser;
  members: TestUser[];
  externalEmail: string;
  /** The global ids of everything in the target account, by type. */
  nodeIds: NodeIds;
  /** Everything of the target account that must never reach an outsider. */
  secrets: string[];
  /** What to type into names and other free text. */
  text?: string;
}

/** How one probe is generated: which ids `node`/`nodes` get, nested ids or not, and how pages are asked for. */
interface Shape {
  schema: GraphQLSchema;
  target: Target;
  /** Ids for an argument that takes any Node type: all of them for `nodes`, the first for `node`. */
  anyIds: string[];
  nestedIds: boolean;
  paging: "first" | "last";
  /** ID arguments and input fields whose Node type this file does not know (filled as probes are built). */
  unknownIds: Set<string>;
}

/** A global id for an argument or input field that takes ids, aimed at the target. */
function idFor(list: boolean, coordinate: string, name: string, shape: Shape): unknown {
  const { target } = shape;
  let type = idTypeOf(coordinate, name);
  if (type === undefined) {
    shape.unknownIds.add(coordinate);
    type = name === "id" || /account/i.test(name) ? "Account" : "User";
  }
  const ids =
    type === "any"
      ? shape.anyIds
      : type === "Account"
        ? [target.account.id]
        : type === "User"
          ? target.members.map((member) => member.id)
          : target.nodeIds[type];
  return list ? (type === "any" ? ids : ids.slice(0, 1)) : ids[0];
}

/** A value for an input of this type and name (its `owner` being the field or input type it belongs to), aimed at the target account. */
function valueFor(type: GraphQLInputType, name: string, owner: string, shape: Shape, required: boolean): unknown {
  const { target } = shape;
  const inner = getNullableType(type);
  if (getNamedType(inner).name === "ID") return idFor(isListType(inner), `${owner}.${name}`, name, shape);
  if (isListType(inner)) return [valueFor(inner.ofType, name, owner, shape, true)];
  if (isEnumType(inner)) return inner.getValues()[0]!.value;
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      // Required fields, and every id: a field that names something names the target's.
      const isId = getNamedType(field.type).name === "ID";
      if (isNonNullType(field.type) || isId)
        value[field.name] = valueFor(field.type, field.name, inner.name, shape, isNonNullType(field.type));
    }
    return value;
  }
  if (!required && !isScalarType(inner)) return undefined;
  switch (isScalarType(inner) ? inner.name : "") {
    case "Int":
      if (/first|last|limit/i.test(name)) return 5;
      if (/version/i.test(name)) return target.account.contactsVersion;
      return 1;
    case "Float":
      return 1;
    case "Boolean":
      return true;
    case "String":
      if (/email/i.test(name)) return target.members[0]!.email;
      if (/token/i.test(name)) return "an-invented-verification-token";
      if (/after|before|cursor/i.test(name)) return undefined;
      return target.text ?? "Isolation probe";
    case "DateTime":
      return new Date().toISOString();
    default:
      return "probe";
  }
}

/** Every id, email and name of the target a probe's arguments may carry. */
function targetMarks(target: Target): string[] {
  return [target.account.id, ...Object.values(target.nodeIds).flat(), ...target.members.flatMap((member) => [member.id, member.email])];
}

/**
 * `(a: 1, b: "x")` with generated values for the arguments of `owner` (`Query.account`), required ones
 * always, ids always. A page is asked for by `first` or by `last`, as the shape says, never both.
 */
function argumentsFor(owner: string, args: readonly GraphQLArgument[], shape: Shape): { text: string; aimsAtTarget: boolean } {
  let aimsAtTarget = false;
  const parts: string[] = [];
  const marks = targetMarks(shape.target);
  const unused = shape.paging === "first" ? "last" : "first";
  for (const arg of args) {
    if (arg.name === unused && args.some((other) => other.name === shape.paging)) continue;
    const required = isNonNullType(arg.type);
    const value = valueFor(arg.type, arg.name, owner, shape, required);
    if (value === undefined || (!required && arg.defaultValue !== undefined && getNamedType(arg.type).name !== "ID")) continue;
    const literal = astFromValue(value, arg.type);
    if (!literal) continue;
    const text = print(literal);
    if (marks.some((mark) => text.includes(mark))) aimsAtTarget = true;
    parts.push(`${arg.name}: ${text}`);
  }
  return { text: parts.length ? `(${parts.join(", ")})` : "", aimsAtTarget };
}

/**
 * Every field of the type, `depth` objects deep, each with generated arguments; for an interface,
 * every field of every type that implements it (under an alias naming the type, as fields of one
 * name may differ in type: `AccountMember_role`, `ContactRole_role`). Nested fields that take ids
 * (`User.contactSlots(accountId:)`, say) are aimed at the target too when the shape says so;
 * otherwise they are left out, so their refusal does not blank out the rest of the answer.
 */
function selectionFor(type: GraphQLOutputType, depth: number, shape: Shape, aliasPrefix = ""): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return "";
  if (depth === 0) return "{ __typename }";
  if (isAbstractType(named)) {
    const fragments = shape.schema
      .getPossibleTypes(named)
      .map((possible) => `... on ${possible.name} ${selectionFor(possible, depth, shape, `${possible.name}_`)}`);
    // An interface (Node) has `id` itself; a union (ContactChangeActor) only in its members.
    const id = isInterfaceType(named) && "id" in named.getFields() ? "id " : "";
    return `{ __typename ${id}${fragments.join(" ")} }`;
  }
  if (!isObjectType(named)) return "{ __typename }";
  const parts = ["__typename"];
  for (const field of Object.values(named.getFields())) {
    const args = argumentsFor(`${named.name}.${field.name}`, field.args, shape);
    if (args.aimsAtTarget && !shape.nestedIds) continue;
    const key = aliasPrefix && field.name !== "id" ? `${aliasPrefix}${field.name}: ${field.name}` : field.name;
    if (isLeafType(getNamedType(field.type))) parts.push(`${key}${args.text}`);
    else if (depth > 1) parts.push(`${key}${args.text} ${selectionFor(field.type, depth - 1, shape)}`);
  }
  return `{ ${parts.join(" ")} }`;
}

interface Probe {
  name: string;
  /** `Query.account`: the root field's coordinate, whatever the variant. */
  coordinate: string;
  field: string;
  document: string;
  /** The root field's own arguments name the target: it must be refused. */
  aimsAtTarget: boolean;
  /** Nested fields' arguments name the target too: only checked for leaks. */
  nested: boolean;
  /** The ids a probe of `node` or `nodes` asks for. */
  asked?: string[];
}

/**
 * Probes for every Query and Mutation field: with and without nested ids, pages asked for by `first`
 * and by `last`. A field that takes an id of any type (`node`) gets one probe per Node type, aimed at
 * the target's object of that type; one that takes a list of them (`nodes`) gets all of them at once.
 */
function buildProbes(server: TestServer, target: Target): { probes: Probe[]; unknownIds: string[] } {
  const schema = server.app.schema;
  const unknownIds = new Set<string>();
  const roots = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
  ] as const;
  const probes = roots.flatMap(([operation, root]) =>
    Object.values(root?.getFields() ?? {}).flatMap((field: GraphQLField<unknown, unknown>) => {
      const coordinate = `${root!.name}.${field.name}`;
      const anyArgument = field.args.find((arg) => idTypeOf(`${coordinate}.${arg.name}`, arg.name) === "any");
      const allIds = Object.values(target.nodeIds).flat();
      const targets: { label: string | null; anyIds: string[] }[] = !anyArgument
        ? [{ label: null, anyIds: [] }]
        : isListType(getNullableType(anyArgument.type))
          ? [{ label: null, anyIds: allIds }]
          : NODE_TYPE_NAMES.filter((type) => target.nodeIds[type].length).map((type) => ({
              label: type,
              anyIds: target.nodeIds[type].slice(0, 1),
            }));
      const documents = new Set<string>();
      const variants: Probe[] = [];
      for (const { label, anyIds } of targets) {
        for (const nestedIds of [false, true]) {
          for (const paging of ["first", "last"] as const) {
            const shape: Shape = { schema, target, anyIds, nestedIds, paging, unknownIds };
            const { text, aimsAtTarget } = argumentsFor(coordinate, field.args, shape);
            const document = `${operation} { ${field.name}${text} ${selectionFor(field.type, SELECTION_DEPTH, shape)} }`;
            if (documents.has(document)) continue;
            documents.add(document);
            const suffix = [label, nestedIds ? "nested ids" : null, paging === "last" ? "last" : null].filter(Boolean).join(", ");
            variants.push({
              name: `${coordinate}${suffix ? ` (${suffix})` : ""}`,
              coordinate,
              field: field.name,
              document,
              aimsAtTarget,
              nested: nestedIds,
              ...(anyArgument ? { asked: anyIds } : {}),
            });
          }
        }
      }
      return variants;
    }),
  );
  return { probes, unknownIds: [...unknownIds].sort() };
}

const probesFor = (server: TestServer, target: Target): Probe[] => buildProbes(server, target).probes;

const noNodeIds = (): NodeIds => Object.fromEntries(NODE_TYPE_NAMES.map((type) => [type, [] as string[]])) as NodeIds;

/** Every global id an account holds, read by one of its members: the account, its members and users, roles, verifications, history and deliveries. */
async function nodeIdsOf(server: TestServer, token: string, accountId: string): Promise<NodeIds> {
  const data = ok(
    await server.graphql(
      `query($id: ID!) { account(id: $id) { id
        members(first: 100) { nodes { id user { id } } }
        roleContacts { id user { id } verification { id } }
        contactHistory(first: 100) { nodes { id actor { id } } }
        notificationDeliveries(first: 100) { nodes { id } }
        settingChanges(first: 100) { nodes { id actor { id } } }
        memberHistory(first: 100) { nodes { id actor { id } } }
        invitations(first: 100) { nodes { id invitedBy { id } } }
        webhookEndpoints { id deliveries(first: 100) { nodes { id } } }
      } }`,
      { id: accountId },
      token,
    ),
  );
  const ids = noNodeIds();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (key !== "id" || typeof inner !== "string") visit(inner);
        else {
          const type = decodeGlobalId(inner)?.type;
          expect(type, `a global id: ${inner}`).to.be.a("string");
          if (!ids[type!].includes(inner)) ids[type!].push(inner);
        }
      }
    }
  };
  visit(data);
  return ids;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What of these ids must not leak: each id, and the UUIDs inside it. A row id is short, so one id may
 * begin another (`ContactChange:3`, `ContactChange:31`): those count only as a whole JSON string.
 */
function idSecrets(ids: string[]): string[] {
  return ids.flatMap((id) => {
    const { type, key } = decodeGlobalId(id)!;
    if (
      [
        "ContactChange",
        "NotificationDelivery",
        "AccountSettingChange",
        "MemberChange",
        "AccountInvitation",
        "WebhookEndpoint",
        "WebhookDelivery",
      ].includes(type)
    )
      return [JSON.stringify(id)];
    return [id, ...key.filter((part) => UUID.test(part))];
  });
}

async function send(server: TestServer, document: string, token: string | null): Promise<{ body: GraphQLResponse; text: string }> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: document }),
  });
  const text = await response.text();
  return { body: JSON.parse(text) as GraphQLResponse, text };
}

/** An id, or a UUID inside one: compared as it is written, since base64 is case-sensitive. */
const isIdSecret = (secret: string) => UUID.test(secret) || decodeGlobalId(secret.replace(/^"|"$/g, "")) !== null;

function leaks(text: string, secrets: string[]): string[] {
  const lower = text.toLowerCase();
  return secrets.filter((secret) => (isIdSecret(secret) ? text.includes(secret) : lower.includes(secret.toLowerCase())));
}

/** The root field's answer is refused: null, or for a list of nodes, null at every index. */
function refusedData(rootData: unknown): boolean {
  return rootData === null || (Array.isArray(rootData) && rootData.length > 0 && rootData.every((item) => item === null));
}

describe("tenant isolation across every field of the schema", function () {
  this.timeout(60_000);
  let server: TestServer;
  let target: Target;
  let outsider: TestUser;
  let probes: Probe[];
  let unknownIds: string[];
  const matrix: Record<string, Record<string, string>> = {};

  before(async () => {
    // Generated selections ask for everything at once: only the size limits are raised here.
    server = await startTestServer({
      env: {
        MAX_QUERY_TOKENS: "100000",
        MAX_QUERY_COST: "1000000",
        MAX_QUERY_ALIASES: "1000",
        MUTATION_RATE_LIMIT: "0",
        ...LOCAL_WEBHOOKS_ENV,
      },
    });
    const admin = await signIn(server, "zephyrine.admin@target.example", "Zephyrine Admin");
    const account = await createAccount(server, admin, "Zephyrine Target Holdings");
    const members = [
      await addMember(server, admin, account.id, "zephyrine.billing@target.example"),
      await addMember(server, admin, account.id, "zephyrine.tech@target.example"),
    ];
    const externalEmail = "target-external-security@outside.example";
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[0]!.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "TECHNICAL_ADMIN", userId: members[1]!.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: externalEmail }));
    // A webhook endpoint (its URL is the target's too) with one failed delivery of the change below.
    ok(
      await server.graphql(
        ADD_WEBHOOK_ENDPOINT,
        { input: { accountId: account.id, url: TARGET_WEBHOOK_URL, eventTypes: ["SETTINGS"] } },
        admin.token,
      ),
    );
    ok(await mutate(server, admin.token, "updateAccount", { accountId: account.id, locale: "PL" }));
    await attemptWebhookDeliveries(server.db);
    // Someone invited who has not answered: their invitation is the target's too.
    ok(
      await server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
        { input: { accountId: account.id, email: "zephyrine.invited@target.example" } },
        admin.token,
      ),
    );
    const current = await readAccount(server, admin.token, account.id);
    const nodeIds = await nodeIdsOf(server, admin.token, account.id);
    target = {
      account: current,
      admin,
      members,
      externalEmail,
      nodeIds,
      secrets: [
        current.name,
        "Zephyrine Admin",
        externalEmail,
        "zephyrine.invited@target.example",
        TARGET_WEBHOOK_URL,
        ...[admin, ...members].map((user) => user.email),
        ...idSecrets([current.id, ...[admin, ...members].map((user) => user.id), ...Object.values(nodeIds).flat()]),
      ],
    };
    outsider = (await accountWithMembers(server, 1, "outsider")).admin;
    ({ probes, unknownIds } = buildProbes(server, target));
  });

  after(async () => {
    const callers = ["outsider", "anonymous", "forged token"];
    const fields = new Set(probes.map((probe) => probe.field)).size;
    console.log(`      isolation matrix: ${fields} root fields (${probes.length} probes) × ${callers.length} callers`);
    for (const [field, row] of Object.entries(matrix))
      console.log(`        ${field.padEnd(36)} ${callers.map((caller) => `${caller}: ${row[caller] ?? "-"}`).join("  ")}`);
    await server.close();
  });

  it("covers every root field of the schema, and aims the ones that take ids at the target", () => {
    const names = probes.map((probe) => probe.name);
    expect(names).to.include.members([
      "Query.viewer",
      "Query.accounts",
      "Query.accounts (last)",
      "Query.accountsNeedingAttention",
      "Query.account",
      "Query.account (nested ids, last)",
      "Query.nodes",
      ...NODE_TYPE_NAMES.map((type) => `Query.node (${type})`),
      "Mutation.createAccount",
      "Mutation.addAccountMember",
      "Mutation.removeAccountMember",
      "Mutation.setPrimaryContact",
      "Mutation.addBillingContact",
      "Mutation.removeBillingContact",
      "Mutation.setRoleContact",
      "Mutation.clearRoleContact",
      "Mutation.saveAccountContacts",
      "Mutation.verifyContactEmail",
      "Mutation.resendContactVerification",
      "Mutation.sendTestNotification",
      "Mutation.updateAccount",
      "Mutation.requeueNotificationDelivery",
    ]);
    for (const name of [
      "Query.account",
      "Query.nodes",
      ...NODE_TYPE_NAMES.map((type) => `Query.node (${type})`),
      "Mutation.setPrimaryContact",
      "Mutation.addAccountMember",
    ]) {
      expect(probes.find((probe) => probe.name === name)!.aimsAtTarget, name).to.equal(true);
    }
    // Every ID argument and input field takes a known type, so each probe sends ids of the type it expects.
    expect(unknownIds, "ID arguments whose type this file does not know: add them to ID_ARGUMENTS").to.deep.equal([]);
    // `nodes` gets every id the target holds, of every type.
    expect(
      Object.entries(target.nodeIds)
        .filter(([, ids]) => !ids.length)
        .map(([type]) => type),
      "Node types without an id in the target",
    ).to.deep.equal([]);
    expect(probes.find((probe) => probe.name === "Query.nodes")!.asked).to.deep.equal(Object.values(target.nodeIds).flat());
  });

  it("shows the target's own admin its data (the leak check can see a leak)", async () => {
    const probe = probes.find((candidate) => candidate.name === "Query.account (nested ids)")!;
    const { body, text } = await send(server, probe.document, target.admin.token);
    ok(body);
    expect(leaks(text, target.secrets)).to.include.members([
      target.account.id,
      target.account.name,
      target.members[0]!.email,
      target.externalEmail,
    ]);
  });

  it("shows the target's own admin every one of its objects through node and nodes (the leak check can see a leak there too)", async () => {
    const everyId = Object.values(target.nodeIds).flat();
    const all = await send(server, probes.find((candidate) => candidate.name === "Query.nodes (nested ids)")!.document, target.admin.token);
    const nodes = ok(all.body).nodes as ({ id: string; __typename: string } | null)[];
    expect(nodes.map((node) => node?.id)).to.deep.equal(everyId);
    expect(nodes.map((node) => node?.__typename)).to.deep.equal(everyId.map((id) => decodeGlobalId(id)!.type));
    // Ids as the API writes them (the UUIDs inside never appear, leaked or not).
    const written = (ids: string[]) => idSecrets(ids).filter((secret) => !UUID.test(secret));
    expect(leaks(all.text, target.secrets)).to.include.members(written(everyId));
    for (const type of NODE_TYPE_NAMES) {
      const { body, text } = await send(
        server,
        probes.find((candidate) => candidate.name === `Query.node (${type}, nested ids)`)!.document,
        target.admin.token,
      );
      expect(ok(body).node.id, type).to.equal(target.nodeIds[type][0]);
      expect(leaks(text, target.secrets), type).to.include.members(written(target.nodeIds[type].slice(0, 1)));
    }
  });

  const callers: { name: string; token: () => Promise<string | null> }[] = [
    { name: "outsider", token: async () => outsider.token },
    { name: "anonymous", token: async () => null },
    { name: "forged token", token: () => tokenFor(target.admin.email, "Forger", `${TEST_JWT_SECRET}-but-not-quite`) },
  ];

  for (const caller of callers) {
    it(`refuses the ${caller.name} every field aimed at the target, and leaks nothing anywhere`, async () => {
      const token = await caller.token();
      const problems: string[] = [];
      for (const probe of probes) {
        const { body, text } = await send(server, probe.document, token);
        const codes = (body.errors ?? []).map((error) => String(error.extensions?.code));
        const rootData = (body.data as Record<string, unknown> | null | undefined)?.[probe.field] ?? null;
        (matrix[probe.name] ??= {})[caller.name] = codes.length ? [...new Set(codes)].join(",") : "ok";

        const leaked = leaks(text, target.secrets);
        if (leaked.length) problems.push(`${probe.name}: leaked ${leaked.join(", ")}`);
        if (codes.includes("INTERNAL_SERVER_ERROR") || codes.some((code) => code.startsWith("GRAPHQL_"))) {
          problems.push(`${probe.name}: ${codes.join(",")} ${text.slice(0, 300)}`);
        }
        const mustRefuse =
          !probe.nested && (probe.aimsAtTarget || (caller.name !== "outsider" && ALWAYS_SIGNED_IN.includes(probe.coordinate)));
        if (!mustRefuse) continue;
        const allowed = caller.name === "outsider" ? OUTSIDER_REFUSALS : ANONYMOUS_REFUSALS;
        if (!refusedData(rootData) || !codes.length || !codes.every((code) => allowed.includes(code))) {
          problems.push(`${probe.name}: expected one of ${allowed.join("/")}, got ${codes.join(",") || "data"}`);
        }
        // `nodes` refuses each id on its own, at its index, when the caller is signed in.
        if (probe.asked && Array.isArray(rootData)) {
          const paths = (body.errors ?? []).map((error) => JSON.stringify(error.path));
          const expected = probe.asked.map((_, index) => JSON.stringify([probe.field, index]));
          if (rootData.length !== probe.asked.length || JSON.stringify(paths.sort()) !== JSON.stringify(expected.sort())) {
            problems.push(`${probe.name}: expected ${probe.asked.length} nulls with an error at each index, got ${text.slice(0, 300)}`);
          }
        }
      }
      expect(problems, problems.join("\n")).to.deep.equal([]);
    });
  }

  it("left the target account exactly as it was", async () => {
    const after = await readAccount(server, target.admin.token, target.account.id);
    expect(after).to.deep.equal(target.account);
    const members = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { members { totalCount } } }`,
        { id: target.account.id },
        target.admin.token,
      ),
    );
    expect(members.account.members.totalCount).to.equal(3);
  });
});

/*
 * Cross-tenant effects through shared records: users belong to many accounts, so whatever an admin
 * of account A can write about a person must stay in A. Mallory, an admin of A, adds B's members to A
 * under crafted names and emails written differently, makes them contacts, removes and re-adds them,
 * runs every mutation of the schema aimed at them, and looks up every id in B with `node` and `nodes`;
 * then everything B's members see about B and about themselves must be exactly as before, and nothing
 * Mallory gets back may show what B knows.
 */
describe("cross-tenant effects through shared records", function () {
  this.timeout(120_000);
  const CRAFTED = "Bob (fired - send invoices to billing@evil.example)";
  let server: TestServer;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let mallory: TestUser;
  let accountB: AccountState;
  let accountA: AccountState;
  /** What B's admin typed or set that account A must never learn, and the ids of everything in B but its users. */
  let secretsOfB: string[];
  let nodeIdsOfB: NodeIds;
  let targetB: Target;
  /** Every query aimed at B, and `viewer`, as the schema offers them. */
  let probesOfB: Probe[];
  let viewBefore: Record<string, Record<string, string>>;
  /** Every answer Mallory got. */
  const answersToA: string[] = [];

  /** Adds someone under a name; someone new accepts from the mailed link (no sign-in), and the answer shows the account after that. */
  const addNamed = async (token: string, accountId: string, email: string, name?: string | null, role = "MEMBER") => {
    const ACCOUNT = `account { id name members(first: 100) { edges { node { role displayName user { id email name } } } } }`;
    const response = await server.graphql(
      `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { email } ${ACCOUNT} } }`,
      { input: { accountId, email, ...(name === undefined ? {} : { name }), role } },
      token,
    );
    const invitation = response.data?.addAccountMember?.invitation;
    if (invitation) {
      await acceptFromLink(server, invitation.email);
      const account = ok(
        await server.graphql(`query($id: ID!) { ${ACCOUNT.replace("account {", "account(id: $id) {")} }`, { id: accountId }, token),
      ).account;
      response.data!.addAccountMember = { account };
    }
    return response;
  };

  /** Sends as Mallory, keeping the answer for the leak check. */
  async function asMallory(document: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${mallory.token}` },
      body: JSON.stringify({ query: document, variables }),
    });
    const text = await response.text();
    answersToA.push(text);
    return JSON.parse(text) as GraphQLResponse;
  }
  const malloryMutates = (mutation: string, input: Record<string, unknown>) =>
    asMallory(
      `mutation($input: ${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { account { id name members(first: 100) { edges { node { displayName user { id email name } } } } } } }`,
      { input },
    );

  /** What each of B's signed-in members sees of B and of themselves. */
  async function viewOfB(): Promise<Record<string, Record<string, string>>> {
    const view: Record<string, Record<string, string>> = {};
    for (const member of [bob, carol]) {
      view[member.email] = {};
      for (const probe of probesOfB) view[member.email]![probe.name] = (await send(server, probe.document, member.token)).text;
    }
    return view;
  }

  const displayNames = async (token: string, accountId: string) => {
    const data = ok(
      await server.graphql(
        `query($id: ID!) { account(id: $id) { members(first: 100) { edges { node { displayName user { email name } } } } } }`,
        { id: accountId },
        token,
      ),
    );
    return Object.fromEntries(
      (data.account.members.edges as { node: { displayName: string | null; user: { email: string; name: string | null } } }[]).map(
        ({ node }) => [node.user.email, { displayName: node.displayName, name: node.user.name }],
      ),
    );
  };

  before(async () => {
    server = await startTestServer({
      env: {
        MAX_QUERY_TOKENS: "100000",
        MAX_QUERY_COST: "1000000",
        MAX_QUERY_ALIASES: "1000",
        MUTATION_RATE_LIMIT: "0",
        ...LOCAL_WEBHOOKS_ENV,
      },
    });
    bob = await signIn(server, "bob@b.example", "Bob Builder");
    accountB = await createAccount(server, bob, "Bobco Holdings B");
    carol = await addMember(server, bob, accountB.id, "carol@b.example");
    ok(await addNamed(bob.token, accountB.id, "dave@b.example", "Dave from B"));
    const daveRow = (await server.db.read((m) => m.query(`SELECT "id" FROM "users" WHERE "email" = 'dave@b.example'`)))[0].id as string;
    dave = { id: globalId("User", daveRow), email: "dave@b.example", token: "" };
    ok(await mutate(server, bob.token, "addBillingContact", { accountId: accountB.id, userId: carol.id }));
    ok(await mutate(server, bob.token, "setRoleContact", { accountId: accountB.id, role: "TECHNICAL_ADMIN", userId: dave.id }));
    ok(await mutate(server, bob.token, "setRoleContact", { accountId: accountB.id, role: "DECISION_MAKER", userId: carol.id }));
    ok(await mutate(server, bob.token, "setRoleContact", { accountId: accountB.id, role: "SECURITY", email: "sec-b@b-partners.example" }));
    ok(
      await server.graphql(
        ADD_WEBHOOK_ENDPOINT,
        { input: { accountId: accountB.id, url: UNREACHABLE_WEBHOOK_URL, eventTypes: ["SETTINGS"] } },
        bob.token,
      ),
    );
    ok(await mutate(server, bob.token, "updateAccount", { accountId: accountB.id, locale: "PL" }));
    await attemptWebhookDeliveries(server.db);
    ok(
      await server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
        { input: { accountId: accountB.id, email: "erin@b.example" } },
        bob.token,
      ),
    );
    accountB = await readAccount(server, bob.token, accountB.id);
    nodeIdsOfB = await nodeIdsOf(server, bob.token, accountB.id);
    // B's members are A's too by the end, so their user ids are not B's to keep; everything else in B is.
    const idsOfB = NODE_TYPE_NAMES.filter((type) => type !== "User").flatMap((type) => nodeIdsOfB[type]);
    secretsOfB = [accountB.name, "Dave from B", "sec-b@b-partners.example", ...idSecrets(idsOfB)];
    targetB = {
      account: accountB,
      admin: bob,
      members: [carol, dave],
      externalEmail: "sec-b@b-partners.example",
      nodeIds: nodeIdsOfB,
      secrets: secretsOfB,
    };
    // Being added to another account lists that account among one's own (`accounts`), by design: only what is about B is compared.
    probesOfB = probesFor(server, targetB).filter(
      (probe) => probe.document.startsWith("query") && (probe.aimsAtTarget || probe.field === "viewer"),
    );

    mallory = await signIn(server, "mallory@a.example", "Mallory");
    accountA = await createAccount(server, mallory, "Mallory A");
    viewBefore = await viewOfB();
  });

  after(() => server.close());

  it("shows B's members what B's admin set: the check can see each of the names involved", async () => {
    expect(await displayNames(bob.token, accountB.id)).to.deep.equal({
      "bob@b.example": { displayName: "Bob Builder", name: "Bob Builder" },
      "carol@b.example": { displayName: null, name: null },
      "dave@b.example": { displayName: "Dave from B", name: null },
    });
    expect(Object.values(viewBefore["bob@b.example"]!).join("\n"))
      .to.contain("Dave from B")
      .and.contain("Bob Builder")
      .and.contain("sec-b@b-partners.example");
  });

  it("adds B's members to A under crafted names without showing A what B calls them", async () => {
    const added = [
      await addNamed(mallory.token, accountA.id, " BOB@B.Example ", CRAFTED, "ADMIN"),
      await addNamed(mallory.token, accountA.id, "carol@b.example", "Carol (left - use billing@evil.example)"),
      await addNamed(mallory.token, accountA.id, "dave@b.example"),
    ];
    for (const response of added) answersToA.push(JSON.stringify(response));
    const names = Object.fromEntries(
      (
        ok(added[2]!).addAccountMember.account.members.edges as {
          node: { displayName: string | null; user: { email: string; name: string | null } };
        }[]
      ).map(({ node }) => [node.user.email, node]),
    );
    expect(names["dave@b.example"]).to.deep.include({ displayName: null, user: { id: dave.id, email: "dave@b.example", name: null } });
    expect(names["bob@b.example"]!.displayName).to.equal("Bob Builder");
    ok(await addNamed(mallory.token, accountA.id, "Dave@B.example", "Dave (the one who reads your invoices)"));
  });

  it("makes them A's contacts, removes them and adds them again", async () => {
    const steps: [string, Record<string, unknown>][] = [
      ["setPrimaryContact", { userId: bob.id }],
      ["addBillingContact", { userId: carol.id }],
      ["addBillingContact", { userId: dave.id }],
      ["setRoleContact", { role: "TECHNICAL_ADMIN", userId: dave.id }],
      ["setRoleContact", { role: "DECISION_MAKER", userId: bob.id }],
      ["setRoleContact", { role: "SECURITY", email: "carol@b.example" }],
      ["setRoleContact", { role: "IMPLEMENTATION", userId: carol.id }],
      ["removeAccountMember", { userId: carol.id, reassignTo: dave.id }],
      ["setPrimaryContact", { userId: mallory.id }],
      ["removeAccountMember", { userId: bob.id }],
      ["removeAccountMember", { userId: dave.id }],
    ];
    for (const [mutation, input] of steps) ok(await malloryMutates(mutation, { accountId: accountA.id, ...input }));
    for (const [email, name] of [
      ["bob@b.example", "Bob Builder (account closed)"],
      ["carol@b.example", CRAFTED],
      ["dave@b.example", "Dave from A"],
    ] as const) {
      const response = await addNamed(mallory.token, accountA.id, email, name, "ADMIN");
      answersToA.push(JSON.stringify(response));
      ok(response);
    }
    const current = await readAccount(server, mallory.token, accountA.id);
    ok(
      await malloryMutates("saveAccountContacts", {
        accountId: accountA.id,
        expectedVersion: current.contactsVersion,
        primaryContactUserId: dave.id,
        billingContactUserIds: [bob.id, carol.id, dave.id],
        roleContacts: [
          { role: "SECURITY", email: "BOB@b.example" },
          { role: "TECHNICAL_ADMIN", userId: carol.id },
        ],
      }),
    );
  });

  it("runs every mutation of the schema at them, as each of B's members in turn", async () => {
    // Leaving ends Mallory's own membership of A, touching nothing of B, and would end the run; probes aimed at B include it.
    const mutations = Object.keys(server.app.schema.getMutationType()!.getFields()).filter((name) => name !== "leaveAccount");
    for (const victims of [
      [bob, carol, dave],
      [carol, dave, bob],
      [dave, bob, carol],
    ]) {
      for (const mutation of mutations) {
        accountA = await readAccount(server, mallory.token, accountA.id);
        const targetA: Target = {
          account: accountA,
          admin: mallory,
          members: victims,
          externalEmail: "outside@a.example",
          nodeIds: noNodeIds(),
          secrets: [],
          text: CRAFTED,
        };
        for (const probe of probesFor(server, targetA).filter((candidate) => candidate.field === mutation)) await asMallory(probe.document);
      }
    }
  });

  it("answers Mallory's node and nodes lookups of every id in B with nothing of B: only the users she shares with B", async () => {
    const lookups = probesFor(server, targetB).filter((probe) => probe.field === "node" || probe.field === "nodes");
    expect(lookups.filter((probe) => probe.field === "node").length, "a node lookup per type").to.be.at.least(NODE_TYPE_NAMES.length);
    const types = new Set<string>();
    for (const probe of lookups) {
      const response = await asMallory(probe.document);
      const answered = (probe.field === "node" ? [response.data?.node ?? null] : (response.data?.nodes as unknown[])) as ({
        id: string;
      } | null)[];
      const asked = probe.asked!;
      expect(answered.length, probe.name).to.equal(asked.length);
      asked.forEach((id, index) => {
        const type = decodeGlobalId(id)!.type;
        types.add(type);
        // The users are members of A now, so Mallory may see them (never what B calls them), unless the
        // selection asks for their contact slots in B, which are refused; nothing else in B, ever.
        if (type !== "User") expect(answered[index], `${probe.name} ${id}`).to.equal(null);
        else if (!probe.nested) expect(answered[index]?.id, `${probe.name} ${id}`).to.equal(id);
      });
      const codes = (response.errors ?? []).map((error) => error.extensions?.code);
      expect(
        codes.every((code) => code === "NOT_FOUND"),
        `${probe.name}: ${JSON.stringify(response.errors)}`,
      ).to.equal(true);
    }
    expect([...types].sort()).to.deep.equal([...NODE_TYPE_NAMES].sort());
  });

  it("leaves everything B's members see about B and about themselves exactly as it was", async () => {
    const after = await viewOfB();
    for (const member of Object.keys(viewBefore)) {
      for (const [probe, text] of Object.entries(viewBefore[member]!)) {
        expect(after[member]![probe], `${member} ${probe}`).to.equal(text);
      }
    }
    const everything = JSON.stringify(after);
    for (const crafted of [CRAFTED, "Carol (left", "Dave (the one", "Dave from A", "account closed", "Mallory"])
      expect(everything).to.not.contain(crafted);
  });

  it("never showed Mallory anything B's admin typed or set", () => {
    expect(answersToA.length).to.be.greaterThan(30);
    const leaked = answersToA.flatMap((text) => leaks(text, secretsOfB).map((secret) => `${secret} in ${text.slice(0, 200)}`));
    expect(leaked, leaked.join("\n")).to.deep.equal([]);
  });

  it("lets only the member's own sign-in name them, in every account at once", async () => {
    const david = await signIn(server, "dave@b.example", "David Real");
    expect(ok(await server.graphql("{ viewer { name } }", {}, david.token)).viewer.name).to.equal("David Real");
    expect((await displayNames(bob.token, accountB.id))["dave@b.example"]).to.deep.equal({ displayName: "David Real", name: "David Real" });
    expect((await displayNames(mallory.token, accountA.id))["dave@b.example"]).to.deep.equal({
      displayName: "David Real",
      name: "David Real",
    });
    ok(await addNamed(mallory.token, accountA.id, "dave@b.example", "Dave (renamed by A)"));
    expect(ok(await server.graphql("{ viewer { name } }", {}, david.token)).viewer.name).to.equal("David Real");
    expect(ok(await server.graphql("{ viewer { name } }", {}, bob.token)).viewer.name).to.equal("Bob Builder");
  });
});
