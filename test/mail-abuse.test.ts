import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DeliveryWorker } from "../src/notifications/delivery.worker";
import { logFileTransport, smtpTransport } from "../src/notifications/mail-transport";
import { DeliveryKind, NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { ContactVerification } from "../src/verification/contact-verification.entity";
import { TOKEN_PLACEHOLDER } from "../src/verification/verification-tokens";
import { Account } from "../src/accounts/account.entity";
import { User } from "../src/users/user.entity";
import { globalId, rowIdOf } from "../src/common/global-id";
import { startTestServer, type GraphQLResponse, type TestServer } from "./helpers/server";
import { accountWithMembers, createAccount, failsWith, mutate, ok, readAccount, signIn, type TestUser } from "./helpers/factories";
import { parseMail, TestSmtpServer, type ReceivedMail } from "./helpers/smtp";
import { invitationTokenFor } from "./helpers/outbox";
import { Random } from "./helpers/random";
import { CONTACT_ROLE_ORDER } from "../src/contacts/contact.enums";
import { nameForSubject, quotedName, SUBJECT_NAME_LENGTH } from "../src/notifications/mail-text";

/*
 * Outbound mail abuse: who can make this service mail whom, how much, and with what text. Anyone can
 * sign in and create an account, so every account name and outside address here is the attacker's.
 */

const FROM = "contact-points <no-reply@test.example>";
const PER_ACCOUNT_PER_HOUR = 6;
const VERIFICATIONS_PER_ADDRESS_PER_DAY = 2;

const SEND = `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { deliveries { id email state skipReason } } }`;
const VERIFY = `mutation($input: VerifyContactEmailInput!) { verifyContactEmail(input: $input) { verification { state email } } }`;
const RESEND = `mutation($input: ResendContactVerificationInput!) { resendContactVerification(input: $input) { account { id } } }`;
const SET_ROLE = `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`;
const HEALTH = `query($id: ID!) { account(id: $id) { contactHealth { needsAttention issues { slot email kind } } } }`;
const ATTENTION = `{ accountsNeedingAttention(first: 100) { edges { node { id } } } }`;
const ADD_MEMBER = `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { account { id } } }`;

/** The header lines a message of ours may have; anything else was smuggled in. */
const OUR_HEADERS = new Set(["from", "to", "subject", "message-id", "date", "mime-version", "content-type", "content-transfer-encoding"]);

interface Delivery {
  id: string;
  email: string;
  state: string;
  skipReason: string | null;
}

describe("outbound mail abuse", () => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let worker: DeliveryWorker;

  before(async () => {
    server = await startTestServer({
      env: {
        MUTATION_RATE_LIMIT: "0",
        MAIL_PER_ACCOUNT_PER_HOUR: String(PER_ACCOUNT_PER_HOUR),
        MAIL_VERIFICATIONS_PER_ADDRESS_PER_DAY: String(VERIFICATIONS_PER_ADDRESS_PER_DAY),
      },
    });
    smtp = new TestSmtpServer();
    const url = await smtp.start();
    worker = new DeliveryWorker(server.db, smtpTransport(url, FROM), {
      pollMs: 20,
      maxAttempts: 1,
      retryBaseMs: 10,
      tokens: server.app.outbox.tokens,
    });
  });
  after(async () => {
    await worker.stop();
    await server.close();
    await smtp.close();
  });

  /** Sends everything due, as the worker in the server process would. */
  async function drain(): Promise<void> {
    while ((await worker.runOnce()) > 0);
  }
  const send = async (user: TestUser, accountId: string, category: string): Promise<Delivery[]> =>
    ok(await server.graphql(SEND, { input: { accountId, category } }, user.token)).sendTestNotification.deliveries;
  const setOutsideSecurity = (admin: TestUser, accountId: string, email: string) =>
    mutate(server, admin.token, "setRoleContact", { accountId, role: "SECURITY", email });
  /** An account's row id, as the database tables hold it, from its global id. */
  const rowOf = (accountId: string) => rowIdOf(accountId, "Account", "accountId");
  const queuedFor = (accountId: string) => server.db.read((m) => m.countBy(NotificationDelivery, { accountId: rowOf(accountId) }));
  /** A unique address outside every account. */
  const stranger = (label: string) => `${label}-${Math.random().toString(36).slice(2, 8)}@victim.example`;

  /** The raw HTTP answer, headers included. */
  async function post(token: string, query: string, variables: Record<string, unknown>) {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as GraphQLResponse };
  }

  /** Asserts a refusal for the cap: 429, RATE_LIMITED, and the same wait in the body and in Retry-After. */
  function isRateLimited(answer: Awaited<ReturnType<typeof post>>, longestWaitSeconds: number): void {
    expect(answer.status).to.equal(429);
    const error = failsWith(answer.body, "RATE_LIMITED");
    expect(error.extensions?.retryAfterSeconds).to.be.within(1, longestWaitSeconds);
    expect(Number(answer.retryAfter)).to.equal(error.extensions?.retryAfterSeconds);
  }

  describe("who receives optional mail", () => {
    it("sends an outside address nothing but the confirmation request until its owner verifies it", async () => {
      const attacker = await signIn(server, `attacker-${Math.random().toString(36).slice(2, 8)}@example.com`);
      const account = await createAccount(server, attacker, "Your bank");
      const victim = stranger("unverified");
      ok(await setOutsideSecurity(attacker, account.id, victim));
      for (let round = 0; round < 3; round++) {
        const deliveries = await send(attacker, account.id, "SECURITY");
        expect(deliveries.find((delivery) => delivery.email === victim)).to.include({
          state: "SKIPPED",
          skipReason: "ADDRESS_NOT_VERIFIED",
        });
      }
      await drain();
      expect(smtp.to(victim).map((mail) => mail.subject)).to.have.lengthOf(1);
      expect(smtp.to(victim)[0]!.subject).to.match(/^Confirm that you are the security contact/);
      // The attacker is still told about every delivery, the skipped ones included.
      const rows = await server.db.read((m) => m.find(NotificationDelivery, { where: { accountId: rowOf(account.id), email: victim } }));
      expect(rows.map((row) => `${row.kind} ${row.state}`).sort()).to.deep.equal([
        "TEST SKIPPED",
        "TEST SKIPPED",
        "TEST SKIPPED",
        "VERIFICATION SENT",
      ]);
    });

    it("sends a member who never signed in nothing optional, and contact health says why until they sign in", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "unsigned");
      const added = `added-${Math.random().toString(36).slice(2, 10)}@example.com`;
      ok(await server.graphql(ADD_MEMBER, { input: { accountId: account.id, email: added } }, admin.token));
      // Accepted from the mailed link, which is no sign-in: the address has still not been seen signing in.
      const accepted = await fetch(`${server.url.replace(/\/graphql$/, "")}/invitation`, {
        method: "POST",
        body: new URLSearchParams({ token: await invitationTokenFor(server, added), answer: "accept" }),
      });
      expect(accepted.status).to.equal(200);
      const member = globalId("User", (await server.db.read((m) => m.findOneByOrFail(User, { email: added }))).id);
      const input = (extra: Record<string, unknown>) => ({ accountId: account.id, ...extra });
      ok(await mutate(server, admin.token, "setPrimaryContact", input({ userId: member })));
      ok(await mutate(server, admin.token, "addBillingContact", input({ userId: member })));
      // Every role is held (so no role is missing), the technical administrator's by the member who never signed in.
      for (const role of CONTACT_ROLE_ORDER.filter((name) => name !== "TECHNICAL_ADMIN")) {
        ok(await mutate(server, admin.token, "setRoleContact", input({ role, userId: admin.id })));
      }
      ok(await mutate(server, admin.token, "setRoleContact", input({ role: "TECHNICAL_ADMIN", userId: member })));

      const deliveries = await send(admin, account.id, "INVOICE");
      expect(deliveries.map(({ email, state, skipReason }) => ({ email, state, skipReason }))).to.deep.equal([
        { email: added, state: "SKIPPED", skipReason: "NEVER_SIGNED_IN" },
      ]);
      const health = ok(await server.graphql(HEALTH, { id: account.id }, admin.token)).account.contactHealth;
      expect(health.issues).to.deep.equal([
        { slot: "PRIMARY", email: added, kind: "NEVER_SIGNED_IN" },
        { slot: "BILLING", email: added, kind: "NEVER_SIGNED_IN" },
        { slot: "TECHNICAL_ADMIN", email: added, kind: "NEVER_SIGNED_IN" },
      ]);
      const attention = async () =>
        ok(await server.graphql(ATTENTION, {}, admin.token)).accountsNeedingAttention.edges.map((edge: any) => edge.node.id);
      expect(await attention()).to.include(account.id);
      await drain();
      expect(
        smtp.to(added).map((mail) => mail.subject),
        "the invitation only",
      ).to.deep.equal([`You are invited to join the account "Test Account"`]);

      // Signing in shows the address is theirs: the issue clears and mail goes.
      await signIn(server, added);
      expect(ok(await server.graphql(HEALTH, { id: account.id }, admin.token)).account.contactHealth).to.deep.equal({
        needsAttention: false,
        issues: [],
      });
      expect(await attention()).to.not.include(account.id);
      expect((await send(admin, account.id, "INVOICE")).map((delivery) => delivery.state)).to.deep.equal(["PENDING"]);
      await drain();
      expect(
        smtp
          .to(added)
          .map((mail) => mail.subject)
          .slice(1),
      ).to.deep.equal([`Test notification (invoices) for the account "Test Account"`]);
    });
  });

  describe("how much mail", () => {
    it("caps the mail one account causes in an hour: past it RATE_LIMITED with 429 and Retry-After, and nothing is queued or changed", async () => {
      const { admin, account, members } = await accountWithMembers(server, 3, "cap");
      // The members' invitations count toward the cap too; this test counts from an empty hour.
      await server.db.write((m) => m.delete(NotificationDelivery, { accountId: rowOf(account.id), kind: DeliveryKind.INVITATION }));
      for (const member of members)
        ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
      expect(await send(admin, account.id, "INVOICE")).to.have.lengthOf(4);

      isRateLimited(await post(admin.token, SEND, { input: { accountId: account.id, category: "INVOICE" } }), 3600);
      expect(await queuedFor(account.id)).to.equal(4);
      expect(await send(admin, account.id, "ACCOUNT_UPDATE")).to.have.lengthOf(1);
      // A verification message counts too, and the change that would send it past the cap is refused whole.
      const first = stranger("cap-first");
      ok(await setOutsideSecurity(admin, account.id, first));
      expect(await queuedFor(account.id)).to.equal(PER_ACCOUNT_PER_HOUR);
      const before = await readAccount(server, admin.token, account.id);
      const refusedChange = await post(admin.token, SET_ROLE, {
        input: { accountId: account.id, role: "SECURITY", email: stranger("cap-second") },
      });
      isRateLimited(refusedChange, 3600);
      isRateLimited(await post(admin.token, RESEND, { input: { accountId: account.id } }), 3600);
      const after = await readAccount(server, admin.token, account.id);
      expect(after).to.deep.equal(before);
      expect(after.roleContacts.find((role) => role.role === "SECURITY")!.email).to.equal(first);
      expect(await queuedFor(account.id)).to.equal(PER_ACCOUNT_PER_HOUR);

      // An hour later there is room again.
      const hourAgo = new Date(Date.now() - 61 * 60 * 1000);
      await server.db.write((m) => m.update(NotificationDelivery, { accountId: rowOf(account.id) }, { createdAt: hourAgo }));
      expect(await send(admin, account.id, "INVOICE")).to.have.lengthOf(4);
    });

    it("holds the cap under concurrent requests: exactly as many are queued as it allows", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "burst");
      const answers = await Promise.all(
        Array.from({ length: PER_ACCOUNT_PER_HOUR + 4 }, () =>
          post(admin.token, SEND, { input: { accountId: account.id, category: "ACCOUNT_UPDATE" } }),
        ),
      );
      expect(answers.filter((answer) => answer.status === 200 && !answer.body.errors)).to.have.lengthOf(PER_ACCOUNT_PER_HOUR);
      for (const refused of answers.filter((answer) => answer.status !== 200)) isRateLimited(refused, 3600);
      expect(await queuedFor(account.id)).to.equal(PER_ACCOUNT_PER_HOUR);
    });

    it("caps the confirmation requests one address receives in a day, however many accounts name it", async () => {
      const victim = stranger("bombed");
      const accounts = await Promise.all([1, 2, 3, 4].map(() => accountWithMembers(server, 0, "bomb")));
      const answers = await Promise.all(
        accounts.map(({ admin, account }) =>
          post(admin.token, SET_ROLE, {
            input: { accountId: account.id, role: "SECURITY", email: victim },
          }),
        ),
      );
      expect(answers.filter((answer) => answer.status === 200 && !answer.body.errors)).to.have.lengthOf(VERIFICATIONS_PER_ADDRESS_PER_DAY);
      for (const refused of answers.filter((answer) => answer.status !== 200)) isRateLimited(refused, 24 * 3600);
      const holding = await server.db.read((m) => m.countBy(ContactVerification, { email: victim }));
      expect(holding).to.equal(VERIFICATIONS_PER_ADDRESS_PER_DAY);
      await drain();
      expect(smtp.to(victim)).to.have.lengthOf(VERIFICATIONS_PER_ADDRESS_PER_DAY);
    });

    it("counts the spellings of one mailbox together: +tags, Gmail's dots and googlemail.com", async () => {
      const name = `bombed${Math.random().toString(36).slice(2, 8)}`;
      const spellings = [
        `${name}+1@gmail.com`,
        `${name.slice(0, 3)}.${name.slice(3)}@gmail.com`,
        `${name}@googlemail.com`,
        `${name}+x@gmail.com`,
      ];
      const accounts = await Promise.all(spellings.map(() => accountWithMembers(server, 0, "bomb")));
      const answers = [];
      for (const [index, { admin, account }] of accounts.entries()) {
        answers.push(await post(admin.token, SET_ROLE, { input: { accountId: account.id, role: "SECURITY", email: spellings[index] } }));
      }
      expect(answers.map((answer) => answer.status)).to.deep.equal([200, 200, 429, 429]);
      for (const refused of answers.slice(VERIFICATIONS_PER_ADDRESS_PER_DAY)) isRateLimited(refused, 24 * 3600);
      // A different mailbox on a domain without those rules is counted apart.
      const other = await accountWithMembers(server, 0, "bomb");
      ok(
        (
          await post(other.admin.token, SET_ROLE, {
            input: { accountId: other.account.id, role: "SECURITY", email: `${name}.x@victim.example` },
          })
        ).body,
      );
    });
  });

  describe("what the mail says", () => {
    /** Rows written before names were checked on input can hold anything. */
    const renameInDatabase = (accountId: string, name: string) =>
      server.db.write((m) => m.update(Account, { id: rowOf(accountId) }, { name }));

    const CRAFTED =
      'Your bank\r\nBcc: everyone@example.com\r\nURGENT\nVisit https://evil.example/login\u2028Call us\u2029now" Visit \u202Eexe.nigol\u200B ' +
      "ｅｖｉｌ．ｅｘａｍｐｌｅ " +
      "x".repeat(60);

    function expectOnlyOurText(received: ReceivedMail): void {
      const { mail } = received;
      expect(
        mail.headerNames.filter((name) => !OUR_HEADERS.has(name)),
        received.raw,
      ).to.deep.equal([]);
      expect(mail.from).to.match(/^From: "?contact-points"? <no-reply@test\.example>$/);
      expect(mail.subject).to.not.match(/[\r\n]/);
      const quoted = /"(.*)"$/.exec(mail.subject)?.[1] ?? "";
      expect([...quoted].length, mail.subject).to.be.at.most(42);
      const lines = mail.text.split(/\r?\n/);
      const nameLines = lines.filter((line) => line.includes("bank"));
      expect(nameLines, mail.text).to.have.lengthOf(1);
      expect(nameLines[0]).to.match(
        /^Account name: "Your bank Bcc: everyone@example\[\.\]com URGENT Visit https\[:\]\/\/evil\[\.\]example\/login Call us now\\" Visit exe\[\.\]nigol evil\[\.\]example x+"$/,
      );
      for (const line of lines) expect(line, mail.text).to.not.match(/^(URGENT|Visit|Call us|Bcc:)/);
      // The one link a mail may carry is our own confirmation link, on a line of its own.
      const ourLink = new RegExp(
        `^ {4}${server.url.replace(/\/graphql$/, "").replace(/[.]/g, "\\.")}/(verify|invitation)/[A-Za-z0-9_-]{43}$`,
      );
      const others = lines.filter((line) => !ourLink.test(line)).join("\n");
      expect(others).to.not.match(/https?:\/\/|evil\.example|ｅｖｉｌ|[\u2028\u2029\u202E\u200B]/);
    }

    it("keeps a crafted account name to one quoted, labelled line: no added lines, headers or links, never in From", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "crafted");
      await renameInDatabase(account.id, CRAFTED);
      const victim = stranger("crafted");
      ok(await setOutsideSecurity(admin, account.id, victim));
      await drain();
      const verification = smtp.to(victim)[0]!;
      expectOnlyOurText(verification);
      const token = /^ {4}([A-Za-z0-9_-]{43})$/m.exec(verification.mail.text)![1]!;
      ok(await server.graphql(VERIFY, { input: { token } }, null));

      await send(admin, account.id, "SECURITY");
      await drain();
      for (const email of [victim, admin.email]) {
        const test = smtp.to(email).find((mail) => mail.subject.startsWith("Test notification (security)"));
        expect(test, `a test message to ${email}`).to.not.equal(undefined);
        expectOnlyOurText(test!);
      }

      const invited = stranger("crafted-invitation");
      ok(await server.graphql(ADD_MEMBER, { input: { accountId: account.id, email: invited } }, admin.token));
      await drain();
      const invitation = smtp.to(invited)[0]!;
      expect(invitation.mail.subject).to.match(/^You are invited to join the account "/);
      expectOnlyOurText(invitation);
      expect(invitation.mail.text, "the link carries the token, derived as it is sent").to.match(/\/invitation\/[A-Za-z0-9_-]{43}$/m);
    });

    it("checks every kind of mail the service sends with a crafted name", () => {
      // The test above sends each of these; a new kind of mail must be added to it.
      expect(Object.values(DeliveryKind)).to.deep.equal(["VERIFICATION", "TEST", "INVITATION"]);
    });

    it("turns any name, however crafted, into one quoted line with nothing a mail client would link", () => {
      const random = new Random(20261127);
      const alphabet = [
        ...'abcdefghxyz0123456789 ./:@\\"-_',
        ..."ｈｔｔｐｓ：／／ｅｖｉｌ．ｃｏｍ。｡⒈ﬁ😀",
        "\r",
        "\n",
        "\r\n",
        "\t",
        "\u0000",
        "\u001e",
        "\u0085",
        "\u2028",
        "\u2029",
        "\u202E",
        "\u2066",
        "\u200B",
        "\uFEFF",
        "\uD800",
        "https://",
        "www.",
        ".example",
        TOKEN_PLACEHOLDER,
      ];
      for (let round = 0; round < 2000; round++) {
        const name = Array.from({ length: random.int(0, 60) }, () => random.pick(alphabet)).join("");
        for (const [shown, max] of [
          [quotedName(name), 200],
          [nameForSubject(name), SUBJECT_NAME_LENGTH],
        ] as const) {
          const why = `${JSON.stringify(name)} → ${JSON.stringify(shown)} (seed ${random.seed}, round ${round})`;
          expect(shown, why).to.match(/^".*"$/s);
          const inner = shown.slice(1, -1).replace(/\\./g, "");
          expect(inner, why).to.not.include('"');
          expect(shown, why).to.not.match(/[\p{C}\p{Zl}\p{Zp}]/u);
          expect(shown, why).to.not.match(/:\/\/|[\p{L}\p{N}][.\u3002\uFF0E\uFF61][\p{L}\p{N}]/u);
          expect([...shown.slice(1, -1).replace(/\\(.)/g, "$1")].length, why).to.be.at.most(max);
        }
      }
    });

    it("keeps the mail log file, which may hold live verification links, readable by the service's user only", async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cp-mail-mode-")), "mail.log");
      const previous = process.umask(0o022);
      try {
        await logFileTransport(file, FROM).send({ to: "someone@example.com", subject: "Hello", text: "A link" });
      } finally {
        process.umask(previous);
      }
      expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    });

    it("writes no header a subject or body did not earn to the mail log file", async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cp-mail-abuse-")), "mail.log");
      const transport = logFileTransport(file, FROM);
      await transport.send({
        to: "victim@victim.example",
        subject: "Hello\r\nBcc: everyone@example.com\nX-Priority: 1",
        text: "First line\nFrom the team\n>From quoted\n\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nFrom: bank@evil.example\nSubject: forged",
      });
      const text = fs.readFileSync(file, "utf8");
      // mboxrd: a message starts at a line beginning "From "; ours is the only one.
      const separators = text.split("\n").filter((line) => line.startsWith("From "));
      expect(separators, text).to.have.lengthOf(1);
      const message = await parseMail(text.slice(text.indexOf("\n") + 1));
      expect(message.headerNames).to.deep.equal([
        "date",
        "from",
        "to",
        "subject",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
      ]);
      expect(message.subject).to.equal("Hello Bcc: everyone@example.com X-Priority: 1");
      expect(message.text).to.include(">From the team\n>>From quoted\n\nDate: Mon");
    });

    it("never keeps a verification token in the database, even when the account name looks like the token line", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "tokenline");
      const decoy = "A".repeat(43);
      await renameInDatabase(account.id, `Acme\n\n    ${decoy}\n\n    ${TOKEN_PLACEHOLDER}\n`);
      const victim = stranger("tokenline");
      ok(await setOutsideSecurity(admin, account.id, victim));
      const queued = await server.db.read((m) =>
        m.findOneByOrFail(NotificationDelivery, { email: victim, kind: DeliveryKind.VERIFICATION }),
      );
      await drain();
      const received = smtp.to(victim)[0]!;
      // Our two lines: the page's link and the bare token, carrying the same token.
      const tokenLines = received.mail.text.split("\n").filter((line) => /^ {4}\S+$/.test(line));
      expect(tokenLines, received.mail.text).to.have.lengthOf(2);
      const token = tokenLines[1]!.trim();
      expect(token)
        .to.match(/^[A-Za-z0-9_-]{43}$/)
        .and.not.equal(decoy);
      expect(tokenLines[0]!.trim()).to.equal(`${server.url.replace(/\/graphql$/, "")}/verify/${token}`);
      expect(received.mail.text.split(token)).to.have.lengthOf(3);

      // Before sending and after, no row of any table holds the token; once sent, not even its nonce is kept.
      expect(queued.body).to.not.include(token);
      expect((await server.db.read((m) => m.findOneByOrFail(NotificationDelivery, { sequence: queued.sequence }))).tokenNonce).to.equal(
        null,
      );
      const everything = JSON.stringify(await allRows(server));
      expect(everything).to.include(victim);
      expect(everything).to.not.include(token);
      // And the token works, once; the decoy never did.
      failsWith(await server.graphql(VERIFY, { input: { token: decoy } }, null), "BAD_USER_INPUT");
      expect(ok(await server.graphql(VERIFY, { input: { token } }, null)).verifyContactEmail.verification).to.deep.equal({
        state: "VERIFIED",
        email: victim,
      });
    });
  });
});

/** Every row of every table of the server's database. */
async function allRows(server: TestServer): Promise<Record<string, unknown[]>> {
  return server.db.read(async (manager) => {
    const tables: { name: string }[] =
      server.db.driver === "sqlite"
        ? await manager.query(`SELECT "name" FROM "sqlite_master" WHERE "type" = 'table'`)
        : await manager.query(`SELECT "tablename" AS "name" FROM "pg_tables" WHERE "schemaname" = current_schema()`);
    const rows: Record<string, unknown[]> = {};
    for (const { name } of tables) rows[name] = await manager.query(`SELECT * FROM "${name}"`);
    return rows;
  });
}
