import fs from "node:fs";
import { expect } from "chai";
import {
  buildSchema,
  getNamedType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  lexicographicSortSchema,
  printSchema,
  type GraphQLSchema,
} from "graphql";
import { createSchema, SCHEMA_FILE } from "../src/schema";
import { Database, ENTITIES } from "../src/database";
import { freshDatabaseUrl } from "./helpers/server";

describe("schema", () => {
  it("matches the checked-in schema.graphql (run `npm run schema` after changing the API)", async () => {
    const checkedIn = fs.readFileSync(SCHEMA_FILE, "utf8");
    // Types are emitted in the order their modules were first loaded, which other test files change: compare them sorted.
    const sorted = (schema: GraphQLSchema) => printSchema(lexicographicSortSchema(schema));
    expect(sorted(buildSchema(checkedIn))).to.equal(sorted(await createSchema()));
  });

  it("documents every type and field for GraphiQL's docs explorer", async () => {
    const schema = await createSchema();
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__") || ["String", "Boolean", "Int", "Float", "ID"].includes(type.name)) continue;
      // The root types carry no description of their own; their fields do.
      if (!type.description && !["Query", "Mutation", "Subscription"].includes(type.name)) missing.push(type.name);
      if ("getFields" in type) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) missing.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it("follows the conventions: Node ids, one input and one nullable payload per mutation, Relay connections", async () => {
    const schema = await createSchema();
    const problems: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith("__")) continue;
      const id = type.getFields().id;
      if (id && !type.getInterfaces().some((node) => node.name === "Node"))
        problems.push(`${type.name} has an id but does not implement Node`);
      if (type.name.endsWith("Connection")) {
        const fields = type.getFields();
        for (const name of ["edges", "nodes", "pageInfo", "totalCount"]) if (!fields[name]) problems.push(`${type.name} has no ${name}`);
      }
    }
    const pageInfo = schema.getType("PageInfo");
    expect(isObjectType(pageInfo) && Object.keys(pageInfo.getFields())).to.deep.equal([
      "hasNextPage",
      "hasPreviousPage",
      "startCursor",
      "endCursor",
    ]);
    for (const field of Object.values(schema.getMutationType()!.getFields())) {
      const typeName = `${field.name[0]!.toUpperCase()}${field.name.slice(1)}`;
      const args = field.args.map((arg) => `${arg.name}: ${arg.type}`);
      if (args.join() !== `input: ${typeName}Input!`)
        problems.push(`${field.name}(${args.join(", ")}) does not take one input: ${typeName}Input!`);
      // Nullable (2.0): a refused mutation answers null in its own field, and the others keep theirs.
      if (isNonNullType(field.type) || getNamedType(field.type).name !== `${typeName}Payload`)
        problems.push(`${field.name} returns ${field.type}, not ${typeName}Payload`);
    }
    for (const name of ["account", "node"]) {
      const field = schema.getQueryType()!.getFields()[name]!;
      if (isNonNullType(field.type)) problems.push(`Query.${name} is not nullable`);
    }
    expect(isInterfaceType(schema.getType("Node"))).to.equal(true);
    expect(problems).to.deep.equal([]);
  });

  it("migrates an empty database to exactly the tables and columns the entities declare", async () => {
    const db = await Database.open({ databaseUrl: await freshDatabaseUrl() });
    try {
      await db.migrate();
      const runner = db.dataSource.createQueryRunner();
      try {
        for (const entity of ENTITIES) {
          const metadata = db.dataSource.getMetadata(entity);
          const table = await runner.getTable(metadata.tableName);
          expect(table, metadata.tableName).to.not.equal(undefined);
          const actual = table!.columns.map((column) => `${column.name}:${column.isNullable ? "null" : "not null"}`).sort();
          const declared = metadata.columns.map((column) => `${column.databaseName}:${column.isNullable ? "null" : "not null"}`).sort();
          expect(actual, metadata.tableName).to.deep.equal(declared);
          const primary = table!.columns
            .filter((column) => column.isPrimary)
            .map((column) => column.name)
            .sort();
          expect(primary, `${metadata.tableName} primary key`).to.deep.equal(
            metadata.primaryColumns.map((column) => column.databaseName).sort(),
          );
          for (const index of metadata.indices) {
            expect(
              table!.indices.map((candidate) => candidate.name),
              metadata.tableName,
            ).to.include(index.name);
          }
        }
      } finally {
        await runner.release();
      }
    } finally {
      await db.close();
    }
  });
});
