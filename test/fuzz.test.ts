import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { signToken } from "../src/auth/tokens";
import { globalId, NODE_TYPE_NAMES, type NodeTypeName } from "../src/common/global-id";
import { ADD_WEBHOOK_ENDPOINT, LOCAL_WEBHOOKS_ENV, UNREACHABLE_WEBHOOK_URL } from "./helpers/webhooks";
import { waitFor } from "./helpers/smtp";
import { spawnServer, type ServerProcess } from "./helpers/process";
import { checkContactInvariants, withSqliteFile } from "./helpers/invariants";
import { Random } from "./helpers/random";
import { CONTACT_ROLE_ORDER } from "../src/contacts/contact.enums";
import { NOTIFICATION_CATEGORIES } from "../src/contacts/notification-routing";

/*
 * Hostile-input fuzzing against a real server process (NODE_ENV=production, on a SQLite file).
 * A seeded generator builds malformed and hostile requests of several kinds; every answer must be
 * below 500 and free of INTERNAL_SERVER_ERROR, the process must stay up, and afterwards the
 * database must satisfy the invariants of test/helpers/invariants.ts. FUZZ_SEED and FUZZ_REQUESTS replay or extend a run.
 */

const SECRET = "fuzz-test-secret-that-is-long-enough-for-production";
const SEED = Number(process.env.FUZZ_SEED ?? 4242);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5200);
const WORKERS = 8;

interface FuzzRequest {
  kind: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Sent as raw bytes over a socket, for what fetch refuses to send. */
  raw?: string;
}

const SQL = [
  `' OR '1'='1`,
  `'; DROP TABLE "accounts"; --`,
  `" OR ""="`,
  `1; SELECT * FROM users --`,
  `') UNION SELECT email FROM users --`,
  `\\'; PRAGMA writable_schema=1; --`,
  `%' AND 1=0 UNION ALL SELECT NULL --`,
];
// biome-ignore-start lint/suspicious/noTemplateCurlyInString: a literal `${…}` is one of the hostile inputs.
const SCRIPT = [
  `<script>alert(1)</script>`,
  `"><img src=x onerror=alert(1)>`,
  `javascript:alert(1)`,
  `{{7*7}}`,
  "${jndi:ldap://x/a}",
  `../../../../etc/passwd`,
  `\u0000`,
  `%00`,
  `\r\nSet-Cookie: x=1`,
];
// biome-ignore-end lint/suspicious/noTemplateCurlyInString: a literal `${…}` is one of the hostile inputs.
const UNICODE = [
  "Zoë Ångström",
  "名前",
  "مرحبا",
  "\u202Eevil\u202C",
  "\u200B\u200D\uFEFF",
  "👩‍👩‍👧‍👦🏳️‍🌈",
  "\uD800",
  "\uDFFF\uD800",
  "e\u0301\u0301\u0301\u0301",
  "Ω≈ç√∫",
  "\u0000\u0001\u001F",
  "ＡＢＣ＠ｅｘａｍｐｌｅ．ｃｏｍ",
];
const ROLES = CONTACT_ROLE_ORDER;
const CATEGORIES = NOTIFICATION_CATEGORIES.map((category) => category.name);

/** The operations the fuzzer aims at, with what each variable means. */
const OPERATIONS: { document: string; variables: Record<string, string> }[] = [
  {
    document: `query($id: ID!) { account(id: $id) { id name primaryContact { email } billingContacts { email } roleContacts { role email isExternal } members(first: 5) { edges { node { role user { email } } } } } }`,
    variables: { id: "accountId" },
  },
  {
    document: `query($first: Int, $after: String) { accounts(first: $first, after: $after) { totalCount edges { cursor node { id name } } pageInfo { endCursor } } }`,
    variables: { first: "int", after: "cursor" },
  },
  {
    document: `query($last: Int, $before: String) { accounts(last: $last, before: $before) { totalCount nodes { id name } pageInfo { hasPreviousPage startCursor } } }`,
    variables: { last: "int", before: "cursor" },
  },
  {
    document: `query($first: Int, $last: Int) { accountsNeedingAttention(first: $first, last: $last) { nodes { id contactHealth { needsAttention } } } }`,
    variables: { first: "int", last: "int" },
  },
  {
    document: `query($id: ID!, $first: Int, $after: String) { account(id: $id) { contactHistory(first: $first, after: $after) { edges { cursor node { id slot action newEmail } } } } }`,
    variables: { id: "accountId", first: "int", after: "cursor" },
  },
  {
    document: `query($id: ID!, $last: Int, $before: String) { account(id: $id) { members(last: $last, before: $before) { nodes { id role user { id email } } pageInfo { startCursor } } } }`,
    variables: { id: "accountId", last: "int", before: "cursor" },
  },
  {
    document: `query($id: ID!, $first: Int, $after: String) { account(id: $id) { notificationDeliveries(first: $first, after: $after) { nodes { id email state } } } }`,
    variables: { id: "accountId", first: "int", after: "cursor" },
  },
  {
    document: `query($id: ID!) { node(id: $id) { id ... on Account { name members(first: 5) { nodes { id } } } ... on User { email } ... on AccountMember { role } ... on ContactRole { email } ... on ContactChange { slot } ... on NotificationDelivery { email } } }`,
    variables: { id: "anyId" },
  },
  {
    document: `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Account { name } ... on User { email } ... on ContactVerification { email state } } }`,
    variables: { ids: "anyIds" },
  },
  {
    document: `query($id: ID!, $category: NotificationCategory!) { account(id: $id) { notificationRecipients(category: $category) { email reasons } } }`,
    variables: { id: "accountId", category: "category" },
  },
  {
    document: `query($id: ID!, $role: ContactRoleKind!) { account(id: $id) { roleContact(role: $role) { email } } }`,
    variables: { id: "accountId", role: "role" },
  },
  {
    document: `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id name } } }`,
    variables: { "input.name": "name" },
  },
  {
    document: `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { account { id } member { id role } } }`,
    variables: { "input.accountId": "accountId", "input.email": "email", "input.name": "name", "input.role": "memberRole" },
  },
  {
    document: `mutation($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) { account { id } removedUserId } }`,
    variables: { "input.accountId": "accountId", "input.userId": "userId", "input.reassignTo": "optionalUserId" },
  },
  {
    document: `mutation($input: SetPrimaryContactInput!) { setPrimaryContact(input: $input) { account { id } } }`,
    variables: { "input.accountId": "accountId", "input.userId": "userId" },
  },
  {
    document: `mutation($input: AddBillingContactInput!) { addBillingContact(input: $input) { account { id } } }`,
    variables: { "input.accountId": "accountId", "input.userId": "userId" },
  },
  {
    document: `mutation($input: RemoveBillingContactInput!) { removeBillingContact(input: $input) { account { id } } }`,
    variables: { "input.accountId": "accountId", "input.userId": "userId" },
  },
  {
    document: `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`,
    variables: { "input.accountId": "accountId", "input.role": "role", "input.userId": "userId", "input.email": "email" },
  },
  {
    document: `mutation($input: ClearRoleContactInput!) { clearRoleContact(input: $input) { account { id } } }`,
    variables: { "input.accountId": "accountId", "input.role": "role" },
  },
  {
    document: `mutation($input: SaveAccountContactsInput!) { saveAccountContacts(input: $input) { account { id } } }`,
    variables: {
      "input.accountId": "accountId",
      "input.expectedVersion": "int",
      "input.primaryContactUserId": "userId",
      "input.billingContactUserIds": "userIds",
      "input.roleContacts": "roleEntries",
    },
  },
  {
    document: `mutation($input: VerifyContactEmailInput!) { verifyContactEmail(input: $input) { verification { id email state } } }`,
    variables: { "input.token": "token" },
  },
  {
    document: `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { account { id } deliveries { id state } } }`,
    variables: { "input.accountId": "accountId", "input.category": "category" },
  },
];

interface World {
  tokens: string[];
  accountIds: string[];
  userIds: string[];
  /** Global ids of every Node type, across the tenants. */
  nodeIds: string[];
  emails: string[];
  forged: string[];
}

/**
 * An id that is not what the field expects: a global id of `type` that names nothing, a bare UUID
 * (the 0.x form), an id of another type, or an id whose key has been tampered with.
 */
function oddId(random: Random, world: World, type: NodeTypeName): string {
  const uuid = crypto.randomUUID();
  const pick = random.int(0, 5);
  if (pick === 0) return uuid;
  if (pick === 1) return random.pick(world.nodeIds);
  if (pick === 2) return globalId(random.pick(NODE_TYPE_NAMES), uuid);
  if (pick === 3) return Buffer.from(`${type}:${random.pick([...SQL, "../x", "", "1:2:3", "-1", "99999999999"])}`).toString("base64url");
  if (pick === 4)
    return globalId(
      type,
      ...(type === "ContactChange" ||
      type === "NotificationDelivery" ||
      type === "AccountSettingChange" ||
      type === "MemberChange" ||
      type === "AccountInvitation"
        ? [random.int(1, 2 ** 31 - 1)]
        : [
            uuid,
            ...(["AccountMember"].includes(type)
              ? [crypto.randomUUID()]
              : /Contact(Role|Verification)/.test(type)
                ? [random.pick(ROLES)]
                : []),
          ]),
    );
  return `${random.pick(world.nodeIds)}${random.pick(["=", "A", "==", "%3D", "."])}`;
}

/** Every `id` in an answer. */
function idsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(idsIn);
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === "id" && typeof inner === "string" ? [inner] : idsIn(inner)));
}

function hostileString(random: Random): string {
  const pick = random.int(0, 5);
  if (pick === 0) return random.pick(SQL);
  if (pick === 1) return random.pick(SCRIPT);
  if (pick === 2) return random.pick(UNICODE);
  if (pick === 3) return random.pick(UNICODE).repeat(random.int(1, 2000));
  if (pick === 4) return "x".repeat(random.int(200, 60_000));
  return Array.from({ length: random.int(0, 40) }, () => String.fromCharCode(random.int(0, 0xffff))).join("");
}

/** A value for a variable: usually plausible, often hostile, sometimes of the wrong type altogether. */
function valueFor(meaning: string, random: Random, world: World, mode: "valid" | "hostile" | "wrongType"): unknown {
  if (mode === "wrongType") {
    return random.pick<unknown>([
      null,
      0,
      -1,
      1.5,
      2 ** 53,
      -(2 ** 31) - 1,
      true,
      [],
      [[[]]],
      {},
      { $gt: "" },
      { __proto__: { admin: true } },
      "",
      "NaN",
      [1, "a", null],
    ]);
  }
  if (mode === "hostile" && meaning !== "int") return hostileString(random);
  switch (meaning) {
    case "accountId":
      return random.chance(0.8) ? random.pick(world.accountIds) : oddId(random, world, "Account");
    case "userId":
      return random.chance(0.8) ? random.pick(world.userIds) : oddId(random, world, "User");
    case "optionalUserId":
      return random.chance(0.7) ? undefined : valueFor("userId", random, world, mode);
    case "userIds":
      return Array.from({ length: random.int(0, 5) }, () => random.pick(world.userIds));
    case "anyId":
      return random.chance(0.7) ? random.pick(world.nodeIds) : oddId(random, world, random.pick(NODE_TYPE_NAMES));
    case "anyIds":
      return Array.from({ length: random.int(0, 12) }, () => valueFor("anyId", random, world, mode));
    case "roleEntries":
      return Array.from({ length: random.int(0, 3) }, () => ({ role: random.pick(ROLES), userId: random.pick(world.userIds) }));
    case "email":
      return random.chance(0.7) ? random.pick(world.emails) : `${hostileString(random).slice(0, 30)}@example.com`;
    case "name":
      return random.chance(0.7) ? `Fuzz ${random.int(1, 1e6)}` : random.pick(UNICODE);
    case "int":
      return mode === "hostile" ? random.pick([0, -5, 101, 2 ** 31 - 1, -(2 ** 31)]) : random.int(1, 100);
    case "cursor":
      return random.pick([
        undefined,
        "",
        "eyJ4IjoxfQ",
        Buffer.from(JSON.stringify(["2020-01-01", "x' OR 1=1"])).toString("base64url"),
        Buffer.from("[1e309]").toString("base64url"),
        "%%%",
      ]);
    case "role":
      return random.pick(ROLES);
    case "memberRole":
      return random.pick(["ADMIN", "MEMBER"]);
    case "category":
      return random.pick(CATEGORIES);
    case "token":
      return random.chance(0.5) ? crypto.randomUUID() : hostileString(random);
    default:
      return "?";
  }
}

function variablesFor(operation: (typeof OPERATIONS)[number], random: Random, world: World, mode: "valid" | "hostile" | "wrongType") {
  const variables: Record<string, unknown> = {};
  for (const [key, meaning] of Object.entries(operation.variables)) {
    const [outer, inner] = key.split(".");
    const value = random.chance(mode === "valid" ? 0.05 : 0.5)
      ? valueFor(meaning, random, world, mode)
      : valueFor(meaning, random, world, "valid");
    if (value === undefined) continue;
    if (inner) ((variables[outer!] ??= {}) as Record<string, unknown>)[inner] = value;
    else variables[outer!] = value;
  }
  return variables;
}

function deepDocument(random: Random): string {
  const levels = random.int(20, 3000);
  const style = random.int(0, 3);
  if (style === 0) return `{ ${"viewer { ".repeat(levels)}id${" }".repeat(levels)} }`;
  if (style === 1) return `{ viewer { ${"... on User { ".repeat(levels)}id${" }".repeat(levels)} } }`;
  if (style === 2) return `query($v: [[[Int]]]) { viewer { id } }`;
  return `${"{".repeat(levels)}${"}".repeat(random.int(0, levels))}`;
}

function nestedJson(levels: number, random: Random): string {
  const open = random.chance(0.5) ? "[" : '{"a":';
  const close = open === "[" ? "]" : "}";
  return `{"query":"{ viewer { id } }","variables":{"v":${open.repeat(levels)}1${close.repeat(levels)}}}`;
}

function randomGraphQL(random: Random): string {
  const pieces = [
    "{",
    "}",
    "(",
    ")",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "on",
    "...",
    "$x",
    ":",
    "!",
    "[",
    "]",
    "viewer",
    "account",
    "id",
    "__schema",
    "__type",
    "__typename",
    "@include",
    "@skip",
    "@deprecated",
    '"',
    '"""',
    "#",
    "1",
    "-0",
    "1e999",
    "=",
    "|",
    "&",
    "\\u0000",
  ];
  return Array.from({ length: random.int(1, 60) }, () => random.pick(pieces)).join(random.chance(0.5) ? " " : "");
}

/** One fuzz request. Each kind attacks one way in; most aim at the operations above. */
function generate(random: Random, world: World): FuzzRequest {
  const token = random.chance(0.85) ? random.pick(world.tokens) : random.pick(world.forged);
  const auth = { authorization: `Bearer ${token}` };
  const json = { "content-type": "application/json", ...auth };
  const operation = random.pick(OPERATIONS);
  const kind = random.pick([
    "broken JSON",
    "wrong content type",
    "wrong variable types",
    "huge strings",
    "unicode",
    "deep nesting",
    "SQL and script payloads",
    "random GraphQL",
    "bad authorization",
    "odd HTTP",
    "valid but cross-tenant",
    "raw HTTP",
  ]);
  switch (kind) {
    case "broken JSON": {
      const body = JSON.stringify({ query: operation.document, variables: variablesFor(operation, random, world, "valid") });
      const broken = random.pick([
        body.slice(0, random.int(0, body.length - 1)),
        body.replace(/"/g, random.chance(0.5) ? "'" : ""),
        `${body},`,
        `{"query": ${random.int(0, 9)}}`,
        `{"query": null, "variables": "{}"}`,
        `{"query": "{ viewer { id } }", "variables": ${random.pick(["[]", "1", '"x"', "null", "{"])}}`,
        `{"query": "{ viewer { id } }", "operationName": ${random.pick(["1", "{}", '"missing"', "[]"])}}`,
        `{"query": "{ viewer { id } }", "extensions": ${random.pick(["1", '{"persistedQuery":{"version":1,"sha256Hash":"abc"}}', "[]"])}}`,
        "",
        "null",
        "\u0000\u0001\u0002",
        Buffer.from(Array.from({ length: random.int(1, 200) }, () => random.int(0, 255))).toString("latin1"),
      ]);
      return { kind, method: "POST", headers: json, body: broken };
    }
    case "wrong content type": {
      const body = random.chance(0.5) ? JSON.stringify({ query: "{ viewer { id } }" }) : "query={ viewer { id } }";
      const type = random.pick([
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/graphql",
        "application/xml",
        "application/json; charset=utf-16",
        "application/json; charset=latin1",
        "",
        "*/*",
        "application/graphql-response+json",
      ]);
      return { kind, method: "POST", headers: { ...auth, ...(type ? { "content-type": type } : {}) }, body };
    }
    case "wrong variable types":
      return {
        kind,
        method: "POST",
        headers: json,
        body: JSON.stringify({ query: operation.document, variables: variablesFor(operation, random, world, "wrongType") }),
      };
    case "huge strings": {
      const variables = variablesFor(operation, random, world, "valid");
      const huge = "A".repeat(random.pick([5_000, 50_000, 99_000, 120_000, 2_000_000]));
      const body = JSON.stringify({
        query: operation.document,
        variables: { ...variables, input: { ...(variables.input as object), name: huge, email: `${huge}@example.com` } },
      });
      return { kind, method: "POST", headers: json, body };
    }
    case "unicode": {
      const variables = JSON.parse(JSON.stringify(variablesFor(operation, random, world, "valid"))) as Record<string, unknown>;
      const input = (variables.input ?? {}) as Record<string, unknown>;
      for (const key of Object.keys(input)) if (random.chance(0.5)) input[key] = random.pick(UNICODE);
      const query = random.chance(0.2) ? operation.document.replace("{", `{ # ${random.pick(UNICODE)}\n`) : operation.document;
      return { kind, method: "POST", headers: json, body: JSON.stringify({ query, variables }) };
    }
    case "deep nesting":
      return random.chance(0.7)
        ? { kind, method: "POST", headers: json, body: JSON.stringify({ query: deepDocument(random) }) }
        : { kind, method: "POST", headers: json, body: nestedJson(random.int(100, 40_000), random) };
    case "SQL and script payloads":
      return {
        kind,
        method: "POST",
        headers: json,
        body: JSON.stringify({ query: operation.document, variables: variablesFor(operation, random, world, "hostile") }),
      };
    case "random GraphQL":
      return {
        kind,
        method: "POST",
        headers: json,
        body: JSON.stringify({ query: randomGraphQL(random), operationName: random.chance(0.2) ? "x" : undefined }),
      };
    case "bad authorization": {
      const header = random.pick([
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        `Bearer ${token}.x`,
        `Bearer ${"a".repeat(6000)}`,
        "bearer  a.b.c",
        `Bearer ${token} ${token}`,
        "Bearer eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAZXhhbXBsZS5jb20ifQ.",
        `Bearer ${Buffer.from('{"alg":"HS512"}').toString("base64url")}.${Buffer.from('{"email":"a@example.com"}').toString("base64url")}.sig`,
        `Bearer ${random.pick(SQL)}`,
      ]);
      return {
        kind,
        method: "POST",
        headers: { "content-type": "application/json", authorization: header },
        body: JSON.stringify({ query: operation.document, variables: variablesFor(operation, random, world, "valid") }),
      };
    }
    case "odd HTTP": {
      const method = random.pick(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "POST"]);
      const hasBody = method !== "GET" && method !== "HEAD";
      const body = random.chance(0.5)
        ? JSON.stringify([{ query: "{ viewer { id } }" }, { query: operation.document }])
        : JSON.stringify({ query: "subscription { viewer { id } }" });
      return {
        kind,
        method,
        headers: {
          ...json,
          ...(random.chance(0.5) ? { "apollo-require-preflight": "true" } : {}),
          ...(random.chance(0.3) ? { origin: "https://evil.example" } : {}),
        },
        body: hasBody ? body : undefined,
      };
    }
    case "valid but cross-tenant":
      return {
        kind,
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${random.pick(world.tokens)}` },
        body: JSON.stringify({ query: operation.document, variables: variablesFor(operation, random, world, "valid") }),
      };
    default: {
      const body = JSON.stringify({ query: "{ viewer { id } }" });
      const raw = random.pick([
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999\r\n\r\n${body}`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`,
        `GARBAGE\r\n\r\n`,
        `GET /graphql?query=${encodeURIComponent("{ viewer { id } }")}&variables=%7B HTTP/1.1\r\nHost: x\r\napollo-require-preflight: 1\r\nAuthorization: Bearer ${token}\r\n\r\n`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd`,
        `POST /graphql HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\n\r\n`,
      ]);
      return { kind: "raw HTTP", raw };
    }
  }
}

/**
 * Sends raw bytes and returns the status of the first response line: 0 when the server closed the
 * connection without one, or is still waiting for the body a lying Content-Length promised.
 */
function sendRaw(port: number, raw: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let text = "";
    const done = () => {
      socket.destroy();
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0));
    };
    socket.setTimeout(500, done);
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      if (/\r\n\r\n/.test(text)) done();
    });
    socket.on("error", done);
    socket.on("close", done);
    socket.write(raw, "latin1");
  });
}

describe("fuzzing with hostile requests", function () {
  this.timeout(120_000);
  let directory: string;
  let server: ServerProcess;

  before(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-fuzz-"));
    server = await spawnServer({
      DATABASE_URL: `sqlite:${path.join(directory, "contacts.sqlite")}`,
      NODE_ENV: "production",
      PUBLIC_URL: "https://contacts.example.com",
      AUTH_JWT_SECRET: SECRET,
      MAIL_TRANSPORT: "file",
      MAIL_LOG_FILE: path.join(directory, "mail.log"),
      MUTATION_RATE_LIMIT: "0", // every mutation should reach the resolvers, not the rate limit
      SHUTDOWN_DRAIN_SECONDS: "0", // nothing balances traffic to it: stop at once
      // Webhook endpoints on loopback, where nothing answers: their worker records failed deliveries to aim ids at.
      ...LOCAL_WEBHOOKS_ENV,
    });
  });
  after(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGKILL");
      await server.exited;
    }
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it(`answers ${REQUESTS} malformed and hostile requests without a 5xx or INTERNAL_SERVER_ERROR, and keeps the invariants`, async () => {
    const started = Date.now();
    const post = async (token: string, query: string, variables: Record<string, unknown> = {}) =>
      (await (
        await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        })
      ).json()) as {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        data: Record<string, any>;
      };

    // A few tenants with members, so that ids in the requests point at real rows, some across tenants.
    const world: World = { tokens: [], accountIds: [], userIds: [], nodeIds: [], emails: [], forged: [] };
    for (let tenant = 0; tenant < 3; tenant++) {
      const email = `fuzz-admin-${tenant}@example.com`;
      const token = await signToken(SECRET, { email });
      world.tokens.push(token);
      world.emails.push(email);
      world.userIds.push((await post(token, "{ viewer { id } }")).data.viewer!.id);
      const accountId = (await post(token, `mutation { createAccount(input: { name: "Fuzz tenant ${tenant}" }) { account { id } } }`)).data
        .createAccount.account.id as string;
      world.accountIds.push(accountId);
      for (let member = 0; member < 4; member++) {
        const memberEmail = `fuzz-${tenant}-${member}@example.com`;
        const invited = await post(
          token,
          `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
          { input: { accountId, email: memberEmail, role: member === 0 ? "ADMIN" : "MEMBER" } },
        );
        const memberToken = await signToken(SECRET, { email: memberEmail });
        // The last one leaves their invitation open: an AccountInvitation to aim ids at.
        if (member < 3)
          await post(memberToken, `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { role } } }`, {
            input: { invitationId: invited.data.addAccountMember.invitation.id },
          });
        world.tokens.push(memberToken);
        world.emails.push(memberEmail);
        world.userIds.push((await post(memberToken, "{ viewer { id } }")).data.viewer!.id);
      }
      // An outside security contact: a ContactVerification, a NotificationDelivery and history rows to aim ids at.
      const security = { accountId, role: "SECURITY", email: `fuzz-security-${tenant}@outside.example` };
      await post(token, `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`, { input: security });
      await post(token, ADD_WEBHOOK_ENDPOINT, { input: { accountId, url: UNREACHABLE_WEBHOOK_URL, eventTypes: ["SETTINGS"] } });
      await post(token, `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`, {
        input: { accountId, locale: "PL" },
      });
      // The server's webhook worker makes its first (failing) attempt within a poll or two.
      const everything = await waitFor("a webhook delivery attempt", async () => {
        const read = await post(
          token,
          `query($id: ID!) { account(id: $id) { id members { nodes { id user { id } } } roleContacts { id verification { id } } contactHistory { nodes { id } } notificationDeliveries { nodes { id } } settingChanges { nodes { id } } memberHistory { nodes { id } } invitations { nodes { id } } webhookEndpoints { id deliveries { nodes { id } } } } }`,
          { id: accountId },
        );
        return read.data.account.webhookEndpoints[0]?.deliveries.nodes.length ? read : null;
      });
      world.nodeIds.push(...idsIn(everything.data));
    }
    const types = new Set(world.nodeIds.map((id) => Buffer.from(id, "base64url").toString("utf8").split(":")[0]));
    expect([...types].sort(), "ids of every Node type to aim at").to.deep.equal([...NODE_TYPE_NAMES].sort());
    world.forged.push(
      await signToken(`${SECRET}-forged`, { email: "fuzz-admin-0@example.com" }),
      await signToken(SECRET, { email: "expired@example.com" }, -10),
      "not.a.jwt",
    );

    const port = Number(new URL(server.url).port);
    const counts: Record<string, { sent: number; ms: number; statuses: Record<string, number> }> = {};
    const failures: string[] = [];
    let next = 0;
    const worker = async (index: number) => {
      const random = new Random(SEED * 31 + index);
      while (next < REQUESTS) {
        next++;
        const request = generate(random, world);
        const sentAt = performance.now();
        let status: number;
        let text = "";
        if (request.raw !== undefined) {
          status = await sendRaw(port, request.raw);
        } else {
          try {
            const response = await fetch(server.url, {
              method: request.method,
              headers: request.headers,
              body: request.body,
              signal: AbortSignal.timeout(15_000),
            });
            status = response.status;
            text = await response.text();
          } catch (error) {
            status = -1;
            text = String((error as Error).cause ?? error);
          }
        }
        const entry = (counts[request.kind] ??= { sent: 0, ms: 0, statuses: {} });
        entry.sent++;
        entry.ms += performance.now() - sentAt;
        entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
        if (status >= 500 || status === -1 || text.includes("INTERNAL_SERVER_ERROR")) {
          failures.push(`${request.kind} → ${status} ${text.slice(0, 200)} | ${(request.body ?? request.raw ?? "").slice(0, 200)}`);
        }
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
    const seconds = (Date.now() - started) / 1000;

    const total = Object.values(counts).reduce((sum, entry) => sum + entry.sent, 0);
    console.log(`      ${total} requests in ${seconds.toFixed(1)} s (seed ${SEED}), by kind and HTTP status:`);
    for (const [kind, entry] of Object.entries(counts).sort()) {
      const statuses = Object.entries(entry.statuses)
        .map(([status, count]) => `${status === "0" ? "no reply" : status}×${count}`)
        .join(" ");
      console.log(
        `        ${kind.padEnd(24)} ${String(entry.sent).padStart(5)}  ${(entry.ms / entry.sent).toFixed(0).padStart(4)} ms avg  ${statuses}`,
      );
    }
    console.log(`      failures (5xx, INTERNAL_SERVER_ERROR, no answer): ${failures.length}`);
    expect(failures.slice(0, 20), failures.slice(0, 20).join("\n")).to.deep.equal([]);
    expect(total).to.be.at.least(5000);

    // Still alive and serving, with nothing unexpected logged.
    expect(server.child.exitCode).to.equal(null);
    expect((await fetch(server.url.replace("/graphql", "/healthz"))).status).to.equal(200);
    expect((await post(world.tokens[0]!, "{ viewer { email } }")).data.viewer).to.deep.equal({ email: "fuzz-admin-0@example.com" });
    expect(server.output()).to.not.match(/Error:| {4}at /);

    server.child.kill("SIGTERM");
    expect(await server.exited).to.equal(0);
    const report = await withSqliteFile(path.join(directory, "contacts.sqlite"), (query) => checkContactInvariants(query));
    console.log(
      `      invariants: ${report.accounts} accounts, ${report.historyRows} history rows replayed, ${report.problems.length} problems`,
    );
    expect(report.problems, report.problems.join("\n")).to.deep.equal([]);
  });
});
