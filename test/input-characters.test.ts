import { expect } from "chai";
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
} from "graphql";
import { ENTITIES } from "../src/database";
import { rowIdOf } from "../src/common/global-id";
import { startTestServer, tokenFor, type GraphQLResponse, type TestServer } from "./helpers/server";
import { accountWithMembers, ok, readAccount, type AccountState, type TestUser } from "./helpers/factories";

/*
 * Hostile characters in every name and email the API takes, read from the running server's schema
 * so an input added later is covered without touching this file: every mutation and query argument
 * (and every field of every input object under it) named like a name or an email is sent NUL, ESC,
 * line breaks, bidi controls and the email forms that name one mailbox twice. Each must be refused
 * with BAD_USER_INPUT naming that field, and nothing may be written. The token's claims get the
 * same values: a bad email claim is refused, a bad name claim is cleaned before it is stored.
 */

const HOSTILE_NAMES = [
  "\u0000",
  "Mallory\u0000",
  "Mallory\u001b[2J",
  "Mallory\r\nBcc: everyone@evil.example",
  "Mallory\n",
  "Mallory\r",
  "Mallory\tAdmin",
  "Mallory\u007f",
  "Mallory\u0085",
  "Mallory\u202egnp.exe",
  "\u2066Mallory\u2069",
  "Mallory\u2028",
  "Mallory\ud800",
  "Mallory\u200f",
  "\u061cMallory",
  "Mallory\u200b",
  "Mallory\ufeff",
  "Mallory\u{e0041}\u{e0064}\u{e006d}",
  "Mallory\ufff9note\ufffb",
  "Mallory\uffff",
];

const HOSTILE_EMAILS = [
  "mallory\u0000@example.com",
  "mallory@example.com\u0000",
  "mallory\u001b@example.com",
  "mallory@example.com\r\nBcc: everyone@evil.example",
  "mallory\n@example.com",
  "mallory@example.com\n",
  `"mallory"@example.com`,
  "mallory..x@example.com",
  ".mallory@example.com",
  "mallory.@example.com",
  "mallory@exam\u202eple.com",
];

/** Characters no stored name may hold. */
const FORBIDDEN_IN_NAMES = /[\p{Cc}\p{Cs}\u2028\u2029\uffff]|(?![\u200c\u200d])\p{Cf}/u;
/** Characters only the generated values below put in strings, so any odd one in a response came from a test value. */
// biome-ignore-start lint/suspicious/noControlCharactersInRegex: control characters are what this looks for.
const ODD_CHARACTERS =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800\u200b\u200f\u061c\ufeff\ufff9-\ufffb\uffff]|\u{e0041}/u;
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: control characters are what this looks for.

/** Where a value sits in a root field's arguments: `["input", "roleContacts", "[]", "email"]`. */
type Path = string[];

interface StringInput {
  operation: "query" | "mutation";
  field: GraphQLField<unknown, unknown>;
  path: Path;
  /** The name of the argument or input field that holds the string. */
  leaf: string;
  /** Its type's name: String or ID. */
  type: string;
}

interface World {
  account: AccountState;
  member: TestUser;
}

function stringLeaves(
  type: GraphQLInputType,
  path: Path,
  leaf: string,
  seen: Set<GraphQLNamedType>,
): { path: Path; leaf: string; type: string }[] {
  const inner = getNullableType(type);
  if (isListType(inner)) return stringLeaves(inner.ofType, [...path, "[]"], leaf, seen);
  if (isInputObjectType(inner)) {
    if (seen.has(inner)) return [];
    const nested = new Set(seen).add(inner);
    return Object.values(inner.getFields()).flatMap((field) => stringLeaves(field.type, [...path, field.name], field.name, nested));
  }
  if (isScalarType(inner) && (inner.name === "String" || inner.name === "ID")) return [{ path, leaf, type: inner.name }];
  return [];
}

/** Every String and ID a root field takes, at any depth of its input objects. */
function stringInputs(server: TestServer): StringInput[] {
  const schema = server.app.schema;
  const roots = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
  ] as const;
  return roots.flatMap(([operation, root]) =>
    Object.values(root?.getFields() ?? {}).flatMap((field) =>
      field.args.flatMap((arg) => stringLeaves(arg.type, [arg.name], arg.name, new Set()).map((leaf) => ({ operation, field, ...leaf }))),
    ),
  );
}

/** A value for a leaf that passes validation, so only the value under test can be refused. */
function validLeaf(type: GraphQLNamedType, name: string, world: World): unknown {
  if (isEnumType(type)) return type.getValues()[0]!.value;
  switch (type.name) {
    case "ID":
      return name === "id" || /account/i.test(name) ? world.account.id : world.member.id;
    case "Int":
      if (/version/i.test(name)) return world.account.contactsVersion;
      return /first|last/i.test(name) ? 5 : 1;
    case "Boolean":
      return true;
    case "String":
      if (/email/i.test(name)) return "someone.new@example.com";
      if (/token/i.test(name)) return "a-token-nobody-was-sent";
      return "A Valid Name";
    default:
      return "valid";
  }
}

/** A value for an argument: required fields filled validly, and `bad` placed at `rest` of the path. */
function valueAlong(type: GraphQLInputType, name: string, rest: Path, bad: string | undefined, world: World): unknown {
  const inner = getNullableType(type);
  if (rest.length === 0 && bad !== undefined) return bad;
  if (isListType(inner)) return [valueAlong(inner.ofType, name, rest.slice(1), bad, world)];
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      if (rest[0] === field.name) value[field.name] = valueAlong(field.type, field.name, rest.slice(1), bad, world);
      else if (isNonNullType(field.type) && field.defaultValue === undefined)
        value[field.name] = valueAlong(field.type, field.name, [], undefined, world);
    }
    return value;
  }
  return validLeaf(getNamedType(inner), name, world);
}

function argumentValues(args: readonly GraphQLArgument[], path: Path, bad: string, world: World): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg.name === path[0]) values[arg.name] = valueAlong(arg.type, arg.name, path.slice(1), bad, world);
    else if (isNonNullType(arg.type) && arg.defaultValue === undefined)
      values[arg.name] = valueAlong(arg.type, arg.name, [], undefined, world);
  }
  return values;
}

function selectionOf(field: GraphQLField<unknown, unknown>): string {
  return isLeafType(getNamedType(field.type)) ? "" : "{ __typename }";
}

/** The operation calling `field` with every argument as a variable of its own type. */
function documentFor(operation: string, field: GraphQLField<unknown, unknown>, values: Record<string, unknown>): string {
  const args = field.args.filter((arg) => arg.name in values);
  const declared = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const passed = args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  return `${operation}${declared ? `(${declared})` : ""} { ${field.name}${passed ? `(${passed})` : ""} ${selectionOf(field)} }`;
}

/** The fields named in a BAD_USER_INPUT error: `invalidFields[].field` (each entry with a message). */
function refusedFields(response: GraphQLResponse): string[] {
  const extensions = response.errors?.[0]?.extensions ?? {};
  const listed: { field?: unknown; message?: unknown }[] = Array.isArray(extensions.invalidFields) ? extensions.invalidFields : [];
  return listed
    .filter((entry) => typeof entry.field === "string" && typeof entry.message === "string" && entry.message !== "")
    .map((entry) => entry.field as string);
}

/** Every row of every table, to show a refused request wrote nothing anywhere. */
async function everyRow(server: TestServer): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const entity of ENTITIES) {
    const table = server.db.dataSource.getMetadata(entity).tableName;
    const rows: Record<string, unknown>[] = await server.db.read((m) => m.query(`SELECT * FROM "${table}"`));
    tables[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return tables;
}

describe("hostile characters in names and emails", function () {
  this.timeout(120_000);
  let server: TestServer;
  let world: World;
  let admin: TestUser;
  let inputs: StringInput[];

  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    const setup = await accountWithMembers(server, 1, "characters");
    admin = setup.admin;
    world = { account: await readAccount(server, admin.token, setup.account.id), member: setup.members[0]! };
    inputs = stringInputs(server);
  });
  after(() => server.close());

  const nameInputs = () => inputs.filter((input) => input.type === "String" && /name/i.test(input.leaf));
  const emailInputs = () => inputs.filter((input) => input.type === "String" && /email/i.test(input.leaf));

  it("finds the name and email inputs of the API in the schema", () => {
    const described = (list: StringInput[]) => list.map((input) => `${input.field.name}(${input.path.join(".")})`);
    expect(described(nameInputs())).to.include.members(["createAccount(input.name)", "addAccountMember(input.name)"]);
    expect(described(emailInputs())).to.include.members([
      "addAccountMember(input.email)",
      "setRoleContact(input.email)",
      "saveAccountContacts(input.roleContacts.[].email)",
    ]);
  });

  for (const [kind, values, targets] of [
    ["name", HOSTILE_NAMES, nameInputs],
    ["email", HOSTILE_EMAILS, emailInputs],
  ] as const) {
    it(`refuses NUL, ESC, line breaks and the rest in every ${kind} input with BAD_USER_INPUT naming the field, and writes nothing`, async () => {
      const before = await everyRow(server);
      const problems: string[] = [];
      for (const input of targets()) {
        for (const bad of values) {
          const variables = argumentValues(input.field.args, input.path, bad, world);
          const response = await server.graphql(documentFor(input.operation, input.field, variables), variables, admin.token);
          const label = `${input.field.name}(${input.path.join(".")}) ${JSON.stringify(bad)}`;
          const code = response.errors?.[0]?.extensions?.code;
          const fields = refusedFields(response);
          const names = new RegExp(`(^|\\.)${input.leaf}$`);
          if (response.errors?.length !== 1 || code !== "BAD_USER_INPUT" || !fields.some((field) => names.test(field))) {
            problems.push(`${label}: ${JSON.stringify(response.errors ?? response.data)}`);
          } else if (ODD_CHARACTERS.test(response.errors[0]!.message)) {
            problems.push(`${label}: the message repeats the value: ${JSON.stringify(response.errors[0]!.message)}`);
          }
        }
      }
      expect(problems, problems.join("\n")).to.deep.equal([]);
      expect(await everyRow(server)).to.deep.equal(before);
    });
  }

  it("never answers INTERNAL_SERVER_ERROR for a hostile String or ID anywhere in any argument", async () => {
    const hostile = ["\u0000", "x\u0000y", "\u001b", "\r\n", "\ud800", "\u202e"];
    const nested = nestedStringArguments(server);
    const problems: string[] = [];
    for (const input of inputs) {
      for (const bad of hostile) {
        const variables = argumentValues(input.field.args, input.path, bad, world);
        const response = await server.graphql(documentFor(input.operation, input.field, variables), variables, admin.token);
        const codes = (response.errors ?? []).map((error) => error.extensions?.code);
        if (response.status >= 500 || codes.includes("INTERNAL_SERVER_ERROR"))
          problems.push(`${input.field.name}(${input.path.join(".")}) ${JSON.stringify(bad)}: ${JSON.stringify(response)}`);
      }
    }
    for (const probe of nested) {
      for (const bad of hostile) {
        const response = await server.graphql(probe.document, { ...probe.variables(world), bad }, admin.token);
        const codes = (response.errors ?? []).map((error) => error.extensions?.code);
        if (response.status >= 500 || codes.includes("INTERNAL_SERVER_ERROR"))
          problems.push(`${probe.name} ${JSON.stringify(bad)}: ${JSON.stringify(response)}`);
      }
    }
    expect(server.logged, server.logged.map(String).join("\n")).to.deep.equal([]);
    expect(problems, problems.join("\n")).to.deep.equal([]);
    expect(nested.map((probe) => probe.name)).to.include.members(["account.members(after)", "viewer.contactSlots(accountId)"]);
  });

  it("refuses a token whose email claim holds any of them, and creates no user", async () => {
    const before = await everyRow(server);
    for (const email of HOSTILE_EMAILS) {
      const response = await server.graphql("{ viewer { id } }", {}, await tokenFor(email));
      expect(response.errors?.[0]?.extensions?.code, JSON.stringify(email)).to.equal("UNAUTHENTICATED");
    }
    expect(await everyRow(server)).to.deep.equal(before);
  });

  it("cleans a token's name claim of them before storing it, or ignores a name with nothing left", async () => {
    const stored: Record<string, string | null> = {};
    for (const [index, name] of HOSTILE_NAMES.entries()) {
      const email = `claim-${index}@characters.example`;
      const viewer = ok(await server.graphql("{ viewer { id name } }", {}, await tokenFor(email, name))).viewer;
      const [row] = await server.db.read((m) =>
        m.query(`SELECT "name" FROM "users" WHERE "id" = ${server.db.driver === "sqlite" ? "?" : "$1"}`, [
          rowIdOf(viewer.id, "User", "id"),
        ]),
      );
      expect(row.name, JSON.stringify(name)).to.equal(viewer.name);
      if (viewer.name !== null) expect(FORBIDDEN_IN_NAMES.test(viewer.name), JSON.stringify(viewer.name)).to.equal(false);
      stored[name] = viewer.name;
    }
    expect(stored["\u0000"]).to.equal(null);
    expect(stored["Mallory\r\nBcc: everyone@evil.example"]).to.equal("Mallory Bcc: everyone@evil.example");
    expect(stored["Mallory\u202egnp.exe"]).to.equal("Mallorygnp.exe");
    expect(stored["Mallory\u001b[2J"]).to.equal("Mallory [2J");
  });

  it("keeps the joiners emoji and scripts need, and a subdivision flag's tags, in names", async () => {
    for (const name of [
      "Rodzina \u{1f468}\u200d\u{1f469}\u200d\u{1f467}",
      "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645",
      "\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} Alba",
    ]) {
      const response = await server.graphql(
        `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { name } } }`,
        { input: { name } },
        admin.token,
      );
      expect(ok(response).createAccount.account.name, JSON.stringify(name)).to.equal(name);
    }
  });
});

interface NestedProbe {
  name: string;
  document: string;
  variables: (world: World) => Record<string, unknown>;
}

/**
 * String and ID arguments of the fields one level below a query root field that has a valid
 * target (`account(id:)`, `viewer`): `account { members(after:) }`, `viewer { contactSlots(accountId:) }`.
 */
function nestedStringArguments(server: TestServer): NestedProbe[] {
  const query = server.app.schema.getQueryType()!;
  const probes: NestedProbe[] = [];
  for (const root of Object.values(query.getFields())) {
    const type = getNamedType(root.type);
    if (!isObjectType(type)) continue;
    const rootArgs = root.args.filter((arg) => isNonNullType(arg.type));
    if (rootArgs.some((arg) => !isScalarType(getNamedType(arg.type)))) continue;
    for (const field of Object.values(type.getFields())) {
      for (const arg of field.args) {
        const named = getNamedType(arg.type);
        if (!isScalarType(named) || (named.name !== "String" && named.name !== "ID")) continue;
        const declared = [...rootArgs.map((rootArg) => `$${rootArg.name}: ${String(rootArg.type)}`), `$bad: ${named.name}!`];
        const others = field.args.filter((other) => other !== arg && isNonNullType(other.type) && other.defaultValue === undefined);
        const otherValues = (world: World) =>
          Object.fromEntries(others.map((other) => [`o_${other.name}`, valueAlong(other.type, other.name, [], undefined, world)]));
        declared.push(...others.map((other) => `$o_${other.name}: ${String(other.type)}`));
        const passed = [`${arg.name}: $bad`, ...others.map((other) => `${other.name}: $o_${other.name}`)].join(", ");
        const rootPassed = rootArgs.map((rootArg) => `${rootArg.name}: $${rootArg.name}`).join(", ");
        probes.push({
          name: `${root.name}.${field.name}(${arg.name})`,
          document: `query(${declared.join(", ")}) { ${root.name}${rootPassed ? `(${rootPassed})` : ""} { ${field.name}(${passed}) ${selectionOf(field)} } }`,
          variables: (world) => ({
            ...Object.fromEntries(rootArgs.map((rootArg) => [rootArg.name, valueAlong(rootArg.type, rootArg.name, [], undefined, world)])),
            ...otherValues(world),
          }),
        });
      }
    }
  }
  return probes;
}
