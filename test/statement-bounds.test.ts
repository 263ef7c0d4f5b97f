import { expect } from "chai";
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  Kind,
  parse,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLObjectType,
  type OperationDefinitionNode,
} from "graphql";
import { Database } from "../src/database";
import { freshDatabaseUrl, startTestServer, type TestServer } from "./helpers/server";
import { addMember, createAccount, mutate, ok, signIn, type TestUser } from "./helpers/factories";
import { StatementCounter } from "./helpers/statement-counter";
import { measureOperation } from "../src/security/cost";
import { NODE_TYPE_NAMES } from "../src/common/global-id";
import { ADD_WEBHOOK_ENDPOINT, attemptWebhookDeliveries, LOCAL_WEBHOOKS_ENV } from "./helpers/webhooks";

/*
 * The cost limit bounds the work of a request only if no field runs a statement per parent: every
 * field is batched across the items of the list it sits in. This walks every field of every object
 * type the schema lets a client reach (read from the running server's schema, so a field added later
 * is covered), asks for it under a list of LIST_SIZE accounts (or members, or history rows, …) and
 * under a list of one, and counts the statements each request sends: the two must be the same, give
 * or take SLACK. `nodes(ids:)` is walked the same way with ids of every type. Runs on SQLite and,
 * under `npm run test:postgres`, on PostgreSQL.
 */

const ACCOUNTS = 6;
const LIST_SIZE = ACCOUNTS;
/** Statements a request may add when its lists hold more items: none, but a batch split by timing. */
const SLACK = 1;
/** How far below Query the walk goes: every object type is reached within it. */
const MAX_ROUTE_DEPTH = 6;

/** How a query reaches an object type from the root: `open(selection, size)` wraps a selection on that type. */
interface Route {
  type: GraphQLObjectType;
  open(selection: string, size: number): string;
  /** True when some list on the way holds several items at size > 1. */
  inList: boolean;
  depth: number;
}

interface Seeded {
  server: TestServer;
  counter: StatementCounter;
  admin: TestUser;
  accountIds: string[];
}

async function seed(): Promise<Seeded> {
  const counter = new StatementCounter();
  const db = await Database.open({ databaseUrl: await freshDatabaseUrl(), logger: counter });
  const server = await startTestServer({ db, env: { MUTATION_RATE_LIMIT: "0", MAX_QUERY_COST: "1000000", ...LOCAL_WEBHOOKS_ENV } });
  const admin = await signIn(server, "walker@example.com", "Walker");
  const accountIds: string[] = [];
  for (let index = 0; index < ACCOUNTS; index++) {
    const account = await createAccount(server, admin, `Walked ${index}`);
    const first = await addMember(server, admin, account.id, `walked${index}-a@example.com`);
    const second = await addMember(server, admin, account.id, `walked${index}-b@example.com`);
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: first.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "TECHNICAL_ADMIN", userId: second.id }));
    ok(
      await mutate(server, admin.token, "setRoleContact", {
        accountId: account.id,
        role: "SECURITY",
        email: `outside${index}@example.org`,
      }),
    );
    // Two webhook endpoints nothing listens at: the language change below gives each a failed attempt.
    for (const path of ["/a", "/b"]) {
      ok(
        await server.graphql(
          ADD_WEBHOOK_ENDPOINT,
          { input: { accountId: account.id, url: `http://127.0.0.1:9${path}`, eventTypes: ["SETTINGS"] } },
          admin.token,
        ),
      );
    }
    ok(await mutate(server, admin.token, "updateAccount", { accountId: account.id, locale: "PL" }));
    ok(
      await server.graphql(
        `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { deliveries { id } } }`,
        { input: { accountId: account.id, category: "SECURITY" } },
        admin.token,
      ),
    );
    accountIds.push(account.id);
  }
  await attemptWebhookDeliveries(db);
  return { server, counter, admin, accountIds };
}

/** Literal arguments for a field: page sizes from `size`, the first value of a required enum, an account id for `accountId`; null when a required one cannot be made. */
function argumentsOf(field: GraphQLField<unknown, unknown>, size: number, accountId: string): string | null {
  const parts: string[] = [];
  for (const arg of field.args) {
    if (arg.name === "first") parts.push(`first: ${size}`);
    else if (!isNonNullType(arg.type) || arg.defaultValue !== undefined) continue;
    else if (isEnumType(getNamedType(arg.type))) {
      const values = (getNamedType(arg.type) as GraphQLEnumType).getValues();
      parts.push(`${arg.name}: ${values[0]!.name}`);
    } else if (arg.name === "accountId") parts.push(`accountId: "${accountId}"`);
    else return null;
  }
  return parts.length ? `(${parts.join(", ")})` : "";
}

const isPaged = (field: GraphQLField<unknown, unknown>) => field.args.some((arg) => arg.name === "first");
const returnsList = (field: GraphQLField<unknown, unknown>) => isListType(getNullableType(field.type)) || isPaged(field);

/** The shortest route to every object type reachable from Query, through a list where there is one. */
function routes(query: GraphQLObjectType, accountId: string): Map<string, Route> {
  const found = new Map<string, Route>();
  const queue: Route[] = [{ type: query, open: (selection) => `{ ${selection} }`, inList: false, depth: 0 }];
  const seen = new Set<string>();
  while (queue.length) {
    const route = queue.shift()!;
    const known = found.get(route.type.name);
    if (!known || (!known.inList && route.inList)) found.set(route.type.name, route);
    if (route.depth >= MAX_ROUTE_DEPTH) continue;
    for (const field of Object.values(route.type.getFields())) {
      // node/nodes return an interface; they are walked on their own below.
      const target = getNamedType(field.type);
      if (!isObjectType(target) || isInterfaceType(target)) continue;
      if (route.type === query && field.name === "account") continue; // one account: the list routes reach it
      const inList = route.inList || returnsList(field);
      const key = `${target.name}:${inList}`;
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({
        type: target,
        inList,
        depth: route.depth + 1,
        open: (selection, size) => route.open(`${field.name}${argumentsOf(field, size, accountId) ?? ""} { ${selection} }`, size),
      });
    }
  }
  return found;
}

describe("statements per request, field by field", function () {
  this.timeout(300_000);
  let seeded: Seeded;

  before(async () => {
    seeded = await seed();
  });
  after(() => seeded?.server.close());
  afterEach(() => expect(seeded.server.logged).to.deep.equal([]));

  async function statements(query: string, variables: Record<string, unknown> = {}): Promise<number> {
    const { result, statements } = await seeded.counter.during(() => seeded.server.graphql(query, variables, seeded.admin.token));
    ok(result);
    return statements;
  }

  function costOf(query: string, variables: Record<string, unknown> = {}): number {
    const document = parse(query);
    const operation = document.definitions.find(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    )!;
    return measureOperation(seeded.server.app.schema, document, operation, variables)!.cost;
  }

  it(`asks for every field of every reachable type under a list of ${LIST_SIZE} and of 1: the statements do not grow`, async () => {
    const schema = seeded.server.app.schema;
    const found = routes(schema.getQueryType()!, seeded.accountIds[0]!);
    const growing: string[] = [];
    let fields = 0;
    // Warm up: the caller's user record and token are looked at once.
    await statements("{ viewer { id } }");
    for (const route of found.values()) {
      if (!route.inList) continue;
      for (const field of Object.values(route.type.getFields())) {
        const args = argumentsOf(field, 2, seeded.accountIds[0]!);
        if (args === null) continue;
        const named = getNamedType(field.type);
        const selection = `${field.name}${args}${isObjectType(named) || isInterfaceType(named) || isUnionType(named) ? " { __typename }" : ""}`;
        const one = await statements(route.open(selection, 1));
        const many = await statements(route.open(selection, LIST_SIZE));
        fields++;
        if (many > one + SLACK)
          growing.push(
            `${route.type.name}.${field.name}: ${one} statements under a list of 1, ${many} under ${LIST_SIZE} (cost ${costOf(route.open(selection, LIST_SIZE))})`,
          );
      }
    }
    expect(fields, "fields walked").to.be.above(60);
    expect(growing, "fields that run statements per parent").to.deep.equal([]);
  });

  it("reaches every type that implements Node through a list", () => {
    const found = routes(seeded.server.app.schema.getQueryType()!, seeded.accountIds[0]!);
    const unreached = NODE_TYPE_NAMES.filter((name) => !found.get(name)?.inList);
    expect(unreached).to.deep.equal([]);
  });

  it("finds objects of every type by nodes(ids:) in the same statements for one id of each type as for many", async () => {
    const ids = new Map<string, string[]>();
    const data = ok(
      await seeded.server.graphql<{ accounts: { nodes: Record<string, any>[] } }>(
        `{ accounts(first: ${ACCOUNTS}) { nodes { id members { nodes { id user { id } } } roleContacts { id verification { id } }
          contactHistory { nodes { id } } notificationDeliveries { nodes { id } } settingChanges { nodes { id } }
          webhookEndpoints { id deliveries { nodes { id } } } } } }`,
        {},
        seeded.admin.token,
      ),
    );
    const add = (id: string | undefined) => {
      if (!id) return;
      const type = Buffer.from(id, "base64url").toString("utf8").split(":")[0]!;
      ids.set(type, [...(ids.get(type) ?? []), id]);
    };
    for (const account of data.accounts.nodes) {
      add(account.id);
      for (const member of account.members.nodes) {
        add(member.id);
        add(member.user.id);
      }
      for (const role of account.roleContacts) {
        add(role.id);
        add(role.verification?.id);
      }
      for (const list of [account.contactHistory, account.notificationDeliveries, account.settingChanges])
        for (const row of list.nodes) add(row.id);
      for (const endpoint of account.webhookEndpoints) {
        add(endpoint.id);
        for (const delivery of endpoint.deliveries.nodes) add(delivery.id);
      }
    }
    expect([...ids.keys()]).to.include.members([
      "Account",
      "AccountMember",
      "User",
      "ContactRole",
      "ContactVerification",
      "ContactChange",
      "NotificationDelivery",
      "AccountSettingChange",
      "WebhookEndpoint",
      "WebhookDelivery",
    ]);
    // Two ids at least: which memberships and users the request has already read depends on the first.
    const query = (list: string[]) => `{ nodes(ids: [${list.map((id) => `"${id}"`).join(", ")}]) { id __typename } }`;
    const growing: string[] = [];
    for (const [type, list] of ids) {
      const few = await statements(query(list.slice(0, 2)));
      const many = await statements(query(list.slice(0, LIST_SIZE * 2)));
      if (many > few + SLACK) growing.push(`${type}: ${few} statements for 2 ids, ${many} for ${Math.min(list.length, LIST_SIZE * 2)}`);
    }
    const every = (count: number) => [...ids.values()].flatMap((list) => list.slice(0, count));
    const few = await statements(query(every(2)));
    // As many of each as nodes(ids:) takes at once (100 ids).
    const each = Math.min(LIST_SIZE * 2, Math.floor(100 / ids.size));
    const many = await statements(query(every(each)));
    if (many > few + SLACK) growing.push(`every type at once: ${few} statements for 2 ids of each, ${many} for ${each}`);
    expect(growing).to.deep.equal([]);
  });

  it("answers the two attacks that used to run thousands of statements in a handful", async () => {
    const history = ok(
      await seeded.server.graphql<{ accounts: { nodes: { settingChanges: { nodes: { id: string }[] } }[] } }>(
        `{ accounts(first: ${ACCOUNTS}) { nodes { settingChanges { nodes { id } } } } }`,
        {},
        seeded.admin.token,
      ),
    );
    const settingIds = history.accounts.nodes.flatMap((account) => account.settingChanges.nodes.map((change) => change.id));
    const hundred = Array.from({ length: 100 }, (_, index) => settingIds[index % settingIds.length]);
    const nodes = `query($ids: [ID!]!) { ${Array.from({ length: 30 }, (_, index) => `a${index}: nodes(ids: $ids) { id }`).join(" ")} }`;
    const deliveries = `{ ${Array.from({ length: 30 }, (_, index) => `a${index}: accounts(first: 100) { nodes { notificationDeliveries { totalCount } } }`).join(" ")} }`;
    for (const [attack, variables] of [
      [nodes, { ids: hundred }],
      [deliveries, {}],
    ] as const) {
      const cost = costOf(attack, variables);
      const count = await statements(attack, variables);
      // Each alias reads its list in at most two statements, whatever the items; the rest are shared.
      expect(count, `cost ${cost}`).to.be.at.most(2 * 30 + 6);
      expect(count, `cost ${cost}`).to.be.at.most(cost);
      console.log(`      ${attack.slice(0, 50)}…: cost ${cost}, ${count} statements`);
    }
  });
});
