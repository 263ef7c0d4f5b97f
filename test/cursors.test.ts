import { expect } from "chai";
import { getNamedType, isObjectType } from "graphql";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, ok } from "./helpers/factories";
import { encodeCursor } from "../src/common/pagination";

/*
 * A cursor is the server's own value: every part of it is checked against what the server writes
 * there before it reaches a statement. Every connection the schema has (read from it, so a new one is
 * covered) is paged with hostile cursors, by `after` and by `before`, on SQLite and PostgreSQL: each
 * must answer BAD_USER_INPUT naming the argument, and nothing may be logged as unexpected.
 */

const base64url = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const UUID = "0a1b2c3d-0000-4000-8000-00000000abcd";
const ISSUED_AT = "2025-01-01T00:00:00.000Z";

/** Cursors the server never issued, each with why it is hostile. */
const HOSTILE_CURSORS: { name: string; cursor: string }[] = [
  { name: "a NUL byte in a UUID part", cursor: encodeCursor([ISSUED_AT, `${UUID.slice(0, 10)}\u0000${UUID.slice(11)}`]) },
  { name: "a NUL byte in a timestamp part", cursor: encodeCursor([`${ISSUED_AT}\u0000`, UUID]) },
  { name: "a NUL byte as a whole part", cursor: encodeCursor(["\u0000", "\u0000"]) },
  { name: "a lone NUL byte", cursor: base64url("\u0000") },
  { name: "a NUL byte in a number's place", cursor: encodeCursor(["\u0000"]) },
  { name: "a huge cursor", cursor: encodeCursor([ISSUED_AT, "a".repeat(60_000)]) },
  { name: "a cursor just over 512 characters", cursor: "A".repeat(513) },
  { name: "a number where a UUID goes", cursor: encodeCursor([ISSUED_AT, 5]) },
  { name: "a date that is not the issued spelling", cursor: encodeCursor(["2025-01-01", UUID]) },
  { name: "year 0", cursor: encodeCursor(["0000-01-01T00:00:00.000Z", UUID]) },
  { name: "a UUID in capitals", cursor: encodeCursor([ISSUED_AT, UUID.toUpperCase()]) },
  { name: "a row id past 32 bits", cursor: encodeCursor([2 ** 31]) },
  { name: "a negative row id", cursor: encodeCursor([-1]) },
  { name: "a fractional row id", cursor: encodeCursor([1.5]) },
  { name: "valid base64 of junk bytes", cursor: Buffer.from([0xff, 0xfe, 0x00, 0x9f, 0x80, 0x00, 0x01]).toString("base64url") },
  { name: "valid base64 of text that is not JSON", cursor: base64url("hello, world") },
  { name: "valid base64 of a JSON object", cursor: base64url(`{"id":1}`) },
  { name: "valid base64 of JSON with an extra part", cursor: encodeCursor([ISSUED_AT, UUID, 1]) },
  { name: "padded base64", cursor: `${Buffer.from(JSON.stringify([3])).toString("base64")}==` },
  { name: "SQL in a part", cursor: encodeCursor([ISSUED_AT, `' OR 1=1 --`]) },
];

interface Connection {
  name: string;
  /** The query paging it from `$cursor`, by `after` or `before`. */
  query(side: "after" | "before"): string;
  /** A cursor this connection issues, to check that good cursors still work. */
  issued?: string;
}

describe("pagination cursors", () => {
  let server: TestServer;
  let token: string;
  let accountId: string;
  let connections: Connection[];

  before(async () => {
    server = await startTestServer();
    const { admin, account } = await accountWithMembers(server, 3, "cursor");
    token = admin.token;
    accountId = account.id;
    // Every connection field of Query and Account, from the schema.
    connections = [];
    const schema = server.app.schema;
    for (const [parent, prefix, suffix] of [
      [schema.getQueryType()!, "", ""],
      [schema.getType("Account"), `account(id: "${accountId}") { `, " }"],
    ] as const) {
      if (!isObjectType(parent)) throw new Error("Account is an object type");
      for (const field of Object.values(parent.getFields())) {
        const names = field.args.map((arg) => arg.name);
        if (!names.includes("after") || !names.includes("before")) continue;
        expect(getNamedType(field.type).name, field.name).to.match(/Connection$/);
        connections.push({
          name: `${parent.name}.${field.name}`,
          query: (side) =>
            `query($cursor: String) { ${prefix}${field.name}(${side === "after" ? "first" : "last"}: 2, ${side}: $cursor) { totalCount pageInfo { endCursor startCursor } }${suffix} }`,
        });
      }
    }
  });
  after(() => server.close());
  afterEach(() => expect(server.logged).to.deep.equal([]));

  it("finds every connection in the schema", () => {
    expect(connections.map((connection) => connection.name)).to.include.members([
      "Query.accounts",
      "Account.members",
      "Account.contactHistory",
      "Account.notificationDeliveries",
    ]);
  });

  for (const side of ["after", "before"] as const) {
    it(`refuses every hostile cursor as \`${side}\` on every connection with BAD_USER_INPUT naming \`${side}\``, async () => {
      for (const connection of connections) {
        for (const { name, cursor } of HOSTILE_CURSORS) {
          const result = await server.graphql(connection.query(side), { cursor }, token);
          const label = `${connection.name}(${side}: ${name})`;
          expect(
            result.errors?.map((error) => error.extensions?.code),
            label,
          ).to.deep.equal(["BAD_USER_INPUT"]);
          expect(result.errors![0]!.extensions?.invalidFields?.[0]?.field, label).to.equal(side);
        }
      }
    });
  }

  it("refuses a cursor of the other kind of list: a row id where a timestamp and a UUID go, and the other way round", async () => {
    for (const connection of connections) {
      const answers = [];
      for (const cursor of [encodeCursor([7]), encodeCursor([ISSUED_AT, UUID])]) {
        answers.push((await server.graphql(connection.query("after"), { cursor }, token)).errors?.[0]?.extensions?.code ?? "ok");
      }
      expect(answers.sort(), connection.name).to.deep.equal(["BAD_USER_INPUT", "ok"]);
    }
  });

  it("still pages with the cursors it issues, both ways", async () => {
    for (const connection of connections) {
      const first = ok(await server.graphql(connection.query("after"), { cursor: null }, token)) as Record<string, any>;
      const page = first.account ? Object.values(first.account)[0] : Object.values(first)[0];
      const { endCursor, startCursor } = (page as { pageInfo: { endCursor: string | null; startCursor: string | null } }).pageInfo;
      if (endCursor) ok(await server.graphql(connection.query("after"), { cursor: endCursor }, token));
      if (startCursor) ok(await server.graphql(connection.query("before"), { cursor: startCursor }, token));
    }
  });
});
