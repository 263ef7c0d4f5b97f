import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Database, MIGRATIONS } from "../src/database";
import { changeRows, selectRows, sql } from "../src/common/sql";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, type TestServer } from "./helpers/server";
import { accountWithMembers, ok, readAccount } from "./helpers/factories";

/** The membership history and invitation migrations, reverted together as `migration:revert` run twice would. */
const FROM_MEMBER_HISTORY = MIGRATIONS.slice(MIGRATIONS.findIndex((migration) => migration.name === "MemberHistory1796950000000")).map(
  (migration) => migration.name,
);

describe("the membership history and invitations migrations (1796950000000, 1796960000000)", () => {
  let url: string;
  let directory: string | null = null;
  let db: Database;
  let server: TestServer;

  before(async () => {
    if (testDatabaseUrl().startsWith("sqlite:")) {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-invitations-migration-"));
      url = `sqlite:${path.join(directory, "contacts.sqlite")}`;
    } else {
      url = await freshDatabaseUrl();
    }
    db = await Database.open({ databaseUrl: url });
    await db.migrate();
    server = await startTestServer({ db, env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(async () => {
    await server?.close();
    await db?.close();
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    else await dropTestDatabase(url);
  });

  const memberships = () =>
    selectRows(db, sql`SELECT "accountId", "userId", "role", "nameGivenByAdmin" FROM "account_members" ORDER BY "accountId", "userId"`);
  const tables = async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      return { invitations: await runner.hasTable("account_invitations"), history: await runner.hasTable("member_changes") };
    } finally {
      await runner.release();
    }
  };

  it("keeps every membership as it is, down and up again; down drops pending invitations and their messages", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2);
    ok(
      await server.graphql(
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
        { input: { accountId: account.id, email: "still-pending@example.com" } },
        admin.token,
      ),
    );
    const before = await memberships();
    expect(before).to.have.lengthOf(3);

    for (const _ of FROM_MEMBER_HISTORY) await db.dataSource.undoLastMigration({ transaction: "all" });
    expect(await memberships()).to.deep.equal(before);
    expect(await tables()).to.deep.equal({ invitations: false, history: false });
    expect(await selectRows(db, sql`SELECT "id" FROM "outbox_messages" WHERE "kind" = 'INVITATION'`)).to.deep.equal([]);
    const accountRowId = before[0]!.accountId as string;
    const message = (kind: string) =>
      db.write((manager) =>
        changeRows(
          manager,
          sql`INSERT INTO "outbox_messages" ("accountId", "kind", "email", "mailbox", "subject", "body", "state", "attempts", "createdAt", "nextAttemptAt")
              VALUES (${accountRowId}, ${kind}, 'x@example.com', 'x@example.com', 's', 'b', 'SENT', 0, ${new Date().toISOString()}, ${new Date().toISOString()})`,
        ),
      );
    expect(
      await message("TEST").then(
        () => "accepted",
        (error: Error) => error.message,
      ),
    ).to.equal("accepted");
    const invitationMessage = () => message("INVITATION");
    expect(
      await invitationMessage().then(
        () => "accepted",
        () => "refused",
      ),
      "the older kinds only",
    ).to.equal("refused");

    expect(await db.migrate()).to.deep.equal(FROM_MEMBER_HISTORY);
    expect(await memberships()).to.deep.equal(before);
    expect(await tables()).to.deep.equal({ invitations: true, history: true });
    for (const member of members)
      expect((await readAccount(server, member.token, account.id)).viewerRole, "still a member").to.equal("MEMBER");
    const invitations = ok(
      await server.graphql(`query($id: ID!) { account(id: $id) { invitations { totalCount } } }`, { id: account.id }, admin.token),
    );
    expect(invitations.account.invitations.totalCount).to.equal(0);
  });
});
