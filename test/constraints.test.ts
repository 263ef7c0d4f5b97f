import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, mutate, ok, signIn } from "./helpers/factories";
import { BillingContact } from "../src/contacts/billing-contact.entity";
import { ContactRole } from "../src/contacts/contact-role.entity";
import { Account } from "../src/accounts/account.entity";
import { decodeGlobalId } from "../src/common/global-id";

/** The database key behind an API id, for writing rows straight to the tables. */
const rowId = (id: string) => decodeGlobalId(id)!.key[0]!;

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
    for (const member of members.slice(0, 3)) ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
    for (const position of [0, 2, 3, -1]) {
      await rejects(server.db.write((m) => m.insert(BillingContact, { accountId: rowId(account.id), userId: rowId(members[3]!.id), position, addedAt: new Date() })));
    }
  });

  it("refuses billing and role contacts who are not members", async () => {
    const { account } = await accountWithMembers(server, 0, "dbm");
    const outsider = await signIn(server, "db-outsider@example.com");
    await rejects(server.db.write((m) => m.insert(BillingContact, { accountId: rowId(account.id), userId: rowId(outsider.id), position: 0, addedAt: new Date() })));
    await rejects(
      server.db.write((m) =>
        m.insert(ContactRole, { accountId: rowId(account.id), role: "TECHNICAL_ADMIN" as never, userId: rowId(outsider.id), email: outsider.email, updatedAt: new Date(), updatedById: null }),
      ),
    );
  });

  it("refuses an external contact for any role but SECURITY, and a second contact for one role", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "dbr");
    const row = { accountId: rowId(account.id), userId: null, email: "x@outside.example", updatedAt: new Date(), updatedById: null };
    await rejects(server.db.write((m) => m.insert(ContactRole, { ...row, role: "DECISION_MAKER" as never })));
    await server.db.write((m) => m.insert(ContactRole, { ...row, role: "SECURITY" as never }));
    await rejects(server.db.write((m) => m.insert(ContactRole, { ...row, userId: rowId(admin.id), email: admin.email, role: "SECURITY" as never })));
  });

  it("refuses a primary contact who is not a member", async () => {
    const { account } = await accountWithMembers(server, 0, "dbp");
    const outsider = await signIn(server, "db-primary-outsider@example.com");
    await rejects(server.db.write((m) => m.update(Account, { id: rowId(account.id) }, { primaryContactId: rowId(outsider.id) })));
  });
});
