import { expect } from "chai";
import { getNamedType, isObjectType, isInterfaceType, isUnionType, type GraphQLNamedType, type GraphQLSchema } from "graphql";
import { getMetadataStorage } from "type-graphql";
import { createSchema } from "../src/schema";
import { startTestServer, type TestServer } from "./helpers/server";

/*
 * Sign-in is checked once, on the root field, rather than again on every field below it: everything
 * an anonymous caller can reach hangs off the few root fields that need no sign-in. These tests hold
 * that list, and what those fields can lead to, to what they are now: a new public root field, or a
 * path from a public one to account data, fails here until it is looked at.
 */

const PUBLIC_ROOT_FIELDS = ["declineContactEmail", "verifyContactEmail"];
/** The object types an anonymous caller can reach, through the public root fields. */
const PUBLIC_TYPES = ["ContactVerification", "DeclineContactEmailPayload", "VerifyContactEmailPayload"];

/** The root fields (queries and mutations) without `@Authorized()`. */
function publicRootFields(): string[] {
  const storage = getMetadataStorage();
  const authorized = new Set(storage.authorizedFields.map((field) => `${field.target.name}.${field.fieldName}`));
  return [...storage.queries, ...storage.mutations]
    .filter((handler) => !authorized.has(`${handler.target.name}.${handler.methodName}`))
    .map((handler) => handler.schemaName)
    .sort();
}

/** Every object type reachable from the named root fields' results. */
function reachableTypes(schema: GraphQLSchema, rootFields: string[]): string[] {
  const seen = new Set<string>();
  const visit = (type: GraphQLNamedType) => {
    if (seen.has(type.name)) return;
    if (isUnionType(type)) {
      type.getTypes().forEach(visit);
      return;
    }
    if (!isObjectType(type) && !isInterfaceType(type)) return;
    seen.add(type.name);
    if (isInterfaceType(type)) schema.getPossibleTypes(type).forEach(visit);
    for (const field of Object.values(type.getFields())) visit(getNamedType(field.type));
  };
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const [name, field] of Object.entries(root?.getFields() ?? {})) if (rootFields.includes(name)) visit(getNamedType(field.type));
  }
  return [...seen].sort();
}

describe("sign-in checked on the root fields", () => {
  let schema: GraphQLSchema;
  let server: TestServer;
  before(async () => {
    schema = await createSchema();
    server = await startTestServer();
  });
  after(() => server.close());

  it("needs a signed-in caller on every root field but the public ones", () => {
    expect(publicRootFields()).to.deep.equal(PUBLIC_ROOT_FIELDS);
  });

  it("leads from the public root fields to no type that holds account or user data", () => {
    expect(reachableTypes(schema, PUBLIC_ROOT_FIELDS)).to.deep.equal(PUBLIC_TYPES);
  });

  it("refuses an anonymous caller on a root field before any field below it runs", async () => {
    for (const query of [
      "{ viewer { id email } }",
      "{ accounts(first: 1) { edges { node { id name } } } }",
      `{ node(id: "QWNjb3VudDox") { id } }`,
      "{ accountsNeedingAttention(first: 1) { totalCount } }",
    ]) {
      const response = await server.graphql(query, {});
      expect(response.data ?? null, query).to.satisfy(
        (data: Record<string, unknown> | null) => data === null || Object.values(data).every((value) => value === null),
      );
      expect(
        response.errors?.map((error) => error.extensions?.code),
        query,
      ).to.deep.equal(["UNAUTHENTICATED"]);
    }
  });
});
