import { expect } from "chai";
import {
  astFromValue,
  getNamedType,
  getNullableType,
  isEnumType,
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
} from "graphql";
import { startTestServer, tokenFor, TEST_JWT_SECRET, type GraphQLResponse, type TestServer } from "./helpers/server";
import { accountWithMembers, addMember, createAccount, mutate, ok, readAccount, signIn, type AccountState, type TestUser } from "./helpers/factories";

/*
 * Tenant isolation, for every Query and Mutation field the schema has (read from the running
 * server's schema, so a field added later is covered without touching this file). Each field is
 * called with arguments that point at another tenant's account and users, asking for everything its
 * result type offers, by an outsider (a signed-in member of another account), an anonymous caller and
 * a caller with a token signed by someone else. Each must be refused, and no id, email or name of the
 * target account may appear anywhere in any answer.
 */

/** Refusals an outsider may get for a field aimed at another tenant's account. */
const OUTSIDER_REFUSALS = ["NOT_FOUND", "FORBIDDEN"];
/** Refusals a caller without a valid token may get. */
const ANONYMOUS_REFUSALS = ["UNAUTHENTICATED", "NOT_FOUND"];
/** Fields of the contract that always need a signed-in caller. */
const ALWAYS_SIGNED_IN = ["Query.viewer", "Query.accounts", "Query.account", "Mutation.createAccount", "Mutation.addAccountMember"];
/** How deep the generated selection goes below each root field: deep enough to reach users in pages. */
const SELECTION_DEPTH = 5;

interface Target {
  account: AccountState;
  admin: TestUser;
  members: TestUser[];
  externalEmail: string;
  /** Everything of the target account that must never reach an outsider. */
  secrets: string[];
  /** What to type into names and other free text. */
  text?: string;
}

/** A value for an input of this type and name, aimed at the target account. */
function valueFor(type: GraphQLInputType, name: string, target: Target, required: boolean): unknown {
  const inner = getNullableType(type);
  if (isListType(inner)) return [valueFor(inner.ofType, name, target, true)];
  if (isEnumType(inner)) return inner.getValues()[0]!.value;
  if (isInputObjectType(inner)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(inner.getFields())) {
      // Required fields, and every id: a field that names something names the target's.
      const isId = getNamedType(field.type).name === "ID";
      if (isNonNullType(field.type) || isId) value[field.name] = valueFor(field.type, field.name, target, isNonNullType(field.type));
    }
    return value;
  }
  if (!required && !isScalarType(inner)) return undefined;
  switch (isScalarType(inner) ? inner.name : "") {
    case "ID":
      // `id` and anything about an account name the account; every other id names one of its members.
      return name === "id" || /account/i.test(name) ? target.account.id : target.members[0]!.id;
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

/** `(a: 1, b: "x")` with generated values for the arguments, required ones always, ids always. */
function argumentsFor(args: readonly GraphQLArgument[], target: Target): { text: string; aimsAtTarget: boolean } {
  let aimsAtTarget = false;
  const parts: string[] = [];
  for (const arg of args) {
    const required = isNonNullType(arg.type);
    const value = valueFor(arg.type, arg.name, target, required);
    if (value === undefined || (!required && arg.defaultValue !== undefined && getNamedType(arg.type).name !== "ID")) continue;
    const literal = astFromValue(value, arg.type);
    if (!literal) continue;
    const text = print(literal);
    if (text.includes(target.account.id) || target.members.some((member) => text.includes(member.id) || text.includes(member.email))) aimsAtTarget = true;
    parts.push(`${arg.name}: ${text}`);
  }
  return { text: parts.length ? `(${parts.join(", ")})` : "", aimsAtTarget };
}

/**
 * Every field of the type, `depth` objects deep, each with generated arguments. Nested fields that
 * take ids (`User.contactSlots(accountId:)`, say) are aimed at the target too when `nestedIds` is set;
 * otherwise they are left out, so their refusal does not blank out the rest of the answer.
 */
function selectionFor(type: GraphQLOutputType, depth: number, target: Target, nestedIds: boolean): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return "";
  if (!isObjectType(named) || depth === 0) return "{ __typename }";
  const parts = ["__typename"];
  for (const field of Object.values(named.getFields())) {
    const args = argumentsFor(field.args, target);
    if (args.aimsAtTarget && !nestedIds) continue;
    if (isLeafType(getNamedType(field.type))) parts.push(`${field.name}${args.text}`);
    else if (depth > 1) parts.push(`${field.name}${args.text} ${selectionFor(field.type, depth - 1, target, nestedIds)}`);
  }
  return `{ ${parts.join(" ")} }`;
}

interface Probe {
  name: string;
  field: string;
  document: string;
  /** The root field's own arguments name the target: it must be refused. */
  aimsAtTarget: boolean;
  /** Nested fields' arguments name the target too: only checked for leaks. */
  nested: boolean;
}

function probesFor(server: TestServer, target: Target): Probe[] {
  const schema = server.app.schema;
  const roots = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
  ] as const;
  return roots.flatMap(([operation, root]) =>
    Object.values(root?.getFields() ?? {}).flatMap((field: GraphQLField<unknown, unknown>) => {
      const { text, aimsAtTarget } = argumentsFor(field.args, target);
      const probe = (nested: boolean): Probe => ({
        name: `${root!.name}.${field.name}${nested ? " (nested ids)" : ""}`,
        field: field.name,
        document: `${operation} { ${field.name}${text} ${selectionFor(field.type, SELECTION_DEPTH, target, nested)} }`,
        aimsAtTarget,
        nested,
      });
      const plain = probe(false);
      const nested = probe(true);
      return nested.document === plain.document ? [plain] : [plain, nested];
    }),
  );
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

function leaks(text: string, secrets: string[]): string[] {
  const lower = text.toLowerCase();
  return secrets.filter((secret) => lower.includes(secret.toLowerCase()));
}

describe("tenant isolation across every field of the schema", function () {
  this.timeout(60_000);
  let server: TestServer;
  let target: Target;
  let outsider: TestUser;
  let probes: Probe[];
  const matrix: Record<string, Record<string, string>> = {};

  before(async () => {
    // Generated selections ask for everything at once: only the size limits are raised here.
    server = await startTestServer({ env: { MAX_QUERY_TOKENS: "100000", MAX_QUERY_COST: "1000000", MAX_QUERY_ALIASES: "1000", MUTATION_RATE_LIMIT: "0" } });
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
    const current = await readAccount(server, admin.token, account.id);
    target = {
      account: current,
      admin,
      members,
      externalEmail,
      secrets: [current.id, current.name, "Zephyrine Admin", externalEmail, ...[admin, ...members].flatMap((user) => [user.id, user.email])],
    };
    outsider = (await accountWithMembers(server, 1, "outsider")).admin;
    probes = probesFor(server, target);
  });

  after(async () => {
    const callers = ["outsider", "anonymous", "forged token"];
    const fields = new Set(probes.map((probe) => probe.field)).size;
    console.log(`      isolation matrix: ${fields} root fields (${probes.length} probes) × ${callers.length} callers`);
    for (const [field, row] of Object.entries(matrix)) console.log(`        ${field.padEnd(36)} ${callers.map((caller) => `${caller}: ${row[caller] ?? "-"}`).join("  ")}`);
    await server.close();
  });

  it("covers every root field of the contract, and aims the ones that take ids at the target", () => {
    const names = probes.map((probe) => probe.name);
    expect(names).to.include.members([
      "Query.viewer", "Query.accounts", "Query.account",
      "Mutation.createAccount", "Mutation.addAccountMember", "Mutation.removeAccountMember", "Mutation.setPrimaryContact",
      "Mutation.addBillingContact", "Mutation.removeBillingContact", "Mutation.setRoleContact", "Mutation.clearRoleContact",
    ]);
    for (const name of ["Query.account", "Mutation.setPrimaryContact", "Mutation.addAccountMember"]) {
      expect(probes.find((probe) => probe.name === name)!.aimsAtTarget, name).to.equal(true);
    }
  });

  it("shows the target's own admin its data (the leak check can see a leak)", async () => {
    const probe = probes.find((candidate) => candidate.name === "Query.account (nested ids)")!;
    const { body, text } = await send(server, probe.document, target.admin.token);
    ok(body);
    expect(leaks(text, target.secrets)).to.include.members([target.account.id, target.account.name, target.members[0]!.email, target.externalEmail]);
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
        const mustRefuse = !probe.nested && (probe.aimsAtTarget || (caller.name !== "outsider" && ALWAYS_SIGNED_IN.includes(probe.name)));
        if (!mustRefuse) continue;
        const allowed = caller.name === "outsider" ? OUTSIDER_REFUSALS : ANONYMOUS_REFUSALS;
        if (rootData !== null || !codes.length || !codes.every((code) => allowed.includes(code))) {
          problems.push(`${probe.name}: expected one of ${allowed.join("/")}, got ${codes.join(",") || "data"}`);
        }
      }
      expect(problems, problems.join("\n")).to.deep.equal([]);
    });
  }

  it("left the target account exactly as it was", async () => {
    const after = await readAccount(server, target.admin.token, target.account.id);
    expect(after).to.deep.equal(target.account);
    const members = ok(await server.graphql(`query($id: ID!) { account(id: $id) { members { totalCount } } }`, { id: target.account.id }, target.admin.token));
    expect(members.account.members.totalCount).to.equal(3);
  });
});

/*
 * Cross-tenant effects through shared records: users belong to many accounts, so whatever an admin
 * of account A can write about a person must stay in A. Mallory, an admin of A, adds B's members to A
 * under crafted names and emails written differently, makes them contacts, removes and re-adds them,
 * and runs every mutation of the schema aimed at them; then everything B's members see about B and
 * about themselves must be exactly as before, and nothing Mallory gets back may show what B knows.
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
  /** What B's admin typed or set that account A must never learn. */
  let secretsOfB: string[];
  /** Every query aimed at B, and `viewer`, as the schema offers them. */
  let probesOfB: Probe[];
  let viewBefore: Record<string, Record<string, string>>;
  /** Every answer Mallory got. */
  const answersToA: string[] = [];

  const addNamed = (token: string, accountId: string, email: string, name?: string | null, role = "MEMBER") =>
    server.graphql(
      `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { id name members(first: 100) { edges { node { role displayName user { id email name } } } } } }`,
      { input: { accountId, email, ...(name === undefined ? {} : { name }), role } },
      token,
    );

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
  const malloryMutates = (mutation: string, inputType: string, input: Record<string, unknown>) =>
    asMallory(`mutation($input: ${inputType}!) { ${mutation}(input: $input) { id name members(first: 100) { edges { node { displayName user { id email name } } } } } }`, { input });

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
    const data = ok(await server.graphql(`query($id: ID!) { account(id: $id) { members(first: 100) { edges { node { displayName user { email name } } } } } }`, { id: accountId }, token));
    return Object.fromEntries(
      (data.account.members.edges as { node: { displayName: string | null; user: { email: string; name: string | null } } }[]).map(({ node }) => [
        node.user.email,
        { displayName: node.displayName, name: node.user.name },
      ]),
    );
  };

  before(async () => {
    server = await startTestServer({ env: { MAX_QUERY_TOKENS: "100000", MAX_QUERY_COST: "1000000", MAX_QUERY_ALIASES: "1000", MUTATION_RATE_LIMIT: "0" } });
    bob = await signIn(server, "bob@b.example", "Bob Builder");
    accountB = await createAccount(server, bob, "Bobco Holdings B");
    carol = await addMember(server, bob, accountB.id, "carol@b.example");
    ok(await addNamed(bob.token, accountB.id, "dave@b.example", "Dave from B"));
    const daveId = (await server.db.read((m) => m.query(`SELECT "id" FROM "users" WHERE "email" = 'dave@b.example'`)))[0].id as string;
    dave = { id: daveId, email: "dave@b.example", token: "" };
    ok(await mutate(server, bob.token, "addBillingContact", { accountId: accountB.id, userId: carol.id }));
    ok(await mutate(server, bob.token, "setRoleContact", { accountId: accountB.id, role: "TECHNICAL_ADMIN", userId: dave.id }));
    ok(await mutate(server, bob.token, "setRoleContact", { accountId: accountB.id, role: "DECISION_MAKER", userId: carol.id }));
    ok(await mutate(server, bob.token, "setRoleContact", { accountId: accountB.id, role: "SECURITY", email: "sec-b@b-partners.example" }));
    accountB = await readAccount(server, bob.token, accountB.id);
    secretsOfB = [accountB.id, accountB.name, "Dave from B", "sec-b@b-partners.example"];
    const targetB: Target = { account: accountB, admin: bob, members: [carol, dave], externalEmail: "sec-b@b-partners.example", secrets: secretsOfB };
    // Being added to another account lists that account among one's own (`accounts`), by design: only what is about B is compared.
    probesOfB = probesFor(server, targetB).filter((probe) => probe.document.startsWith("query") && (probe.aimsAtTarget || probe.field === "viewer"));

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
    expect(Object.values(viewBefore["bob@b.example"]!).join("\n")).to.contain("Dave from B").and.contain("Bob Builder").and.contain("sec-b@b-partners.example");
  });

  it("adds B's members to A under crafted names without showing A what B calls them", async () => {
    const added = [
      await addNamed(mallory.token, accountA.id, " BOB@B.Example ", CRAFTED, "ADMIN"),
      await addNamed(mallory.token, accountA.id, "carol@b.example", "Carol (left - use billing@evil.example)"),
      await addNamed(mallory.token, accountA.id, "dave@b.example"),
    ];
    for (const response of added) answersToA.push(JSON.stringify(response));
    const names = Object.fromEntries(
      (ok(added[2]!).addAccountMember.members.edges as { node: { displayName: string | null; user: { email: string; name: string | null } } }[]).map(({ node }) => [node.user.email, node]),
    );
    expect(names["dave@b.example"]).to.deep.include({ displayName: null, user: { id: dave.id, email: "dave@b.example", name: null } });
    expect(names["bob@b.example"]!.displayName).to.equal("Bob Builder");
    ok(await addNamed(mallory.token, accountA.id, "Dave@B.example", "Dave (the one who reads your invoices)"));
  });

  it("makes them A's contacts, removes them and adds them again", async () => {
    const steps: [string, string, Record<string, unknown>][] = [
      ["setPrimaryContact", "SetPrimaryContactInput", { userId: bob.id }],
      ["addBillingContact", "BillingContactInput", { userId: carol.id }],
      ["addBillingContact", "BillingContactInput", { userId: dave.id }],
      ["setRoleContact", "SetRoleContactInput", { role: "TECHNICAL_ADMIN", userId: dave.id }],
      ["setRoleContact", "SetRoleContactInput", { role: "DECISION_MAKER", userId: bob.id }],
      ["setRoleContact", "SetRoleContactInput", { role: "SECURITY", email: "carol@b.example" }],
      ["setRoleContact", "SetRoleContactInput", { role: "IMPLEMENTATION", userId: carol.id }],
      ["removeAccountMember", "RemoveAccountMemberInput", { userId: carol.id, reassignTo: dave.id }],
      ["setPrimaryContact", "SetPrimaryContactInput", { userId: mallory.id }],
      ["removeAccountMember", "RemoveAccountMemberInput", { userId: bob.id }],
      ["removeAccountMember", "RemoveAccountMemberInput", { userId: dave.id }],
    ];
    for (const [mutation, inputType, input] of steps) ok(await malloryMutates(mutation, inputType, { accountId: accountA.id, ...input }));
    for (const [email, name] of [["bob@b.example", "Bob Builder (account closed)"], ["carol@b.example", CRAFTED], ["dave@b.example", "Dave from A"]] as const) {
      const response = await addNamed(mallory.token, accountA.id, email, name, "ADMIN");
      answersToA.push(JSON.stringify(response));
      ok(response);
    }
    const current = await readAccount(server, mallory.token, accountA.id);
    ok(
      await malloryMutates("saveAccountContacts", "SaveAccountContactsInput", {
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
    const mutations = Object.keys(server.app.schema.getMutationType()!.getFields());
    for (const victims of [[bob, carol, dave], [carol, dave, bob], [dave, bob, carol]]) {
      for (const mutation of mutations) {
        accountA = await readAccount(server, mallory.token, accountA.id);
        const targetA: Target = { account: accountA, admin: mallory, members: victims, externalEmail: "outside@a.example", secrets: [], text: CRAFTED };
        for (const probe of probesFor(server, targetA).filter((candidate) => candidate.field === mutation)) await asMallory(probe.document);
      }
    }
  });

  it("leaves everything B's members see about B and about themselves exactly as it was", async () => {
    const after = await viewOfB();
    for (const member of Object.keys(viewBefore)) {
      for (const [probe, text] of Object.entries(viewBefore[member]!)) {
        expect(after[member]![probe], `${member} ${probe}`).to.equal(text);
      }
    }
    const everything = JSON.stringify(after);
    for (const crafted of [CRAFTED, "Carol (left", "Dave (the one", "Dave from A", "account closed", "Mallory"]) expect(everything).to.not.contain(crafted);
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
    expect((await displayNames(mallory.token, accountA.id))["dave@b.example"]).to.deep.equal({ displayName: "David Real", name: "David Real" });
    ok(await addNamed(mallory.token, accountA.id, "dave@b.example", "Dave (renamed by A)"));
    expect(ok(await server.graphql("{ viewer { name } }", {}, david.token)).viewer.name).to.equal("David Real");
    expect(ok(await server.graphql("{ viewer { name } }", {}, bob.token)).viewer.name).to.equal("Bob Builder");
  });
});
