import { expect } from "chai";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, mutate, ok, readAccount, signIn, type TestUser } from "./helpers/factories";

/*
 * One definition of a valid email address, whichever door an address comes in by: the email claim
 * of a sign-in token, addAccountMember, setRoleContact and saveAccountContacts. Each address below
 * is accepted by all of them (stored in the same normalised form) or refused by all of them.
 */

const LONG_LOCAL = "l".repeat(64);
const LONG_LABEL = "d".repeat(63);
/** 64 + 1 + 255 characters: the longest address accepted. */
const LONGEST = `${LONG_LOCAL}@${[LONG_LABEL, LONG_LABEL, LONG_LABEL, "d".repeat(55)].join(".")}.example`;

const ACCEPTED: [input: string, stored: string][] = [
  ["grace@example.com", "grace@example.com"],
  ["  Grace.Hopper+Ops@Example.COM  ", "grace.hopper+ops@example.com"],
  ["o'brien@example.ie", "o'brien@example.ie"],
  ["first_last-1@sub.domain.example", "first_last-1@sub.domain.example"],
  ["!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"],
  // Internationalised domains are stored as their ASCII (punycode) form, the one mail is routed by.
  ["anna@bücher.example", "anna@xn--bcher-kva.example"],
  ["anna@BÜCHER.example", "anna@xn--bcher-kva.example"],
  ["anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example"],
  ["kenji@例え.テスト", "kenji@xn--r8jz45g.xn--zckzah"],
  [LONGEST, LONGEST],
];

const REFUSED: string[] = [
  "",
  // Punycode that does not decode, or decodes to something that encodes otherwise.
  "a@xn--zz.example",
  "a@xn--.example",
  "a@xn--abc-.example",
  "a@XN--ZZ.example",
  "a@mail.xn--a.example",
  "plainaddress",
  "@example.com",
  "a@",
  "a@@example.com",
  "a@b@example.com",
  "a..b@example.com",
  ".a@example.com",
  "a.@example.com",
  `"victim"@target.example`,
  `"a b"@example.com`,
  `"a\\"b"@example.com`,
  "a\\b@example.com",
  "a(comment)@example.com",
  "Name <a@example.com>",
  "<a@example.com>",
  "a b@example.com",
  "a\tb@example.com",
  "a@example",
  "a@localhost",
  "a@example.123",
  "a@example.c",
  "a@127.0.0.1",
  "a@[127.0.0.1]",
  "a@exa_mple.com",
  "a@-example.com",
  "a@example-.com",
  "a@example..com",
  "a@.example.com",
  "a@example.com.",
  "a@ex%41mple.com",
  "a\u0000b@example.com",
  "a@example.com\u0000",
  "a\u001bb@example.com",
  "a\u007fb@example.com",
  "a\u0085b@example.com",
  "a@example.com\r\nBcc: everyone@evil.example",
  "a@example.com\n",
  "\na@example.com",
  "a\nb@example.com",
  "a@exam\u202eple.com",
  "a@ex\u200bample.com",
  "a@ex\u00adample.com",
  "a\u00a0b@example.com",
  "a@example.com\u2028",
  "a\ud800@example.com",
  // Non-ASCII before the @ needs SMTPUTF8 all the way to the mailbox: refused.
  "josé@example.com",
  "用户@例子.广告",
  "ａ@example.com",
  `${LONG_LOCAL}l@example.com`,
  `a@${"d".repeat(64)}.example`,
  `${LONGEST.slice(0, 65)}x${LONGEST.slice(65)}`,
  `${LONG_LOCAL}@d.${LONGEST.slice(65)}`,
];

describe("email addresses", function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: TestUser;
  let accountId: string;

  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    ({
      admin,
      account: { id: accountId },
    } = await accountWithMembers(server, 0, "emails"));
  });
  after(() => server.close());

  const addMember = (email: string) =>
    server.graphql(
      `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { member { user { email } } invitation { email } } }`,
      { input: { accountId, email } },
      admin.token,
    );
  const setSecurity = (email: string) => mutate(server, admin.token, "setRoleContact", { accountId, role: "SECURITY", email });
  const saveSecurity = async (email: string) => {
    const current = await readAccount(server, admin.token, accountId);
    return mutate(server, admin.token, "saveAccountContacts", {
      accountId,
      expectedVersion: current.contactsVersion,
      primaryContactUserId: current.primaryContact.id,
      billingContactUserIds: [],
      roleContacts: [{ role: "SECURITY", email }],
    });
  };
  const signInAs = async (email: string) => server.graphql("{ viewer { id email } }", {}, await tokenFor(email));
  const securityEmail = async () =>
    (await readAccount(server, admin.token, accountId)).roleContacts.find((role) => role.role === "SECURITY")?.email ?? null;
  const userCount = async () => Number((await server.db.read((m) => m.query(`SELECT COUNT(*) AS "n" FROM "users"`)))[0].n);

  for (const [input, stored] of ACCEPTED) {
    it(`accepts ${JSON.stringify(input)} everywhere, as ${stored}`, async () => {
      const added = ok(await addMember(input)).addAccountMember;
      expect([added.member.user.email, added.invitation.email]).to.deep.equal([stored, stored]);
      expect(ok(await signInAs(input)).viewer.email).to.equal(stored);
      ok(await setSecurity(input));
      expect(await securityEmail()).to.equal(stored);
      ok(await mutate(server, admin.token, "clearRoleContact", { accountId, role: "SECURITY" }));
      ok(await saveSecurity(input));
      expect(await securityEmail()).to.equal(stored);
    });
  }

  it("refuses every other address the same way at every door, and writes nothing", async () => {
    ok(await setSecurity("kept-security@example.com"));
    const before = { users: await userCount(), account: await readAccount(server, admin.token, accountId) };
    const problems: string[] = [];
    for (const email of REFUSED) {
      const label = JSON.stringify(email);
      const signIn = await signInAs(email);
      if (signIn.errors?.[0]?.extensions?.code !== "UNAUTHENTICATED") problems.push(`sign-in ${label}: ${JSON.stringify(signIn)}`);
      for (const [door, response] of [
        ["addAccountMember", await addMember(email)],
        ["setRoleContact", await setSecurity(email)],
        ["saveAccountContacts", await saveSecurity(email)],
      ] as const) {
        const error = response.errors?.[0];
        const fields = (error?.extensions?.invalidFields ?? []).map((field: { field: string }) => field.field);
        if (
          response.errors?.length !== 1 ||
          error?.extensions?.code !== "BAD_USER_INPUT" ||
          !fields.some((field: string) => /(^|\.)email$/.test(field))
        ) {
          problems.push(`${door} ${label}: ${JSON.stringify(response.errors ?? response.data)}`);
        }
      }
    }
    expect(problems, problems.join("\n")).to.deep.equal([]);
    expect(await userCount()).to.equal(before.users);
    expect(await readAccount(server, admin.token, accountId)).to.deep.equal(before.account);
  });

  it("knows one mailbox as one user, however its address is written", async () => {
    expect(ok(await addMember("Victim@Target.Example")).addAccountMember.member.user.email).to.equal("victim@target.example");
    const ids = new Set<string>();
    for (const email of ["victim@target.example", " VICTIM@target.EXAMPLE ", "victim@ｔａｒｇｅｔ.example"])
      ids.add(ok(await signInAs(email)).viewer.id);
    expect(ids.size).to.equal(1);
    failsWith(await signInAs(`"victim"@target.example`), "UNAUTHENTICATED");
    failsWith(await addMember(`"victim"@target.example`), "BAD_USER_INPUT");
    const victim = await signIn(server, "victim@target.example");
    expect([...ids]).to.deep.equal([victim.id]);
  });

  it("refuses an address padded with a long run of spaces at once, at every door", async () => {
    const padded = (spaces: number) => ` a${" ".repeat(spaces)}x@example.com `;
    const started = Date.now();
    failsWith(await addMember(padded(60_000)), "BAD_USER_INPUT");
    failsWith(await setSecurity(padded(60_000)), "BAD_USER_INPUT");
    // A request's headers are capped well below that; the token's claim goes through the same check.
    failsWith(await signInAs(padded(8_000)), "UNAUTHENTICATED");
    expect(Date.now() - started).to.be.below(2_000);
  });

  it("gives the reason when the part before the @ is not ASCII", async () => {
    const error = failsWith(await addMember("josé@example.com"), "BAD_USER_INPUT");
    expect(error.message).to.match(/ASCII/);
  });
});
