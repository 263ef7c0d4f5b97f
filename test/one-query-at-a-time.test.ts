import { expect } from "chai";
import pg from "pg";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, mutate, ok } from "./helpers/factories";
import { testingOnPostgres } from "./helpers/postgres";

/*
 * A transaction has one connection, and a connection runs one query at a time: node-postgres queues
 * a query sent before the previous one answered, warns from the second one waiting on, and version 9
 * refuses. Every client of this process is watched from before the first test of the suite runs
 * (files load first), and the last hook fails the run if any test, in any file, sent a query to a
 * connection whose previous query had not answered yet.
 */
const overlapping: string[] = [];
/** The queries each client has been sent whose callers have not heard back yet. */
const waiting = new WeakMap<pg.Client, number>();
const query = pg.Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
(pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
  const pending = waiting.get(this) ?? 0;
  if (pending > 0) overlapping.push(new Error("A query was sent to a connection whose previous query has not answered yet.").stack ?? "");
  waiting.set(this, pending + 1);
  const answered = () => waiting.set(this, (waiting.get(this) ?? 1) - 1);
  const last = args.length - 1;
  const callback = args[last];
  if (typeof callback === "function") {
    args[last] = (...results: unknown[]) => {
      answered();
      return (callback as (...results: unknown[]) => unknown)(...results);
    };
    return query.apply(this, args);
  }
  const result = query.apply(this, args);
  if (result && typeof (result as Promise<unknown>).then === "function") (result as Promise<unknown>).then(answered, answered);
  else answered();
  return result;
};

after(() => {
  if (overlapping.length) throw new Error(`A PostgreSQL connection was sent a query while running another:\n${overlapping.join("\n")}`);
});

describe("one query at a time on a transaction's connection", () => {
  let server: TestServer;
  before(async function () {
    if (!testingOnPostgres()) this.skip();
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(async () => {
    await server?.close();
  });

  it("reads a test notification's recipients and a leaving member's slots one statement after another", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "serial");
    const [leaving, successor] = members as [(typeof members)[number], (typeof members)[number]];
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: leaving.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", userId: leaving.id }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "DECISION_MAKER", userId: successor.id }));
    const sent = await server.graphql(
      `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { deliveries { email state } } }`,
      { input: { accountId: account.id, category: "SECURITY" } },
      admin.token,
    );
    expect(ok(sent).sendTestNotification.deliveries.map((delivery: { email: string }) => delivery.email)).to.include(leaving.email);
    const removed = await server.graphql(
      `mutation($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) { account { billingContacts { id } roleContacts { role user { id } } } } }`,
      { input: { accountId: account.id, userId: leaving.id, reassignTo: successor.id } },
      admin.token,
    );
    const after = ok(removed).removeAccountMember.account;
    expect(after.billingContacts).to.deep.equal([{ id: successor.id }]);
    expect(after.roleContacts.map((role: { role: string; user: { id: string } }) => `${role.role} ${role.user.id}`)).to.deep.equal([
      `DECISION_MAKER ${successor.id}`,
      `SECURITY ${successor.id}`,
    ]);
    expect(overlapping).to.deep.equal([]);
  });
});
