import { expect } from "chai";
import { randomUUID } from "node:crypto";
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import { startTestServer, type GraphQLResponse, type TestServer } from "./helpers/server";
import {
  accountWithMembers,
  addMember,
  createAccount,
  failsWith,
  mutate,
  ok,
  readAccount,
  signIn,
  type AccountState,
  type TestUser,
} from "./helpers/factories";
import { decodeGlobalId, globalId, type NodeTypeName } from "../src/common/global-id";
import { ADD_WEBHOOK_ENDPOINT, attemptWebhookDeliveries, LOCAL_WEBHOOKS_ENV, UNREACHABLE_WEBHOOK_URL } from "./helpers/webhooks";

/*
 * The 1.0 conventions, checked against the schema the server runs rather than a list
 * written here: every Node type, every connection and every ID or email input the schema has is
 * found by walking it, so a type, connection or input added later is held to the same rules.
 */

type Json = Record<string, any>;

/** One field on the way from the query root to an object: its name and the arguments it needs. */
interface Step {
  field: string;
  args: string;
}

/** A field whose type is a Node type, and the path that reaches it from the query root. */
interface NodeSource {
  label: string;
  type: string;
  path: Step[];
}

/** An object a field gave, with the field it came from. */
interface Found {
  source: NodeSource;
  object: Json;
}

function nodeTypeNames(schema: GraphQLSchema): string[] {
  const node = schema.getType("Node");
  if (!isInterfaceType(node)) throw new Error("The schema has no Node interface.");
  return schema.getPossibleTypes(node).map((type) => type.name);
}

/** The arguments a field needs, filled in: an enum's first value, the account's id for an id; null when it needs something else. */
function argumentsFor(field: GraphQLField<unknown, unknown>): string | null {
  const parts: string[] = [];
  for (const argument of field.args) {
    if (!isNonNullType(argument.type) || argument.defaultValue !== undefined) continue;
    const type = getNamedType(argument.type);
    if (isEnumType(type)) parts.push(`${argument.name}: ${type.getValues()[0]!.name}`);
    else if (type.name === "ID" && (argument.name === "id" || argument.name === "accountId")) parts.push(`${argument.name}: $id`);
    else return null;
  }
  return parts.length ? `(${parts.join(", ")})` : "";
}

/** Every field of an object type reachable from Query whose type is a Node type, each with the shortest path to it. */
function nodeSources(schema: GraphQLSchema): NodeSource[] {
  const nodeTypes = new Set(nodeTypeNames(schema));
  const reached = new Map<string, Step[]>([["Query", []]]);
  const queue: GraphQLObjectType[] = [schema.getQueryType()!];
  const sources: NodeSource[] = [];
  while (queue.length) {
    const parent = queue.shift()!;
    const path = reached.get(parent.name)!;
    for (const field of Object.values(parent.getFields())) {
      const type = getNamedType(field.type);
      const args = argumentsFor(field);
      // Fields typed with the Node interface itself (node, nodes) are what is being tested.
      if (!isObjectType(type) || args === null) continue;
      const step = { field: field.name, args };
      if (nodeTypes.has(type.name)) sources.push({ label: `${parent.name}.${field.name}`, type: type.name, path: [...path, step] });
      if (!reached.has(type.name)) {
        reached.set(type.name, [...path, step]);
        queue.push(type);
      }
    }
  }
  return sources;
}

/** The fields of a type that are scalars or enums and take no arguments. */
function scalarFields(schema: GraphQLSchema, typeName: string): string[] {
  const type = schema.getType(typeName) as GraphQLObjectType;
  return Object.values(type.getFields())
    .filter((field) => isLeafType(getNamedType(field.type)) && field.args.length === 0)
    .map((field) => field.name);
}

function scalarSelection(schema: GraphQLSchema, typeName: string): string {
  return `__typename ${scalarFields(schema, typeName).join(" ")}`;
}

/**
 * The scalar fields of several types at once. Fields of one name but different types
 * (AccountMember.role, ContactRole.role) may not share a response key, so those are aliased `Type_field`.
 */
function aliasedSelection(schema: GraphQLSchema, typeNames: string[]): string {
  const typesOfName = new Map<string, Set<string>>();
  for (const name of typeNames) {
    const fields = (schema.getType(name) as GraphQLObjectType).getFields();
    for (const field of scalarFields(schema, name))
      typesOfName.set(field, (typesOfName.get(field) ?? new Set()).add(String(fields[field]!.type)));
  }
  const select = (type: string, field: string) => (typesOfName.get(field)!.size > 1 ? `${type}_${field}: ${field}` : field);
  return `__typename ${typeNames
    .map(
      (name) =>
        `... on ${name} { ${scalarFields(schema, name)
          .map((field) => select(name, field))
          .join(" ")} }`,
    )
    .join(" ")}`;
}

/** An object read with aliasedSelection, with its fields under their own names again. */
function unaliased(object: Json | null): Json | null {
  if (object === null) return null;
  const prefix = `${object.__typename}_`;
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key.startsWith(prefix) ? key.slice(prefix.length) : key, value]));
}

function documentFor(path: Step[], selection: string): string {
  const body = path.reduceRight((inner, step) => `${step.field}${step.args} { ${inner} }`, selection);
  return body.includes("$id") ? `query($id: ID!) { ${body} }` : `{ ${body} }`;
}

/** The objects at the end of `path` in a response's data, lists flattened. */
function objectsAt(data: unknown, path: Step[]): Json[] {
  let current: unknown[] = [data];
  for (const step of path) {
    current = current.flatMap((item) => {
      const value = item == null ? null : (item as Json)[step.field];
      return Array.isArray(value) ? value : [value];
    });
  }
  return current.filter((item) => item != null) as Json[];
}

/** A well-formed id of the same type that names nothing: each uuid part replaced, each row id made one never issued. */
function missingIdLike(id: string): string {
  const decoded = decodeGlobalId(id)!;
  const key = decoded.key.map((part) => (/^[0-9a-f]{8}-/.test(part) ? randomUUID() : /^\d+$/.test(part) ? "2147483000" : part));
  return globalId(decoded.type, ...key);
}

/** The database key an id carries, as a client would wrongly send it: the row's bare uuid or number. */
const bareKey = (id: string) => decodeGlobalId(id)!.key[0]!;

const invalidFields = (error: { extensions?: Json }) => (error.extensions?.invalidFields ?? []) as { field: string; message: string }[];

const SEND = `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { deliveries { id } } }`;

describe("API 1.0 conventions through the server", function () {
  this.timeout(120_000);
  let server: TestServer;
  let schema: GraphQLSchema;

  interface Tenant {
    admin: TestUser;
    account: AccountState;
    members: TestUser[];
    externalEmail: string;
    /** A user who was a member of the account and was removed. */
    removed: TestUser;
    /** An invitation nobody has answered. */
    invitationId: string;
    /** Who invited the admin to another account: reachable as `invitedBy`, though sharing no account with them. */
    inviterId: string;
  }

  /** An account with every kind of object in it: members, billing and role contacts, an outside SECURITY address, history and deliveries. */
  async function tenant(prefix: string): Promise<Tenant> {
    const { admin, account, members } = await accountWithMembers(server, 5, prefix);
    const removed = members.pop()!;
    const set = async (name: string, input: Json) => ok(await mutate(server, admin.token, name, { accountId: account.id, ...input }));
    await set("removeAccountMember", { userId: removed.id });
    await set("setPrimaryContact", { userId: members[0]!.id });
    for (const member of members.slice(1, 3)) await set("addBillingContact", { userId: member.id });
    await set("setRoleContact", { role: "DECISION_MAKER", userId: members[0]!.id });
    await set("setRoleContact", { role: "IMPLEMENTATION", userId: members[1]!.id });
    await set("setRoleContact", { role: "TECHNICAL_ADMIN", userId: members[2]!.id });
    const externalEmail = `soc-${prefix}-${Math.random().toString(36).slice(2, 8)}@outside.example`;
    await set("setRoleContact", { role: "SECURITY", email: externalEmail });
    ok(await server.graphql(SEND, { input: { accountId: account.id, category: "INVOICE" } }, admin.token));
    // A webhook endpoint nothing listens at: the next change gives it one failed delivery attempt.
    ok(
      await server.graphql(
        ADD_WEBHOOK_ENDPOINT,
        { input: { accountId: account.id, url: UNREACHABLE_WEBHOOK_URL, eventTypes: ["SETTINGS"] } },
        admin.token,
      ),
    );
    await set("updateAccount", { locale: "PL" });
    await attemptWebhookDeliveries(server.db);
    const invite = (token: string, accountId: string, email: string) =>
      server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
        { input: { accountId, email } },
        token,
      );
    const invited = ok(await invite(admin.token, account.id, `invited-${prefix}@example.com`));
    // Another account invites the admin: an invitation of their own to reach from Query.viewerInvitations.
    const host = await signIn(server, `host-${prefix}-${Math.random().toString(36).slice(2, 8)}@example.com`);
    ok(await invite(host.token, (await createAccount(server, host, "Host")).id, admin.email));
    return {
      admin,
      account: await readAccount(server, admin.token, account.id),
      members,
      externalEmail,
      removed,
      invitationId: invited.addAccountMember.invitation.id,
      inviterId: host.id,
    };
  }

  /** Users the tenant's admin reaches through fields but shares no account with. */
  const unshared = (owner: Tenant) => [owner.removed.id, owner.inviterId];

  /** Every object of a Node type that the tenant's admin can reach through the schema's fields. */
  async function objectsOf(owner: Tenant): Promise<Found[]> {
    const found: Found[] = [];
    for (const source of nodeSources(schema)) {
      const document = documentFor(source.path, scalarSelection(schema, source.type));
      const data = ok(await server.graphql(document, document.includes("$id") ? { id: owner.account.id } : {}, owner.admin.token));
      for (const object of objectsAt(data, source.path)) found.push({ source, object });
    }
    return found;
  }

  /** One object per id, having checked that every field giving that id gives the same object. */
  function distinct(found: Found[]): Map<string, Json> {
    const byId = new Map<string, Json>();
    for (const { source, object } of found) {
      const seen = byId.get(object.id);
      if (seen) expect(object, `${source.label} gives ${object.id} differently`).to.deep.equal(seen);
      else byId.set(object.id, object);
    }
    return byId;
  }

  const nodeQuery = (typeName: string) =>
    `query($id: ID!) { node(id: $id) { ... on ${typeName} { ${scalarSelection(schema, typeName)} } } }`;
  const nodesQuery = () => `query($ids: [ID!]!) { nodes(ids: $ids) { ${aliasedSelection(schema, nodeTypeNames(schema))} } }`;

  /** Asserts the response is `node: null` with one NOT_FOUND error at `node`, and returns that error's message. */
  function notFoundNode(response: GraphQLResponse, label: string): string {
    expect(response.data, label).to.deep.equal({ node: null });
    const error = failsWith(response, "NOT_FOUND");
    expect(error.path, label).to.deep.equal(["node"]);
    return error.message;
  }

  let own: Tenant;
  let foreign: Tenant;
  let ownObjects: Map<string, Json>;
  let foreignObjects: Map<string, Json>;
  /** One id of each Node type, from the caller's own objects. */
  let ownIdOfType: Map<string, string>;

  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0", MAIL_PER_ACCOUNT_PER_HOUR: "10000", ...LOCAL_WEBHOOKS_ENV } });
    schema = server.app.schema;
    own = await tenant("own");
    foreign = await tenant("foreign");
    ownObjects = distinct(await objectsOf(own));
    foreignObjects = distinct(await objectsOf(foreign));
    ownIdOfType = new Map([...ownObjects.values()].map((object) => [object.__typename, object.id]));
  });
  after(() => server.close());

  describe("global object identification", () => {
    it("reaches an object of every type implementing Node through the schema's fields, each id naming its type", () => {
      const types = nodeTypeNames(schema);
      expect(types).to.include.members([
        "Account",
        "User",
        "AccountMember",
        "ContactRole",
        "ContactVerification",
        "ContactChange",
        "NotificationDelivery",
      ]);
      for (const [label, objects] of [
        ["own", ownObjects],
        ["foreign", foreignObjects],
      ] as const) {
        const reached = new Set([...objects.values()].map((object) => object.__typename));
        expect(
          types.filter((type) => !reached.has(type)),
          `Node types with no ${label} object reachable from Query`,
        ).to.deep.equal([]);
      }
      for (const object of [...ownObjects.values(), ...foreignObjects.values()]) {
        expect(decodeGlobalId(object.id)?.type, object.id).to.equal(object.__typename);
      }
    });

    it("resolves each object through node(id) to the same object as the field it came from", async () => {
      // A removed member is still the actor of their own history rows, and an inviter is named on the invitation, but
      // node() shows a user only to themselves and to those sharing an account with them.
      for (const id of unshared(own)) failsWith(await server.graphql(nodeQuery("User"), { id }, own.admin.token), "NOT_FOUND");
      for (const object of ownObjects.values()) {
        if (unshared(own).includes(object.id)) continue;
        const data = ok(await server.graphql(nodeQuery(object.__typename), { id: object.id }, own.admin.token));
        expect(data.node, `${object.__typename} ${object.id}`).to.deep.equal(object);
      }
    });

    it("resolves all of them at once through nodes(ids), in the order asked", async () => {
      const objects = [...ownObjects.values()].filter((object) => !unshared(own).includes(object.id)).reverse();
      expect(objects.length).to.be.at.most(100);
      const data = ok(await server.graphql(nodesQuery(), { ids: objects.map((object) => object.id) }, own.admin.token));
      expect(data.nodes.map(unaliased)).to.deep.equal(objects);
    });

    it("answers another tenant's object of every type as null with NOT_FOUND, exactly like a missing id of that type", async () => {
      for (const object of foreignObjects.values()) {
        const label = `${object.__typename} ${object.id}`;
        const foreignMessage = notFoundNode(await server.graphql(nodeQuery(object.__typename), { id: object.id }, own.admin.token), label);
        const missingMessage = notFoundNode(
          await server.graphql(nodeQuery(object.__typename), { id: missingIdLike(object.id) }, own.admin.token),
          label,
        );
        expect(foreignMessage, label).to.equal(missingMessage);
      }
      // In nodes(ids), each such id is null with its error at its index, and the others are answered.
      const mine = ownObjects.get(ownIdOfType.get("Account")!)!;
      const foreignIds = [...foreignObjects.keys()];
      const ids = [mine.id, ...foreignIds, missingIdLike(mine.id)];
      const response = await server.graphql(nodesQuery(), { ids }, own.admin.token);
      expect(response.data!.nodes.map(unaliased)).to.deep.equal([mine, ...ids.slice(1).map(() => null)]);
      expect(response.errors!.map((error) => [error.extensions!.code, error.path])).to.have.deep.members(
        ids.slice(1).map((_, index) => ["NOT_FOUND", ["nodes", index + 1]]),
      );
    });

    it("answers a removed member's membership, user, roles and a cleared role's verification as null with NOT_FOUND, like missing ones", async () => {
      const { admin, account, members } = await accountWithMembers(server, 1, "doomed");
      const leaving = members[0]!;
      const set = async (name: string, input: Json) => ok(await mutate(server, admin.token, name, { accountId: account.id, ...input }));
      await set("addBillingContact", { userId: leaving.id });
      await set("setRoleContact", { role: "TECHNICAL_ADMIN", userId: leaving.id });
      await set("setRoleContact", { role: "SECURITY", email: `doomed-${Math.random().toString(36).slice(2, 8)}@outside.example` });
      const data = ok(
        await server.graphql(
          `query($id: ID!) { account(id: $id) { members { nodes { id user { id } } } roleContacts { id role verification { id } } } }`,
          { id: account.id },
          admin.token,
        ),
      ).account;
      const membership = data.members.nodes.find((member: Json) => member.user.id === leaving.id);
      const doomed = [
        membership.id,
        leaving.id,
        ...data.roleContacts.map((role: Json) => role.id),
        data.roleContacts.find((role: Json) => role.role === "SECURITY").verification.id,
      ];
      expect(doomed.map((id) => decodeGlobalId(id)!.type).sort()).to.deep.equal([
        "AccountMember",
        "ContactRole",
        "ContactRole",
        "ContactVerification",
        "User",
      ]);
      for (const id of doomed)
        expect(ok(await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id }, admin.token)).node, id).to.deep.equal({ id });

      await set("removeAccountMember", { userId: leaving.id });
      await set("clearRoleContact", { role: "SECURITY" });
      for (const id of doomed) {
        const gone = notFoundNode(await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id }, admin.token), id);
        const missing = notFoundNode(
          await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: missingIdLike(id) }, admin.token),
          id,
        );
        expect(gone, id).to.equal(missing);
      }
    });

    it("answers what is not an id as NOT_FOUND on `id`, and on `ids.N` in nodes(ids) while answering the rest", async () => {
      const accountId = ownIdOfType.get("Account")!;
      for (const id of ["not-an-id", "", bareKey(accountId), Buffer.from("Account:1 OR 1=1").toString("base64url"), `${accountId}=`]) {
        const response = await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id }, own.admin.token);
        expect(response.data, id).to.deep.equal({ node: null });
        expect(
          invalidFields(failsWith(response, "NOT_FOUND")).map((entry) => entry.field),
          id,
        ).to.deep.equal(["id"]);
      }
      const response = await server.graphql(
        `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
        { ids: [accountId, accountId, accountId, "garbage"] },
        own.admin.token,
      );
      expect(response.data).to.deep.equal({ nodes: [{ id: accountId }, { id: accountId }, { id: accountId }, null] });
      const error = failsWith(response, "NOT_FOUND");
      expect(error.path).to.deep.equal(["nodes", 3]);
      expect(invalidFields(error).map((entry) => entry.field)).to.deep.equal(["ids.3"]);
      const tooMany = failsWith(
        await server.graphql(
          `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
          { ids: Array.from({ length: 101 }, () => accountId) },
          own.admin.token,
        ),
        "BAD_USER_INPUT",
      );
      expect(invalidFields(tooMany).map((entry) => entry.field)).to.deep.equal(["ids"]);
    });

    it("answers an id of any other type, or a bare row id, where an Account is expected, as an unknown account: NOT_FOUND on `id`", async () => {
      const wrong = [...ownIdOfType.entries()].filter(([type]) => type !== "Account").map(([, id]) => id);
      for (const id of [...wrong, bareKey(ownIdOfType.get("Account")!)]) {
        const response = await server.graphql(`query($id: ID!) { account(id: $id) { id } }`, { id }, own.admin.token);
        expect(response.data, id).to.deep.equal({ account: null });
        expect(
          invalidFields(failsWith(response, "NOT_FOUND")).map((entry) => entry.field),
          id,
        ).to.deep.equal(["id"]);
        const missing = await server.graphql(
          `query($id: ID!) { account(id: $id) { id } }`,
          { id: missingIdLike(own.account.id) },
          own.admin.token,
        );
        expect(response.errors![0]!.message).to.equal(missing.errors![0]!.message);
      }
    });
  });

  describe("root lookups", () => {
    it("answers a present account next to a missing and another tenant's one in the same request", async () => {
      const response = await server.graphql(
        `query($present: ID!, $missing: ID!, $foreign: ID!) {
          present: account(id: $present) { id name }
          missing: account(id: $missing) { id name }
          foreign: account(id: $foreign) { id name }
          viewer { id }
        }`,
        { present: own.account.id, missing: missingIdLike(own.account.id), foreign: foreign.account.id },
        own.admin.token,
      );
      expect(response.status).to.equal(200);
      expect(response.data).to.deep.equal({
        present: { id: own.account.id, name: own.account.name },
        missing: null,
        foreign: null,
        viewer: { id: own.admin.id },
      });
      expect(response.errors!.map((error) => [error.extensions!.code, error.path])).to.have.deep.members([
        ["NOT_FOUND", ["missing"]],
        ["NOT_FOUND", ["foreign"]],
      ]);
      expect(response.errors![0]!.message).to.equal(response.errors![1]!.message);
    });
  });

  describe("invalid input to mutations", () => {
    /** What each ID input field takes. A new ID field fails the coverage test until it is named here. */
    const ID_FIELD_TYPES: Record<string, NodeTypeName> = {
      accountId: "Account",
      userId: "User",
      reassignTo: "User",
      primaryContactUserId: "User",
      billingContactUserIds: "User",
      deliveryId: "NotificationDelivery",
      invitationId: "AccountInvitation",
      webhookEndpointId: "WebhookEndpoint",
    };

    /** An ID or email field somewhere in a mutation's input; `*` stands for any item of a list of input objects. */
    interface InputField {
      mutation: string;
      path: string[];
      kind: "id" | "email";
      list: boolean;
    }

    function inputFields(): InputField[] {
      const fields: InputField[] = [];
      const walk = (mutation: string, type: GraphQLInputObjectType, path: string[]) => {
        for (const field of Object.values(type.getFields())) {
          const named = getNamedType(field.type);
          const list = isListType(getNullableType(field.type));
          if (isInputObjectType(named)) walk(mutation, named, [...path, field.name, ...(list ? ["*"] : [])]);
          else if (named.name === "ID") fields.push({ mutation, path: [...path, field.name], kind: "id", list });
          else if (named.name === "String" && /email/i.test(field.name))
            fields.push({ mutation, path: [...path, field.name], kind: "email", list });
        }
      };
      for (const mutation of Object.values(schema.getMutationType()!.getFields())) {
        for (const argument of mutation.args) {
          const type = getNamedType(argument.type);
          if (isInputObjectType(type)) walk(mutation.name, type, [argument.name]);
        }
      }
      return fields;
    }

    /**
     * Inputs each mutation accepts for the own tenant's account, each naming every ID and email field
     * it can. `noOp` ones change nothing when sent as they are, so the test checks they are accepted.
     */
    function baseInputs(): { mutation: string; input: Json; noOp: boolean }[] {
      const { account, members, externalEmail } = own;
      const accountId = account.id;
      const [primary, billing1, billing2] = members as [TestUser, TestUser, TestUser, TestUser];
      const roles = [
        { role: "DECISION_MAKER", userId: primary.id },
        { role: "IMPLEMENTATION", userId: billing1.id },
        { role: "SECURITY", email: externalEmail },
        { role: "TECHNICAL_ADMIN", userId: billing2.id },
      ];
      return [
        { mutation: "addAccountMember", input: { accountId, email: members[3]!.email, role: "MEMBER" }, noOp: true },
        { mutation: "removeAccountMember", input: { accountId, userId: members[3]!.id, reassignTo: billing1.id }, noOp: false },
        { mutation: "setPrimaryContact", input: { accountId, userId: primary.id }, noOp: true },
        { mutation: "addBillingContact", input: { accountId, userId: billing1.id }, noOp: true },
        { mutation: "removeBillingContact", input: { accountId, userId: primary.id }, noOp: true },
        { mutation: "setRoleContact", input: { accountId, role: "DECISION_MAKER", userId: primary.id }, noOp: true },
        { mutation: "setRoleContact", input: { accountId, role: "SECURITY", email: externalEmail }, noOp: true },
        { mutation: "clearRoleContact", input: { accountId, role: "SECURITY" }, noOp: false },
        {
          mutation: "saveAccountContacts",
          input: {
            accountId,
            expectedVersion: account.contactsVersion,
            primaryContactUserId: primary.id,
            billingContactUserIds: [billing1.id, billing2.id],
            billingContactDetails: [{ userId: billing1.id }],
            roleContacts: roles,
          },
          noOp: true,
        },
        { mutation: "resendContactVerification", input: { accountId, role: "SECURITY" }, noOp: false },
        { mutation: "sendTestNotification", input: { accountId, category: "INVOICE" }, noOp: false },
        { mutation: "requeueNotificationDelivery", input: { deliveryId: ownIdOfType.get("NotificationDelivery")! }, noOp: false },
        { mutation: "updateAccount", input: { accountId, locale: "PL" }, noOp: true },
        { mutation: "setAllowedContactDomains", input: { accountId, domains: [] }, noOp: true },
        { mutation: "leaveAccount", input: { accountId }, noOp: false },
        { mutation: "acceptInvitation", input: { invitationId: own.invitationId }, noOp: false },
        { mutation: "declineInvitation", input: { invitationId: own.invitationId }, noOp: false },
        { mutation: "withdrawInvitation", input: { invitationId: own.invitationId }, noOp: false },
        { mutation: "addWebhookEndpoint", input: { accountId, url: UNREACHABLE_WEBHOOK_URL, eventTypes: ["CONTACTS"] }, noOp: false },
        {
          mutation: "updateWebhookEndpoint",
          input: { webhookEndpointId: ownIdOfType.get("WebhookEndpoint")!, eventTypes: ["SETTINGS"] },
          noOp: true,
        },
        { mutation: "rotateWebhookSecret", input: { webhookEndpointId: ownIdOfType.get("WebhookEndpoint")! }, noOp: false },
        { mutation: "removeWebhookEndpoint", input: { webhookEndpointId: ownIdOfType.get("WebhookEndpoint")! }, noOp: false },
      ].map((base) => ({ ...base, input: { input: base.input } }));
    }

    /** The places in `input` where `field` has a value, `*` expanded to each list index that has one. */
    function placesOf(input: Json, path: string[]): (string | number)[][] {
      let places: (string | number)[][] = [[]];
      for (const part of path) {
        places = places.flatMap((place) => {
          const value = place.reduce<any>((object, key) => object?.[key], input);
          if (part === "*") return Array.isArray(value) ? value.map((_, index) => [...place, index]) : [];
          return value?.[part] == null ? [] : [[...place, part]];
        });
      }
      return places;
    }

    /** `input` with the value at `place` replaced: a list ID field gets `bad` added after its items. */
    function withValue(
      input: Json,
      place: (string | number)[],
      bad: string,
      list: boolean,
    ): { variables: Json; expected: string; listPath: string | null } {
      const variables = structuredClone(input);
      const parent = place.slice(0, -1).reduce<any>((object, key) => object[key], variables);
      const key = place.at(-1)!;
      if (list) {
        parent[key] = [...parent[key], bad];
        return { variables, expected: [...place, parent[key].length - 1].join("."), listPath: place.join(".") };
      }
      parent[key] = bad;
      return { variables, expected: place.join("."), listPath: null };
    }

    const send = (mutation: string, variables: Json) => {
      const type = `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
      return server.graphql(`mutation($input: ${type}!) { ${mutation}(input: $input) { __typename } }`, variables, own.admin.token);
    };

    /** Asserts BAD_USER_INPUT whose every invalidFields entry names the input path of the field that was wrong. */
    function refusedOn(response: GraphQLResponse, expected: string, listPath: string | null, label: string, code = "BAD_USER_INPUT") {
      const error = failsWith(response, code);
      const fields = invalidFields(error).map((entry) => entry.field);
      expect(fields, label).to.not.deep.equal([]);
      for (const field of fields) {
        expect(field, label).to.match(/^input\./);
        expect([expected, listPath], `${label}: invalidFields ${JSON.stringify(fields)}`).to.include(field);
      }
    }

    it("has an accepted input naming every ID and email field of every mutation", async () => {
      const bases = baseInputs();
      const uncovered = inputFields()
        .filter((field) => !bases.some((base) => base.mutation === field.mutation && placesOf(base.input, field.path).length > 0))
        .map((field) => `${field.mutation} ${field.path.join(".")}`);
      expect(uncovered, "fields no input below sets").to.deep.equal([]);
      const unknown = inputFields()
        .filter((field) => field.kind === "id" && !ID_FIELD_TYPES[field.path.at(-1)!])
        .map((field) => `${field.mutation} ${field.path.join(".")}`);
      expect(unknown, "ID fields whose type ID_FIELD_TYPES does not say").to.deep.equal([]);
      for (const base of bases.filter((candidate) => candidate.noOp)) {
        const before = (await readAccount(server, own.admin.token, own.account.id)).contactsVersion;
        ok(await send(base.mutation, base.input));
        expect((await readAccount(server, own.admin.token, own.account.id)).contactsVersion, base.mutation).to.equal(before);
      }
    });

    it("refuses a malformed id, a bare row id or an id of another type in any ID input as an id of nothing there is, naming its input path", async () => {
      let checked = 0;
      for (const field of inputFields().filter((candidate) => candidate.kind === "id")) {
        const expects = ID_FIELD_TYPES[field.path.at(-1)!]!;
        const example = ownIdOfType.get(expects)!;
        const wrongType = [...ownIdOfType.entries()].filter(([type]) => type !== expects).map(([, id]) => id);
        const bad = [
          "not-an-id",
          "",
          " ",
          bareKey(example),
          Buffer.from(`${expects}:1 OR 1=1`).toString("base64url"),
          `${example}=`,
          ...wrongType,
        ];
        for (const base of baseInputs().filter((candidate) => candidate.mutation === field.mutation)) {
          for (const place of placesOf(base.input, field.path)) {
            for (const value of bad) {
              const { variables, expected, listPath } = withValue(base.input, place, value, field.list);
              // A member's id that names nobody is refused as input; any other id of nothing is NOT_FOUND.
              refusedOn(
                await send(field.mutation, variables),
                expected,
                listPath,
                `${field.mutation} ${expected} = ${JSON.stringify(value)}`,
                expects === "User" ? "BAD_USER_INPUT" : "NOT_FOUND",
              );
              checked++;
            }
          }
        }
      }
      expect(checked).to.be.greaterThan(100);
    });

    it("answers another tenant's id, a removed member's id and a missing id alike in any ID input, naming its path when refused as input", async () => {
      const likeMissing: Partial<Record<NodeTypeName, string[]>> = {
        Account: [foreign.account.id, missingIdLike(own.account.id)],
        User: [foreign.members[0]!.id, own.removed.id, missingIdLike(own.admin.id)],
        NotificationDelivery: [
          [...foreignObjects.values()].find((object) => object.__typename === "NotificationDelivery")!.id as string,
          missingIdLike(ownIdOfType.get("NotificationDelivery")!),
        ],
        AccountInvitation: [foreign.invitationId, missingIdLike(own.invitationId)],
        WebhookEndpoint: [
          [...foreignObjects.values()].find((object) => object.__typename === "WebhookEndpoint")!.id as string,
          missingIdLike(ownIdOfType.get("WebhookEndpoint")!),
        ],
      };
      for (const field of inputFields().filter((candidate) => candidate.kind === "id")) {
        const ids = likeMissing[ID_FIELD_TYPES[field.path.at(-1)!]!]!;
        for (const base of baseInputs().filter((candidate) => candidate.mutation === field.mutation)) {
          for (const place of placesOf(base.input, field.path)) {
            const answers: GraphQLResponse[] = [];
            for (const value of ids) {
              const { variables, expected, listPath } = withValue(base.input, place, value, field.list);
              const response = await send(field.mutation, variables);
              const label = `${field.mutation} ${expected} = ${value}`;
              if (response.errors?.[0]?.extensions?.code === "BAD_USER_INPUT") refusedOn(response, expected, listPath, label);
              else if (response.errors) failsWith(response, "NOT_FOUND");
              answers.push(response);
            }
            const shapes = answers.map((response) => ({
              data: response.data,
              errors: response.errors?.map(({ message, extensions }) => ({ message, extensions })),
            }));
            for (const shape of shapes.slice(1)) expect(shape, `${field.mutation} ${place.join(".")}`).to.deep.equal(shapes[0]);
          }
        }
      }
      // Nothing above changed the account.
      expect(await readAccount(server, own.admin.token, own.account.id)).to.deep.equal(own.account);
    });

    it("refuses a bad address in any email input with BAD_USER_INPUT naming its input path", async () => {
      const bad = [
        "not an email",
        "x@",
        "@example.com",
        "a b@example.com",
        "ünïcode@example.com",
        "a@example",
        `${"a".repeat(321)}@example.com`,
        "a@exa_mple.com",
      ];
      const fields = inputFields().filter((candidate) => candidate.kind === "email");
      expect(fields.length).to.be.greaterThan(0);
      for (const field of fields) {
        for (const base of baseInputs().filter((candidate) => candidate.mutation === field.mutation)) {
          for (const place of placesOf(base.input, field.path)) {
            for (const value of bad) {
              const { variables, expected } = withValue(base.input, place, value, false);
              refusedOn(await send(field.mutation, variables), expected, null, `${field.mutation} ${expected} = ${JSON.stringify(value)}`);
            }
          }
        }
      }
    });
  });

  describe("connections", () => {
    interface Edge {
      cursor: string;
      node: { id: string };
    }
    interface Page {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
      edges: Edge[];
      nodes: { id: string }[];
    }
    interface PageArgs {
      first?: number;
      after?: string;
      last?: number;
      before?: string;
    }
    interface Connection {
      name: string;
      onAccount: boolean;
    }

    /** Every connection on Query and on Account, found by its type's name. */
    function connections(): Connection[] {
      const isConnection = (field: GraphQLField<unknown, unknown>) => getNamedType(field.type).name.endsWith("Connection");
      const account = schema.getType("Account") as GraphQLObjectType;
      return [
        ...Object.values(schema.getQueryType()!.getFields())
          .filter(isConnection)
          .map((field) => ({ name: field.name, onAccount: false })),
        ...Object.values(account.getFields())
          .filter(isConnection)
          .map((field) => ({ name: field.name, onAccount: true })),
      ];
    }

    let pager: TestUser;
    let accountId: string;

    before(async () => {
      pager = await signIn(server, `pager-${Math.random().toString(36).slice(2, 8)}@example.com`, "Pager");
      const accounts: AccountState[] = [];
      for (const name of ["P1", "P2", "P3", "P4", "P5"]) accounts.push(await createAccount(server, pager, name));
      accountId = accounts[0]!.id;
      const members: TestUser[] = [];
      for (let index = 0; index < 4; index++)
        members.push(await addMember(server, pager, accountId, `pager-${index}-${Math.random().toString(36).slice(2, 8)}@example.com`));
      for (const member of members.slice(0, 3))
        ok(await mutate(server, pager.token, "addBillingContact", { accountId, userId: member.id }));
      ok(await mutate(server, pager.token, "setRoleContact", { accountId, role: "DECISION_MAKER", userId: members[3]!.id }));
      for (const category of ["INVOICE", "RENEWAL"]) ok(await server.graphql(SEND, { input: { accountId, category } }, pager.token));
      for (const locale of ["PL", "EN", "PL", "EN", "PL"]) ok(await mutate(server, pager.token, "updateAccount", { accountId, locale }));
      const invite = (token: string, account: string, email: string) =>
        server.graphql(
          `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
          { input: { accountId: account, email } },
          token,
        );
      for (let index = 0; index < 5; index++)
        ok(await invite(pager.token, accountId, `pager-invited-${index}-${Math.random().toString(36).slice(2, 8)}@example.com`));
      // Five accounts of someone else invite the pager: the pager's own list of invitations.
      const inviter = await signIn(server, `pager-inviter-${Math.random().toString(36).slice(2, 8)}@example.com`);
      for (const name of ["I1", "I2", "I3", "I4", "I5"])
        ok(await invite(inviter.token, (await createAccount(server, inviter, name)).id, pager.email));
    });

    const SELECTION = `totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } nodes { id }`;

    function pageRequest(connection: Connection, args: PageArgs) {
      const call = `${connection.name}(first: $first, after: $after, last: $last, before: $before) { ${SELECTION} }`;
      const variables = "$first: Int, $after: String, $last: Int, $before: String";
      const document = connection.onAccount
        ? `query($id: ID!, ${variables}) { account(id: $id) { ${call} } }`
        : `query(${variables}) { ${call} }`;
      return server.graphql(document, { ...args, ...(connection.onAccount ? { id: accountId } : {}) }, pager.token);
    }

    async function page(connection: Connection, args: PageArgs): Promise<Page> {
      const data = ok(await pageRequest(connection, args));
      return connection.onAccount ? data.account[connection.name] : data[connection.name];
    }

    /** Asserts `actual` is the items `start` to `end` (exclusive) of the whole list, with the pageInfo that window has. */
    function expectWindow(actual: Page, all: Page, start: number, end: number, label: string) {
      const edges = all.edges.slice(start, end);
      expect(actual.edges, label).to.deep.equal(edges);
      expect(actual.nodes, label).to.deep.equal(edges.map((edge) => edge.node));
      expect(actual.totalCount, label).to.equal(all.edges.length);
      expect(actual.pageInfo, label).to.deep.equal({
        hasPreviousPage: start > 0,
        hasNextPage: end < all.edges.length,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      });
    }

    it("finds the five connections of 1.0 on Query and Account", () => {
      expect(connections().map((connection) => connection.name)).to.include.members([
        "accounts",
        "accountsNeedingAttention",
        "members",
        "contactHistory",
        "notificationDeliveries",
      ]);
    });

    it("reads every connection backwards (last/before) as the same items and cursors as forwards (first/after), with pageInfo right at both ends", async () => {
      for (const connection of connections()) {
        const all = await page(connection, { first: 100 });
        const count = all.edges.length;
        expect(count, `${connection.name} needs items to page through`).to.be.at.least(5);
        expectWindow(all, all, 0, count, `${connection.name} first: 100`);
        expectWindow(await page(connection, { last: 100 }), all, 0, count, `${connection.name} last: 100`);
        expectWindow(await page(connection, { first: 2 }), all, 0, 2, `${connection.name} first: 2`);
        expectWindow(await page(connection, { last: 2 }), all, count - 2, count, `${connection.name} last: 2`);
        for (const [index, { cursor }] of all.edges.entries()) {
          const forward = await page(connection, { first: 2, after: cursor });
          expectWindow(forward, all, index + 1, Math.min(count, index + 3), `${connection.name} first: 2 after #${index}`);
          const backward = await page(connection, { last: 2, before: cursor });
          expectWindow(backward, all, Math.max(0, index - 2), index, `${connection.name} last: 2 before #${index}`);
        }

        // Walking the whole list each way gives the same items, the backward pages in reverse order.
        const forwardPages: Edge[][] = [];
        for (
          let current = await page(connection, { first: 2 });
          ;
          current = await page(connection, { first: 2, after: current.pageInfo.endCursor! })
        ) {
          forwardPages.push(current.edges);
          if (!current.pageInfo.hasNextPage) break;
        }
        const backwardPages: Edge[][] = [];
        for (
          let current = await page(connection, { last: 2 });
          ;
          current = await page(connection, { last: 2, before: current.pageInfo.startCursor! })
        ) {
          backwardPages.push(current.edges);
          if (!current.pageInfo.hasPreviousPage) break;
        }
        expect(forwardPages.flat(), connection.name).to.deep.equal(all.edges);
        expect(backwardPages.reverse().flat(), connection.name).to.deep.equal(all.edges);
      }
    });

    it("refuses first with last, first or last outside 1..100, and a cursor it did not issue with BAD_USER_INPUT on that argument", async () => {
      const accountCursor = Buffer.from(JSON.stringify(["not-a-date", "x"])).toString("base64url");
      const badCursors = [
        "",
        "garbage!",
        "not-a-cursor",
        own.account.id,
        accountCursor,
        Buffer.from("[1,2,3,4,5]").toString("base64url"),
        Buffer.from("{}").toString("base64url"),
        "a".repeat(600),
      ];
      const cases: [PageArgs, string[]][] = [
        [{ first: 2, last: 2 }, ["first", "last"]],
        [{ first: 0 }, ["first"]],
        [{ first: 101 }, ["first"]],
        [{ last: 0 }, ["last"]],
        [{ last: -1 }, ["last"]],
        [{ last: 101 }, ["last"]],
        ...badCursors.flatMap((cursor): [PageArgs, string[]][] => [
          [{ after: cursor }, ["after"]],
          [{ first: 2, after: cursor }, ["after"]],
          [{ before: cursor }, ["before"]],
          [{ last: 2, before: cursor }, ["before"]],
        ]),
      ];
      for (const connection of connections()) {
        for (const [args, allowed] of cases) {
          const label = `${connection.name}(${JSON.stringify(args)})`;
          const fields = invalidFields(failsWith(await pageRequest(connection, args), "BAD_USER_INPUT")).map((entry) => entry.field);
          expect(fields, label).to.not.deep.equal([]);
          for (const field of fields) expect(allowed, `${label}: invalidFields ${JSON.stringify(fields)}`).to.include(field);
        }
      }
    });
  });

  describe("removing oneself", () => {
    const REMOVE = `mutation($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) { account { id } removedUserId } }`;

    it("answers account: null and removedUserId with no error, and the removal is committed", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "self");
      const leaving = await addMember(
        server,
        admin,
        account.id,
        `self-leaving-${Math.random().toString(36).slice(2, 8)}@example.com`,
        "ADMIN",
      );
      const response = await server.graphql(REMOVE, { input: { accountId: account.id, userId: leaving.id } }, leaving.token);
      expect({ status: response.status, data: response.data, errors: response.errors }).to.deep.equal({
        status: 200,
        data: { removeAccountMember: { account: null, removedUserId: leaving.id } },
        errors: undefined,
      });

      failsWith(await server.graphql(REMOVE, { input: { accountId: account.id, userId: leaving.id } }, leaving.token), "NOT_FOUND");
      const lookup = await server.graphql(`query($id: ID!) { account(id: $id) { id } }`, { id: account.id }, leaving.token);
      expect(lookup.data).to.deep.equal({ account: null });
      failsWith(lookup, "NOT_FOUND");
      const members = ok(
        await server.graphql(`query($id: ID!) { account(id: $id) { members { nodes { user { id } } } } }`, { id: account.id }, admin.token),
      );
      expect(members.account.members.nodes.map((member: Json) => member.user.id)).to.deep.equal([admin.id]);
    });

    it("lets the primary contact remove themselves by handing their slots to another admin", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "self-primary");
      const successor = await addMember(
        server,
        admin,
        account.id,
        `self-successor-${Math.random().toString(36).slice(2, 8)}@example.com`,
        "ADMIN",
      );
      const response = await server.graphql(
        REMOVE,
        { input: { accountId: account.id, userId: admin.id, reassignTo: successor.id } },
        admin.token,
      );
      expect({ status: response.status, data: response.data, errors: response.errors }).to.deep.equal({
        status: 200,
        data: { removeAccountMember: { account: null, removedUserId: admin.id } },
        errors: undefined,
      });
      const state = await readAccount(server, successor.token, account.id);
      expect(state.primaryContact.id).to.equal(successor.id);
      failsWith(
        await server.graphql(REMOVE, { input: { accountId: account.id, userId: admin.id, reassignTo: successor.id } }, admin.token),
        "NOT_FOUND",
      );
      // The one admin left cannot leave in turn.
      failsWith(await server.graphql(REMOVE, { input: { accountId: account.id, userId: successor.id } }, successor.token), "LAST_ADMIN");
    });
  });
});
