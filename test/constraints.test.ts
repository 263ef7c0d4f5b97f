import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, mutate, ok, signIn } from "./helpers/factories";
import { AccountContact } from "../src/contacts/account-contact.entity";
import { decodeGlobalId } from "../src/common/global-id";
import type { ContactSlot } from "../src/contacts/contact.enums";

/** The database key behind an API id, for writing rows straight to the tables. */
const rowId = (id: string) => decodeGlobalId(id)!.key[0]!;

/** A slot row for `holder` of the account with this API id. */
const slotRow = (accountId: string, slot: ContactSlot, holder: { id: string; email: string }, position: number) => ({
  accountId: rowId(accountId),
  slot,
  position,
  userId: rowId(holder.id),
  email: holder.email,
  updatedAt: new Date(),
  updatedById: null,
});

/** The rules hold in the database itself, even for a write that bypasses the services. */
describe("database constraints", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function rejects(work: Promise<unknown>): Promise<void> {
    let failed = false;
    await work.catch(() => (failed = true));
    expect(failed, "the database accepted a row that breaks a rule").to.equal(true);
  }

  it("refuses a fourth billing contact row", async () => {
    const { admin, account, members } = await accountWithMembers(server, 4, "db4");
    for (const member of members.slice(0, 3))
      ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
    for (const position of [0, 2, 3, -1]) {
      await rejects(server.db.write((m) => m.insert(AccountContact, slotRow(account.id, "BILLING", members[3]!, position))));
    }
  });

  it("refuses billing and role contacts who are not members", async () => {
    const { account } = await accountWithMembers(server, 0, "dbm");
    const outsider = await signIn(server, "db-outsider@example.com");
    await rejects(server.db.write((m) => m.insert(AccountContact, slotRow(account.id, "BILLING", outsider, 0))));
    await rejects(server.db.write((m) => m.insert(AccountContact, slotRow(account.id, "TECHNICAL_ADMIN", outsider, 0))));
  });

  it("refuses an external contact for any role but SECURITY, and a second contact for one role", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "dbr");
    const row = {
      accountId: rowId(account.id),
      position: 0,
      userId: null,
      email: "x@outside.example",
      updatedAt: new Date(),
      updatedById: null,
    };
    await rejects(server.db.write((m) => m.insert(AccountContact, { ...row, slot: "DECISION_MAKER" })));
    await server.db.write((m) => m.insert(AccountContact, { ...row, slot: "SECURITY" }));
    await rejects(server.db.write((m) => m.insert(AccountContact, slotRow(account.id, "SECURITY", admin, 0))));
    await rejects(server.db.write((m) => m.insert(AccountContact, { ...row, slot: "SECURITY", position: 1 })));
  });

  it("refuses a primary contact who is not a member", async () => {
    const { account } = await accountWithMembers(server, 0, "dbp");
    const outsider = await signIn(server, "db-primary-outsider@example.com");
    await rejects(
      server.db.write((m) =>
        m.update(
          AccountContact,
          { accountId: rowId(account.id), slot: "PRIMARY", position: 0 },
          { userId: rowId(outsider.id), email: outsider.email },
        ),
      ),
    );
    await rejects(server.db.write((m) => m.insert(AccountContact, slotRow(account.id, "PRIMARY", outsider, 1))));
  });
});
