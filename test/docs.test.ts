import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import { buildSchema, isInterfaceType, isObjectType, isUnionType, type GraphQLSchema } from "graphql";
import { ErrorCode } from "../src/errors";
import { MIGRATIONS } from "../src/database";

const ROOT = path.resolve(__dirname, "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");

/** The lines of a markdown section, from its heading to the next heading of the same or a higher level. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.trim() === heading);
  expect(start, `no heading "${heading}"`).to.be.greaterThan(-1);
  const level = heading.indexOf(" ");
  const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line) && line.indexOf(" ") <= level);
  return lines.slice(start, end < 0 ? undefined : end).join("\n");
}

/** Every `possibleTypes` entry written as `Name: ["A", "B"]` in a file. */
function possibleTypesIn(text: string): Map<string, string[]> {
  const block = /possibleTypes:\s*{([\s\S]*?)\n\s*},/.exec(text);
  expect(block, "no possibleTypes block").to.not.equal(null);
  const entries = new Map<string, string[]>();
  for (const [, name, list] of block![1]!.matchAll(/(\w+):\s*\[([^\]]*)\]/g)) {
    entries.set(
      name!,
      [...list!.matchAll(/"(\w+)"/g)].map((match) => match[1]!),
    );
  }
  return entries;
}

/** What possibleTypes must say: every interface and union with its object types, from the schema. */
function abstractTypes(schema: GraphQLSchema): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (isInterfaceType(type) || isUnionType(type))
      entries.set(
        type.name,
        schema
          .getPossibleTypes(type)
          .map((object) => object.name)
          .sort(),
      );
  }
  return entries;
}

describe("facts in the docs, checked against the code", () => {
  const schema = buildSchema(read("schema.graphql"));
  const frontend = read("docs/frontend.md");
  const version = (JSON.parse(read("package.json")) as { version: string }).version;
  const [major, minor] = version.split(".");

  it("gives the API version package.json has, in the README, docs/frontend.md and the CHANGELOG's latest release", () => {
    expect(/API version: \*\*(\d+\.\d+)\*\*/.exec(frontend)?.[1], "docs/frontend.md").to.equal(`${major}.${minor}`);
    expect(/The schema is at version (\d+\.\d+)/.exec(read("README.md"))?.[1], "README.md").to.equal(`${major}.${minor}`);
    const released = [...read("CHANGELOG.md").matchAll(/^## (\d+\.\d+\.\d+)\s*$/gm)].map((match) => match[1]);
    expect(released[0], "CHANGELOG.md's latest release").to.equal(version);
  });

  it("lists every Node type in docs/frontend.md's prose and possibleTypes, and in the settings app's, as the schema has them", () => {
    const expected = abstractTypes(schema);
    const nodeTypes = expected.get("Node")!;
    const ids = section(frontend, "## Ids and `node`").split("\n\n")[1]!;
    expect(
      [...ids.matchAll(/`(\w+)`/g)]
        .map((match) => match[1])
        .filter((name) => name !== "Node" && name !== "id")
        .sort(),
      "the Node list",
    ).to.deep.equal(nodeTypes);
    for (const file of ["docs/frontend.md", "examples/settings-app/src/apollo.ts"]) {
      const listed = possibleTypesIn(read(file));
      for (const [name, types] of listed) expect([...types].sort(), `${file}: possibleTypes.${name}`).to.deep.equal(expected.get(name));
      expect([...listed.keys()].sort(), `${file}: the abstract types in possibleTypes`).to.deep.equal([...expected.keys()].sort());
    }
  });

  it("describes every migration the service applies in docs/operations.md's migration table, in order", () => {
    const applied = MIGRATIONS.map((migration) => new migration().name!.replace(/^(\w+?)(\d{13})$/, "$2-$1"));
    const table = [...read("docs/operations.md").matchAll(/^\| `(\d{13}-\w+)` \|/gm)].map((match) => match[1]);
    expect(table).to.deep.equal(applied);
  });

  it("documents every error code the server sends in docs/frontend.md's error table", () => {
    const table = section(frontend, "### Errors: what the screen should show");
    const documented = new Set(
      [...table.matchAll(/^\| (.*?) \|/gm)].flatMap((row) => [...row[1]!.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]!)),
    );
    for (const code of Object.values(ErrorCode)) expect(documented.has(code), `${code} is not in the error table`).to.equal(true);
  });

  it("has a row for every mutation, and no other, in docs/frontend.md's payload table", () => {
    const mutations = Object.keys(schema.getMutationType()!.getFields()).sort();
    const table = section(frontend, "## Mutations and payloads");
    const named = [...table.matchAll(/^\| (.*?) \|/gm)].flatMap((row) => [...row[1]!.matchAll(/`(\w+)`/g)].map((match) => match[1]!));
    expect([...new Set(named)].sort()).to.deep.equal(mutations);
    for (const mutation of mutations) {
      const payload = schema.getMutationType()!.getFields()[mutation]!.type.toString().replace(/!$/, "");
      expect(isObjectType(schema.getType(payload)), `${mutation} answers a payload object`).to.equal(true);
    }
  });
});
