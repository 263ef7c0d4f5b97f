import { expect } from "chai";
import {
  execute,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  GraphQLUnionType,
  parse,
  type ExecutionResult,
} from "graphql";
import { CompiledExecution } from "../src/common/compiled-execution";
import { Context } from "../src/context";
import { createLoaders } from "../src/modules";
import { globalId } from "../src/common/global-id";
import { identifyCaller } from "../src/security/callers";
import { VerifiedTokens } from "../src/auth/token-cache";
import { startTestServer, tokenFor, type GraphQLResponse, type TestServer } from "./helpers/server";
import { accountWithMembers, mutate, ok, type TestUser } from "./helpers/factories";

/*
 * Queries and mutations run compiled by graphql-jit. Where its answers could differ from graphql-js's
 * (variables that do not fit, abstract types, null propagation, errors' paths, locations and
 * extensions), each case is sent twice, compiled on first use and then taken from the cache, and
 * checked against what graphql-js answers for the same document.
 */

type Json = Record<string, any>;

describe("compiled execution", () => {
  let server: TestServer;
  let admin: TestUser;
  let accountId: string;
  let memberIds: string[];

  before(async () => {
    server = await startTestServer();
    const created = await accountWithMembers(server, 2, "jit");
    admin = created.admin;
    accountId = created.account.id;
    memberIds = created.members.map((member) => member.id);
  });
  after(() => server.close());

  /**
   * The response, sent twice: both must be the same, and both must have run compiled; variables that do
   * not fit are answered by graphql-js (`ranOn: "interpreted"`).
   */
  async function twice(
    query: string,
    variables: Json = {},
    token: string | null = admin.token,
    ranOn: "compiled" | "interpreted" = "compiled",
  ): Promise<GraphQLResponse> {
    const runs = { ...server.app.execution.runs };
    const first = await server.graphql(query, variables, token);
    const second = await server.graphql(query, variables, token);
    expect(second).to.deep.equal(first);
    expect(server.app.execution.runs[ranOn] - runs[ranOn], `runs ${ranOn}`).to.equal(2);
    return first;
  }

  /** What graphql-js's own `execute` gives for the document on the server's schema, as the same caller, before Apollo formats errors. */
  async function interpreted(query: string, variables: Json, token: string): Promise<ExecutionResult> {
    const caller = await identifyCaller(new VerifiedTokens(server.config), `Bearer ${token}`);
    const context = new Context(
      server.db,
      createLoaders,
      caller,
      server.app.outbox,
      "127.0.0.1",
      server.config.defaultLocale,
      undefined,
      server.config.webhooks,
    );
    return execute({ schema: server.app.schema, document: parse(query), variableValues: variables, contextValue: context });
  }

  it("compiles each document once and answers it from the cache afterwards", async () => {
    const query = `query CacheProbe($id: ID!) { account(id: $id) { id name } }`;
    const before = server.app.execution.size;
    const runs = server.app.execution.runs.compiled;
    const answers = [];
    for (let turn = 0; turn < 3; turn++) answers.push(ok(await server.graphql(query, { id: accountId }, admin.token)));
    expect(server.app.execution.size).to.equal(before + 1);
    expect(server.app.execution.runs.compiled).to.equal(runs + 3);
    expect(answers[2]).to.deep.equal({ account: { id: accountId, name: "Test Account" } });
  });

  describe("variables that do not fit their types", () => {
    it("refuses a missing required variable with 400 and BAD_USER_INPUT, as graphql-js words it", async () => {
      const response = await twice(`query($id: ID!) { account(id: $id) { id } }`, {}, admin.token, "interpreted");
      expect(response.status).to.equal(400);
      expect(response.data).to.equal(undefined);
      expect(response.errors).to.deep.equal([
        {
          message: 'Variable "$id" of required type "ID!" was not provided.',
          locations: [{ line: 1, column: 7 }],
          extensions: { code: "BAD_USER_INPUT" },
        },
      ]);
    });

    it("refuses a value of the wrong type, and an unknown enum value, with 400 and BAD_USER_INPUT", async () => {
      const wrongType = await twice(
        `query($id: ID!, $first: Int) { account(id: $id) { members(first: $first) { totalCount } } }`,
        {
          id: accountId,
          first: "ten",
        },
        admin.token,
        "interpreted",
      );
      expect(wrongType.status).to.equal(400);
      expect(wrongType.errors).to.have.lengthOf(1);
      expect(wrongType.errors![0]!.message).to.equal(
        'Variable "$first" got invalid value "ten"; Int cannot represent non-integer value: "ten"',
      );
      expect(wrongType.errors![0]!.extensions).to.deep.equal({ code: "BAD_USER_INPUT" });

      const unknownEnum = await twice(
        `query($id: ID!, $category: NotificationCategory!) { account(id: $id) { notificationRecipients(category: $category) { email } } }`,
        { id: accountId, category: "NOT_A_CATEGORY" },
        admin.token,
        "interpreted",
      );
      expect(unknownEnum.status).to.equal(400);
      expect(unknownEnum.errors![0]!.message).to.match(/^Variable "\$category" got invalid value "NOT_A_CATEGORY"/);
      expect(unknownEnum.errors![0]!.extensions).to.deep.equal({ code: "BAD_USER_INPUT" });
    });
  });

  describe("abstract types", () => {
    const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) {
      __typename id
      ... on Account { name }
      ... on User { email }
      ... on AccountMember { memberRole: role user { id } }
      ... on ContactRole { role isExternal }
    } }`;

    it("resolves node and nodes to each object's own type, as graphql-js does", async () => {
      const ids = [accountId, memberIds[0]!, globalId("ContactRole", "no-such-account", "DECISION_MAKER"), admin.id];
      const response = await twice(NODES, { ids });
      expect(response.data!.nodes.map((node: Json | null) => node?.__typename ?? null)).to.deep.equal(["Account", "User", null, "User"]);
      expect(response.data!.nodes[0]).to.deep.equal({ __typename: "Account", id: accountId, name: "Test Account" });
      const reference = await interpreted(NODES, { ids }, admin.token);
      expect(response.data).to.deep.equal(JSON.parse(JSON.stringify(reference.data)));
      expect(response.errors!.map((error) => error.path)).to.deep.equal(reference.errors!.map((error) => error.path));

      const one = await twice(`query($id: ID!) { node(id: $id) { __typename ... on User { email } } }`, { id: memberIds[1]! });
      expect(ok(one)).to.deep.equal({ node: { __typename: "User", email: ok(one).node.email } });
      expect(ok(one).node.email).to.match(/^jit1-/);
    });

    it("resolves the union ContactChangeActor of the contact history", async () => {
      const query = `query($id: ID!) { account(id: $id) { contactHistory(first: 5) { nodes { changedBy { __typename ... on User { id } ... on ExternalContact { email } } } } } }`;
      const response = await twice(query, { id: accountId });
      const actors = ok(response).account.contactHistory.nodes.map((node: Json) => node.changedBy);
      expect(actors).to.not.be.empty;
      for (const actor of actors) expect(actor).to.deep.equal({ __typename: "User", id: admin.id });
      const reference = await interpreted(query, { id: accountId }, admin.token);
      expect(ok(response)).to.deep.equal(JSON.parse(JSON.stringify(reference.data)));
    });

    it("refuses, at start-up, a union or interface whose type is resolved asynchronously", () => {
      const A = new GraphQLObjectType({ name: "A", fields: { a: { type: GraphQLString } } });
      const B = new GraphQLObjectType({ name: "B", fields: { b: { type: GraphQLString } } });
      const AOrB = new GraphQLUnionType({ name: "AOrB", types: [A, B], resolveType: async () => "A" });
      const schema = new GraphQLSchema({ query: new GraphQLObjectType({ name: "Query", fields: { either: { type: AOrB } } }) });
      expect(() => new CompiledExecution(schema)).to.throw(/AOrB to resolve its type synchronously/);
    });
  });

  describe("errors", () => {
    it("nulls the nearest nullable parent of a failed non-null field, with the error's path, location and code", async () => {
      const query = `query($id: ID!) {
  account(id: $id) { id members(first: 500) { totalCount } }
}`;
      const response = await twice(query, { id: accountId });
      expect(response.status).to.equal(200);
      expect(response.data).to.deep.equal({ account: null });
      expect(response.errors).to.have.lengthOf(1);
      const [error] = response.errors as Json[];
      expect(error!.path).to.deep.equal(["account", "members"]);
      expect(error!.locations).to.deep.equal([{ line: 2, column: 25 }]);
      expect(error!.extensions!.code).to.equal("BAD_USER_INPUT");
      const reference = await interpreted(query, { id: accountId }, admin.token);
      expect(reference.data).to.deep.equal({ account: null });
      expect(reference.errors!.map((each) => each.path)).to.deep.equal([["account", "members"]]);
    });

    it("nulls the whole answer when a non-null root field fails", async () => {
      const response = await twice(`{ viewer { id } accounts(first: 0) { totalCount } }`);
      expect(response.data).to.equal(null);
      expect(response.errors!.map((error) => [error.path, error.extensions!.code])).to.deep.equal([[["accounts"], "BAD_USER_INPUT"]]);
    });

    it("names the refused field of a mutation's input in invalidFields, under input.", async () => {
      const response = await mutate(server, admin.token, "setPrimaryContact", { accountId, userId: "not-an-id" });
      const again = await mutate(server, admin.token, "setPrimaryContact", { accountId, userId: "not-an-id" });
      expect(again.errors).to.deep.equal(response.errors);
      expect(response.data).to.deep.equal({ setPrimaryContact: null });
      expect(response.errors).to.have.lengthOf(1);
      const [error] = response.errors!;
      expect(error!.path).to.deep.equal(["setPrimaryContact"]);
      expect(error!.extensions!.code).to.equal("BAD_USER_INPUT");
      expect(error!.extensions!.invalidFields.map((field: Json) => field.field)).to.deep.equal(["input.userId"]);
    });

    it("runs type-graphql's @Authorized check, which signs a new caller up on first sight", async () => {
      const token = await tokenFor("jit-newcomer@example.com", "Newcomer");
      const response = await twice(`{ viewer { email name } }`, {}, token);
      expect(ok(response)).to.deep.equal({ viewer: { email: "jit-newcomer@example.com", name: "Newcomer" } });
    });
  });

  describe("the cache of compiled documents", () => {
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: "Query",
        fields: { hello: { type: new GraphQLNonNull(GraphQLString), args: {}, resolve: () => "world" } },
      }),
    });

    it("holds at most maxDocuments, dropping the least recently used", async () => {
      const execution = new CompiledExecution(schema, 3);
      const run = (alias: string) => {
        const text = `{ ${alias}: hello }`;
        const document = parse(text);
        const operation = document.definitions[0] as Parameters<CompiledExecution["execute"]>[0]["operation"];
        return execution.execute({
          document,
          operation,
          operationName: undefined,
          queryHash: text,
          variables: undefined,
          contextValue: {},
        });
      };
      for (let index = 0; index < 50; index++) {
        expect(await run(`a${index}`)).to.deep.equal({ data: { [`a${index}`]: "world" } });
        expect(execution.size).to.be.at.most(3);
      }
      expect(execution.size).to.equal(3);
    });

    it("keeps each operation of a document apart", async () => {
      const execution = new CompiledExecution(schema, 10);
      const text = "query One { one: hello } query Two { two: hello }";
      const document = parse(text);
      const [one, two] = document.definitions as Parameters<CompiledExecution["execute"]>[0]["operation"][];
      const common = { document, queryHash: text, variables: undefined, contextValue: {} };
      expect(await execution.execute({ ...common, operation: one!, operationName: "One" })).to.deep.equal({ data: { one: "world" } });
      expect(await execution.execute({ ...common, operation: two!, operationName: "Two" })).to.deep.equal({ data: { two: "world" } });
      expect(execution.size).to.equal(2);
    });
  });
});
