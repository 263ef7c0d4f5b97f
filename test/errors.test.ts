import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, mutate, ok, readAccount, readHistory } from "./helpers/factories";
import { ContactSlot } from "../src/contacts/contact.enums";
import type { Database } from "../src/database";

/** Makes the database refuse any CLEAR history row, so a multi-row change fails part-way through. */
async function failClearHistoryRows(db: Database): Promise<void> {
  if (db.driver === "sqlite") {
    await db.write((m) =>
      m.query(
        `CREATE TRIGGER "fail_clear" BEFORE INSERT ON "contact_changes" WHEN NEW."action" = 'CLEAR' BEGIN SELECT RAISE(ABORT, 'injected failure in contact_changes'); END`,
      ),
    );
  } else {
    await db.write(async (m) => {
      await m.query(
        `CREATE FUNCTION "fail_clear"() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure in contact_changes'; END $$ LANGUAGE plpgsql`,
      );
      await m.query(
        `CREATE TRIGGER "fail_clear" BEFORE INSERT ON "contact_changes" FOR EACH ROW WHEN (NEW."action" = 'CLEAR') EXECUTE FUNCTION "fail_clear"()`,
      );
    });
  }
}

describe("unexpected errors in production", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { NODE_ENV: "production" } });
  });
  after(() => server.close());

  it("rolls back every row of a change that fails part-way, and shows only INTERNAL_SERVER_ERROR", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "atomic");
    const leaving = members[0]!;
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: leaving.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", userId: leaving.id }));
    const before = await readAccount(server, admin.token, account.id);
    const historyBefore = await readHistory(server, admin.token, account.id);
    await failClearHistoryRows(server.db);

    // Removing the member deletes their billing row and history first, then fails clearing their role.
    const response = await mutate(server, admin.token, "removeAccountMember", { accountId: account.id, userId: leaving.id });
    const error = failsWith(response, "INTERNAL_SERVER_ERROR");
    const body = JSON.stringify(response);
    for (const leak of ["injected", "contact_changes", "SQLITE", "INSERT", "stack", "at ", ".js:"]) expect(body).to.not.contain(leak);
    expect(Object.keys(error.extensions!)).to.deep.equal(["code"]);
    expect(server.logged.map(String).join("\n")).to.contain("injected failure");

    expect(await readAccount(server, admin.token, account.id)).to.deep.equal(before);
    expect(await readHistory(server, admin.token, account.id)).to.deep.equal(historyBefore);
  });

  it("turns introspection off", async () => {
    const { admin } = await accountWithMembers(server, 0, "intro");
    const response = await server.graphql("{ __schema { queryType { name } } }", {}, admin.token);
    expect(response.errors?.[0]?.extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
    expect(response.data ?? null).to.equal(null);
  });
});

describe("introspection settings", () => {
  it("allows introspection in production when GRAPHQL_INTROSPECTION=true", async () => {
    const server = await startTestServer({ env: { NODE_ENV: "production", GRAPHQL_INTROSPECTION: "true" } });
    try {
      const response = await server.graphql("{ __schema { queryType { name } } }", {}, null);
      expect(ok(response).__schema.queryType.name).to.equal("Query");
    } finally {
      await server.close();
    }
  });

  it("allows introspection outside production by default", async () => {
    const server = await startTestServer();
    try {
      expect(
        ok(await server.graphql('{ __type(name: "ContactSlot") { enumValues { name } } }', {}, null)).__type.enumValues,
      ).to.have.lengthOf(Object.keys(ContactSlot).length);
    } finally {
      await server.close();
    }
  });
});
