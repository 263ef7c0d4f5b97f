import { expect } from "chai";
import { startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, mutate, ok, type TestUser } from "./helpers/factories";
import { NOTIFICATION_CATEGORIES } from "../src/contacts/notification-routing";

/**
 * Which slots each category reaches, written out by hand on purpose rather than read from
 * NOTIFICATION_CATEGORIES: an independent expected table is what lets these tests fail when a route
 * changes by mistake. Change it together with src/contacts/notification-routing.ts.
 */
const ROUTES: Record<string, string[]> = {
  INVOICE: ["PRIMARY", "BILLING"],
  RECEIPT: ["PRIMARY", "BILLING"],
  ORDER: ["PRIMARY", "BILLING"],
  RENEWAL: ["PRIMARY", "BILLING", "DECISION_MAKER"],
  ACCOUNT_UPDATE: ["PRIMARY"],
  SECURITY: ["PRIMARY", "SECURITY", "TECHNICAL_ADMIN"],
  TECHNICAL: ["PRIMARY", "TECHNICAL_ADMIN"],
  IMPLEMENTATION: ["PRIMARY", "IMPLEMENTATION"],
};

describe("notification routing", () => {
  let server: TestServer;
  let admin: TestUser;
  let accountId: string;
  // One distinct holder per slot, so every recipient has exactly one reason.
  const holders: Record<string, string> = {};

  before(async () => {
    server = await startTestServer();
    const setup = await accountWithMembers(server, 7, "route");
    admin = setup.admin;
    accountId = setup.account.id;
    const [primary, billing1, billing2, decision, implementation, technical, billing0] = setup.members;
    const run = (name: string, input: Record<string, unknown>) => mutate(server, admin.token, name, { accountId, ...input }).then(ok);
    await run("setPrimaryContact", { userId: primary!.id });
    for (const member of [billing0!, billing1!, billing2!]) await run("addBillingContact", { userId: member.id });
    await run("setRoleContact", { role: "DECISION_MAKER", userId: decision!.id });
    await run("setRoleContact", { role: "IMPLEMENTATION", userId: implementation!.id });
    await run("setRoleContact", { role: "SECURITY", email: "soc@outside.example" });
    await run("setRoleContact", { role: "TECHNICAL_ADMIN", userId: technical!.id });
    Object.assign(holders, {
      PRIMARY: primary!.email,
      DECISION_MAKER: decision!.email,
      IMPLEMENTATION: implementation!.email,
      SECURITY: "soc@outside.example",
      TECHNICAL_ADMIN: technical!.email,
    });
    holders.BILLING = [billing0!.email, billing1!.email, billing2!.email].join(",");
  });
  after(() => server.close());

  const recipients = async (category: string) =>
    ok(
      await server.graphql(
        `query($id: ID!, $category: NotificationCategory!) { account(id: $id) { notificationRecipients(category: $category) { email reasons user { email } } } }`,
        { id: accountId, category },
        admin.token,
      ),
    ).account.notificationRecipients as { email: string; reasons: string[]; user: { email: string } | null }[];

  it("covers every category the service routes", () => {
    expect(NOTIFICATION_CATEGORIES.map((category) => category.name)).to.have.members(Object.keys(ROUTES));
  });

  for (const [category, slots] of Object.entries(ROUTES)) {
    it(`sends ${category} to ${slots.join(", ")}, in slot order`, async () => {
      const expected = slots.flatMap((slot) => holders[slot]!.split(",").map((email) => ({ email, reasons: [slot] })));
      const actual = await recipients(category);
      expect(actual.map(({ email, reasons }) => ({ email, reasons }))).to.deep.equal(expected);
      for (const recipient of actual) {
        expect(recipient.user === null).to.equal(recipient.email === "soc@outside.example");
      }
    });
  }

  it("lists a person once with every slot that makes them a recipient", async () => {
    const { admin: owner, account } = await accountWithMembers(server, 0, "dedupe");
    const run = (name: string, input: Record<string, unknown>) =>
      mutate(server, owner.token, name, { accountId: account.id, ...input }).then(ok);
    await run("addBillingContact", { userId: owner.id });
    await run("setRoleContact", { role: "DECISION_MAKER", userId: owner.id });
    await run("setRoleContact", { role: "TECHNICAL_ADMIN", userId: owner.id });
    await run("setRoleContact", { role: "SECURITY", email: owner.email });
    const query = `query($id: ID!, $category: NotificationCategory!) { account(id: $id) { notificationRecipients(category: $category) { email reasons } } }`;
    const renewal = ok(await server.graphql(query, { id: account.id, category: "RENEWAL" }, owner.token)).account.notificationRecipients;
    expect(renewal).to.deep.equal([{ email: owner.email, reasons: ["PRIMARY", "BILLING", "DECISION_MAKER"] }]);
    const security = ok(await server.graphql(query, { id: account.id, category: "SECURITY" }, owner.token)).account.notificationRecipients;
    expect(security).to.deep.equal([{ email: owner.email, reasons: ["PRIMARY", "SECURITY", "TECHNICAL_ADMIN"] }]);
  });
});
