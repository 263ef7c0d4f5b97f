import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { startTestServer, testDatabaseUrl, type TestServer } from "./helpers/server";
import { testingOnPostgres } from "./helpers/postgres";
import { accountWithMembers, failsWith, ok, readAccount, readHistory, signIn, type TestUser } from "./helpers/factories";
import { changeRows, selectRows, sql } from "../src/common/sql";
import { loadConfig } from "../src/config";

/*
 * Idempotency-Key on mutations: a retry with the key never changes anything twice. Its record is
 * written in the transaction of the change, so a change is never kept without it.
 */

const CREATE = `mutation Create($name: String!) { createAccount(input: { name: $name }) { account { id name contactsVersion } } }`;

interface Answer {
  status: number;
  replayed: string | null;
  body: { data?: Record<string, any> | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
}

async function send(url: string, token: string, query: string, variables: Record<string, unknown>, key?: string): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${token}` };
  if (key !== undefined) headers["idempotency-key"] = key;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  return {
    status: response.status,
    replayed: response.headers.get("idempotent-replayed"),
    body: (await response.json()) as Answer["body"],
  };
}

const accountCount = async (server: TestServer, user: TestUser) =>
  ok(await server.graphql<{ accounts: { edges: unknown[] } }>("{ accounts(first: 100) { edges { node { id } } } }", {}, user.token))
    .accounts.edges.length;

describe("Idempotency-Key on mutations", function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  it("answers a retried createAccount with the first account, and creates one account", async () => {
    const owner = await signIn(server, `idem-${randomUUID()}@example.com`);
    const key = randomUUID();
    const first = await send(server.url, owner.token, CREATE, { name: "Retried" }, key);
    expect(first.body.errors).to.equal(undefined);
    expect(first.replayed).to.equal(null);
    // The same request again, written with other spacing: the same operation, so the same answer.
    const retry = await send(server.url, owner.token, CREATE.replace("mutation Create", "mutation   Create"), { name: "Retried" }, key);
    expect(retry.replayed).to.equal("true");
    expect(retry.status).to.equal(first.status);
    expect(retry.body).to.deep.equal(first.body);
    expect(await accountCount(server, owner)).to.equal(1);

    // Without the key a retry is a new request: the second account is what a client without a key risks.
    const unkeyed = await send(server.url, owner.token, CREATE, { name: "Retried" });
    expect(unkeyed.body.data!.createAccount.account.id).not.to.equal(first.body.data!.createAccount.account.id);
  });

  it("replays a retried acceptInvitation instead of refusing the invitation it already used", async () => {
    const admin = await signIn(server, `idem-admin-${randomUUID()}@example.com`);
    const invitee = await signIn(server, `idem-invitee-${randomUUID()}@example.com`);
    const accountId = ok(await server.graphql(CREATE, { name: "Invites" }, admin.token)).createAccount.account.id;
    const invited = ok(
      await server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
        { input: { accountId, email: invitee.email } },
        admin.token,
      ),
    );
    const accept = `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { role } } }`;
    const variables = { input: { invitationId: invited.addAccountMember.invitation.id } };
    const key = randomUUID();
    const first = await send(server.url, invitee.token, accept, variables, key);
    expect(first.body.errors).to.equal(undefined);
    const retry = await send(server.url, invitee.token, accept, variables, key);
    expect(retry.replayed).to.equal("true");
    expect(retry.body).to.deep.equal(first.body);
  });

  it("refuses the same key with other input with IDEMPOTENCY_KEY_REUSED, and runs nothing", async () => {
    const owner = await signIn(server, `idem-${randomUUID()}@example.com`);
    const key = randomUUID();
    ok(await send(server.url, owner.token, CREATE, { name: "One" }, key).then((answer) => ({ ...answer.body, status: answer.status })));
    const other = await send(server.url, owner.token, CREATE, { name: "Two" }, key);
    expect(other.status).to.equal(422);
    failsWith({ ...other.body, status: other.status }, "IDEMPOTENCY_KEY_REUSED");
    expect(await accountCount(server, owner)).to.equal(1);
  });

  it("keeps each caller's keys apart", async () => {
    const [a, b] = [await signIn(server, `idem-${randomUUID()}@example.com`), await signIn(server, `idem-${randomUUID()}@example.com`)];
    const key = randomUUID();
    const first = await send(server.url, a.token, CREATE, { name: "Same" }, key);
    const second = await send(server.url, b.token, CREATE, { name: "Same" }, key);
    expect(second.replayed).to.equal(null);
    expect(second.body.data!.createAccount.account.id).not.to.equal(first.body.data!.createAccount.account.id);
    expect([await accountCount(server, a), await accountCount(server, b)]).to.deep.equal([1, 1]);
  });

  it("keeps no record of a request that changed nothing: the key may then be used again", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "idem-refused");
    const key = randomUUID();
    const stale = `mutation($input: SetPrimaryContactInput!) { setPrimaryContact(input: $input) { account { contactsVersion primaryContact { id } } } }`;
    const refused = await send(
      server.url,
      admin.token,
      stale,
      { input: { accountId: account.id, userId: members[0]!.id, expectedVersion: account.contactsVersion - 1 } },
      key,
    );
    failsWith({ ...refused.body, status: refused.status }, "VERSION_CONFLICT");
    const rows = await selectRows(server.db, sql`SELECT "key" FROM "idempotency_keys" WHERE "key" = ${key}`);
    expect(rows).to.deep.equal([]);
    const corrected = await send(
      server.url,
      admin.token,
      stale,
      { input: { accountId: account.id, userId: members[0]!.id, expectedVersion: account.contactsVersion } },
      key,
    );
    expect(corrected.body.errors).to.equal(undefined);
    expect(corrected.body.data!.setPrimaryContact.account.primaryContact.id).to.equal(members[0]!.id);
  });

  it("never runs a request again whose change committed, even when its answer was lost", async () => {
    const owner = await signIn(server, `idem-${randomUUID()}@example.com`);
    const key = randomUUID();
    ok(
      await send(server.url, owner.token, CREATE, { name: "Lost answer" }, key).then((answer) => ({
        ...answer.body,
        status: answer.status,
      })),
    );
    // As after a crash between the commit and storing the answer: the key's row is there, its answer is not.
    await server.db.write((manager) =>
      changeRows(manager, sql`UPDATE "idempotency_keys" SET "response" = NULL, "status" = NULL WHERE "key" = ${key}`),
    );
    const retry = await send(server.url, owner.token, CREATE, { name: "Lost answer" }, key);
    expect(retry.status).to.equal(409);
    failsWith({ ...retry.body, status: retry.status }, "IDEMPOTENCY_KEY_IN_USE");
    expect(await accountCount(server, owner)).to.equal(1);
  });

  it("lets exactly one of several identical requests sent at once run; the others wait for its answer or hear IDEMPOTENCY_KEY_IN_USE", async () => {
    const owner = await signIn(server, `idem-${randomUUID()}@example.com`);
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 6 }, () => send(server.url, owner.token, CREATE, { name: "At once" }, key)));
    expect(await accountCount(server, owner)).to.equal(1);
    const ids = new Set(
      answers.filter((answer) => answer.body.data?.createAccount).map((answer) => answer.body.data!.createAccount.account.id),
    );
    expect(ids.size).to.equal(1);
    for (const answer of answers.filter((candidate) => !candidate.body.data?.createAccount)) {
      expect(answer.body.errors!.map((error) => error.extensions!.code)).to.deep.equal(["IDEMPOTENCY_KEY_IN_USE"]);
    }
  });

  it("forgets a key after the time it is kept for, and refuses a malformed key", async () => {
    const owner = await signIn(server, `idem-${randomUUID()}@example.com`);
    const key = randomUUID();
    ok(await send(server.url, owner.token, CREATE, { name: "Old" }, key).then((answer) => ({ ...answer.body, status: answer.status })));
    const kept = server.config.idempotencyKeyHours * 3600_000;
    await server.db.write((manager) =>
      changeRows(manager, sql`UPDATE "idempotency_keys" SET "createdAt" = ${Date.now() - kept - 60_000} WHERE "key" = ${key}`),
    );
    const later = await send(server.url, owner.token, CREATE, { name: "Old" }, key);
    expect(later.replayed).to.equal(null);
    expect(await accountCount(server, owner)).to.equal(2);

    const malformed = await send(server.url, owner.token, CREATE, { name: "Bad key" }, "two words");
    expect(malformed.status).to.equal(400);
    const error = failsWith({ ...malformed.body, status: malformed.status }, "BAD_USER_INPUT");
    expect(error.extensions!.invalidFields.map((entry: { field: string }) => entry.field)).to.deep.equal(["Idempotency-Key"]);
    expect(() => loadConfig({ AUTH_JWT_SECRET: "x".repeat(40), IDEMPOTENCY_KEY_HOURS: "23" })).to.throw(/IDEMPOTENCY_KEY_HOURS/);
  });
});

describe("several mutations in one document", function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(() => server.close());

  const TWO = `mutation Two($accountId: ID!, $primary: ID!, $stranger: ID!) {
    first: setPrimaryContact(input: { accountId: $accountId, userId: $primary }) { account { contactsVersion primaryContact { id } } }
    second: addBillingContact(input: { accountId: $accountId, userId: $stranger }) { account { contactsVersion } }
  }`;

  it("keeps the committed first mutation's payload in data when the second is refused, and a keyed retry replays both outcomes", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "two");
    const other = await accountWithMembers(server, 0, "two-other");
    const variables = { accountId: account.id, primary: members[0]!.id, stranger: other.admin.id };
    const key = randomUUID();
    const answer = await send(server.url, admin.token, TWO, variables, key);
    expect(answer.body.data!.first.account).to.deep.equal({
      contactsVersion: account.contactsVersion + 1,
      primaryContact: { id: members[0]!.id },
    });
    expect(answer.body.data!.second).to.equal(null);
    expect(answer.body.errors!.map((error) => [error.path, error.extensions!.code])).to.deep.equal([[["second"], "BAD_USER_INPUT"]]);
    const state = await readAccount(server, admin.token, account.id);
    expect(state.primaryContact.id).to.equal(members[0]!.id);

    const historyLength = (await readHistory(server, admin.token, account.id)).length;
    const retry = await send(server.url, admin.token, TWO, variables, key);
    expect(retry.replayed).to.equal("true");
    expect(retry.body).to.deep.equal(answer.body);
    expect(await readHistory(server, admin.token, account.id)).to.have.lengthOf(historyLength);
  });
});

describe("Idempotency-Key across processes", function () {
  this.timeout(60_000);
  if (!testingOnPostgres()) return;
  let first: TestServer;
  let second: TestServer;
  before(async () => {
    first = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    // Another process on the same database: a data source and pool of its own.
    second = await startTestServer({
      env: { MUTATION_RATE_LIMIT: "0" },
      databaseUrl: (first.db.dataSource.options as { url: string }).url,
    });
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  it("answers a retry sent to another process from the first process's record", async () => {
    expect(testDatabaseUrl()).to.match(/^postgres/);
    const owner = await signIn(first, `idem-${randomUUID()}@example.com`);
    const key = randomUUID();
    const answer = await send(first.url, owner.token, CREATE, { name: "Shared" }, key);
    const retry = await send(second.url, owner.token, CREATE, { name: "Shared" }, key);
    expect(retry.replayed).to.equal("true");
    expect(retry.body).to.deep.equal(answer.body);
    expect(await accountCount(first, owner)).to.equal(1);
  });
});
