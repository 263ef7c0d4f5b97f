import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig, ConfigError } from "../src/config";
import { DeliveryWorker, startDeliveryWorker } from "../src/notifications/delivery.worker";
import { smtpTransport } from "../src/notifications/mail-transport";
import { DeliveryKind, DeliveryState, NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { decodeGlobalId } from "../src/common/global-id";
import { startTestServer, tokenFor, TEST_JWT_SECRET, type TestServer } from "./helpers/server";
import { MAIN, postGraphQL, runToEnd, spawnServer } from "./helpers/process";
import { accountWithMembers, failsWith, mutate, ok, type TestUser } from "./helpers/factories";
import { TestSmtpServer, waitFor } from "./helpers/smtp";

const SEND = `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) {
  account { id } deliveries { id kind category email state skipReason attempts sentAt }
} }`;
const DELIVERIES = `query($id: ID!, $first: Int, $after: String) { account(id: $id) { notificationDeliveries(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { node { id kind category email subject state attempts lastError createdAt sentAt } }
} } }`;
const RECIPIENTS = `query($id: ID!, $category: NotificationCategory!) { account(id: $id) { notificationRecipients(category: $category) { email } } }`;
const HEALTH = `query($id: ID!) { account(id: $id) { contactHealth { issues { slot email kind } } } }`;

describe("notification delivery through the outbox over SMTP", () => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let smtpUrl: string;
  const workers: DeliveryWorker[] = [];
  const log: string[] = [];

  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    smtp = new TestSmtpServer();
    smtpUrl = await smtp.start();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });
  after(async () => {
    await server.close();
    await smtp.close();
  });

  const worker = (options: Partial<ConstructorParameters<typeof DeliveryWorker>[2]> = {}) => {
    const created = new DeliveryWorker(server.db, smtpTransport(smtpUrl, "contact-points <no-reply@test.example>"), {
      pollMs: 20,
      maxAttempts: 5,
      retryBaseMs: 50,
      tokens: server.app.outbox.tokens,
      log: (message) => log.push(message),
      ...options,
    });
    workers.push(created);
    return created;
  };
  const deliveries = async (user: TestUser, accountId: string) =>
    ok(await server.graphql(DELIVERIES, { id: accountId, first: 100 }, user.token)).account.notificationDeliveries.edges.map(
      (edge: any) => edge.node,
    );

  /** The outbox row behind a delivery's global id. */
  const sequenceOf = (delivery: { id: string }) => {
    const decoded = decodeGlobalId(delivery.id);
    expect(decoded?.type, delivery.id).to.equal("NotificationDelivery");
    return Number(decoded!.key[0]);
  };
  /** Queues a test notification and returns its deliveries. */
  const send = async (user: TestUser, accountId: string, category: string) => {
    const payload = ok(await server.graphql(SEND, { input: { accountId, category } }, user.token)).sendTestNotification;
    expect(payload.account.id).to.equal(accountId);
    return payload.deliveries;
  };

  /** An account whose SECURITY notifications go to the admin (primary), an outside address and a member. */
  async function securityAccount(prefix: string) {
    const { admin, account, members } = await accountWithMembers(server, 1, prefix);
    const outside = `${prefix}-${Math.random().toString(36).slice(2, 10)}@partner.example`;
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "SECURITY", email: outside }));
    ok(await mutate(server, admin.token, "setRoleContact", { accountId: account.id, role: "TECHNICAL_ADMIN", userId: members[0]!.id }));
    return { admin, account, members, outside };
  }

  it("queues one delivery per recipient of the category, which the worker sends over SMTP", async () => {
    const { admin, account, members, outside } = await securityAccount("send");
    const queued = await send(admin, account.id, "SECURITY");
    const recipients = ok(await server.graphql(RECIPIENTS, { id: account.id, category: "SECURITY" }, admin.token)).account
      .notificationRecipients;
    expect(queued.map((delivery: { email: string }) => delivery.email)).to.deep.equal(
      recipients.map((recipient: { email: string }) => recipient.email),
    );
    expect(queued.map((delivery: { email: string }) => delivery.email)).to.deep.equal([admin.email, outside, members[0]!.email]);
    for (const delivery of queued) expect(delivery).to.include({ kind: "TEST", category: "SECURITY", attempts: 0, sentAt: null });
    // The outside address has not confirmed itself yet: it is told nothing but the verification message.
    expect(queued.map((delivery: { state: string; skipReason: string | null }) => [delivery.state, delivery.skipReason])).to.deep.equal([
      ["PENDING", null],
      ["SKIPPED", "ADDRESS_NOT_VERIFIED"],
      ["PENDING", null],
    ]);

    worker().start();
    for (const email of [admin.email, members[0]!.email]) {
      const mail = await waitFor(`a test message to ${email}`, () =>
        smtp.to(email).find((candidate) => candidate.subject.startsWith("Test notification (security)")),
      );
      expect(mail.raw).to.match(/^From: "?contact-points"? <no-reply@test\.example>/m);
      expect(mail.raw).to.include(`To: ${email}`);
    }
    // The outside address got its verification message; the token in it is in no outbox row.
    const verificationMail = await waitFor("the verification message", () =>
      smtp.to(outside).find((mail) => mail.subject.startsWith("Confirm")),
    );
    // Quoted-printable soft line breaks undone, as a mail client would.
    const token = verificationMail.raw.replace(/=\r?\n/g, "").match(/^ {4}([A-Za-z0-9_-]{43})\r?$/m)?.[1];
    expect(token, verificationMail.raw).to.be.a("string");
    const stored = await waitFor("the sent verification row", async () => {
      const row = await server.db.read((m) => m.findOneBy(NotificationDelivery, { email: outside, kind: DeliveryKind.VERIFICATION }));
      return row?.state === DeliveryState.SENT && row;
    });
    expect(stored.body).to.not.include(token!);
    expect(stored.tokenNonce).to.equal(null);
    const verified = ok(
      await server.graphql(
        `mutation($input: VerifyContactEmailInput!) { verifyContactEmail(input: $input) { verification { state } } }`,
        { input: { token } },
        null,
      ),
    );
    expect(verified.verifyContactEmail.verification.state).to.equal("VERIFIED");

    const listed = await waitFor("every delivery sent", async () => {
      const rows = await deliveries(admin, account.id);
      return rows.every((row: { state: string }) => row.state !== "PENDING") && rows;
    });
    expect(listed).to.have.lengthOf(5);
    expect(listed.map((row: { kind: string; state: string }) => `${row.kind} ${row.state}`)).to.deep.equal([
      "TEST SENT",
      "TEST SKIPPED",
      "TEST SENT",
      "VERIFICATION SENT",
      "INVITATION SENT",
    ]); // newest first
    for (const row of listed.filter((row: { state: string }) => row.state === "SENT")) {
      expect(row.attempts).to.equal(1);
      expect(Date.parse(row.sentAt)).to.be.at.least(Date.parse(row.createdAt));
    }
    // Plain members may read the deliveries; every message was sent exactly once.
    expect(await deliveries(members[0]!, account.id)).to.have.lengthOf(5);
    expect(smtp.to(admin.email).filter((mail) => mail.subject.startsWith("Test notification (security)"))).to.have.lengthOf(1);
    expect(smtp.to(outside).filter((mail) => mail.subject.startsWith("Test notification (security)"))).to.have.lengthOf(0);

    // Once verified, the outside address receives test messages too.
    const again = await send(admin, account.id, "SECURITY");
    expect(again.map((delivery: { state: string }) => delivery.state)).to.deep.equal(["PENDING", "PENDING", "PENDING"]);
    await waitFor("the test message to the verified address", () =>
      smtp.to(outside).find((mail) => mail.subject.startsWith("Test notification (security)")),
    );
  });

  it("retries a message the SMTP server refuses the first time, with backoff, and then delivers it", async () => {
    // A stopped worker leaves unclaimed messages of earlier tests due: send them first.
    while ((await worker().runOnce()) > 0);
    const { admin, account } = await accountWithMembers(server, 0, "retry");
    smtp.refuseOnce.add(admin.email);
    const [queued] = await send(admin, account.id, "ACCOUNT_UPDATE");
    const delivering = worker({ retryBaseMs: 400 });
    expect(await delivering.runOnce()).to.equal(1);
    const afterRefusal = await server.db.read((m) => m.findOneByOrFail(NotificationDelivery, { sequence: sequenceOf(queued) }));
    expect(afterRefusal).to.include({ state: DeliveryState.PENDING, attempts: 1 });
    expect(afterRefusal.lastError).to.match(/451/);
    expect(afterRefusal.nextAttemptAt.getTime() - Date.now()).to.be.within(200, 400);
    expect(smtp.refused).to.include(admin.email);
    // Not due yet: the worker leaves it alone until the backoff has passed.
    expect(await delivering.runOnce()).to.equal(0);
    delivering.start();
    const sent = await waitFor("the retried message", async () => {
      const row = await server.db.read((m) => m.findOneByOrFail(NotificationDelivery, { sequence: sequenceOf(queued) }));
      return row.state === DeliveryState.SENT && row;
    });
    expect(sent.attempts).to.equal(2);
    expect(sent.lastError).to.equal(null);
    expect(smtp.to(admin.email).filter((mail) => mail.subject.startsWith("Test notification (account updates)"))).to.have.lengthOf(1);
  });

  it("doubles the wait after each failed attempt, then marks the message FAILED and the contact DELIVERY_FAILED", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "bounce");
    const member = members[0]!;
    ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
    smtp.refuseAlways.add(member.email);
    const queued = await send(admin, account.id, "INVOICE");
    const bouncing = queued.find((delivery: { email: string }) => delivery.email === member.email);
    const delivering = worker({ retryBaseMs: 1000, maxAttempts: 3 });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      // Run as if the backoff had passed.
      await delivering.runOnce(new Date(Date.now() + 60_000 * attempt));
      const row = await server.db.read((m) => m.findOneByOrFail(NotificationDelivery, { sequence: sequenceOf(bouncing) }));
      expect(row.attempts).to.equal(attempt);
      if (attempt < 3) {
        expect(row.state).to.equal(DeliveryState.PENDING);
        waits.push(row.nextAttemptAt.getTime() - Date.now());
      } else {
        expect(row.state).to.equal(DeliveryState.FAILED);
        expect(row.lastError).to.match(/451/);
      }
    }
    expect(waits[0]).to.be.within(800, 1000);
    expect(waits[1]).to.be.within(1800, 2000);
    expect(log.some((line) => line.startsWith(`Gave up on message ${sequenceOf(bouncing)} `))).to.equal(true);
    expect(log.filter((line) => line.includes(member.email))).to.deep.equal([]);
    const listed = await deliveries(admin, account.id);
    expect(listed.find((row: { email: string }) => row.email === member.email)).to.include({ state: "FAILED", attempts: 3 });
    expect(listed.find((row: { email: string }) => row.email === admin.email)).to.include({ state: "SENT" });
    expect(ok(await server.graphql(HEALTH, { id: account.id }, admin.token)).account.contactHealth.issues).to.deep.equal([
      { slot: "BILLING", email: member.email, kind: "DELIVERY_FAILED" },
    ]);
    // Once a message gets through again, the issue clears.
    smtp.refuseAlways.delete(member.email);
    await send(admin, account.id, "INVOICE");
    await delivering.runOnce();
    expect(ok(await server.graphql(HEALTH, { id: account.id }, admin.token)).account.contactHealth.issues).to.deep.equal([]);
  });

  it("sends each message once even with two workers draining the same outbox", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "twice");
    for (const member of members) {
      ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
    }
    await worker().runOnce(); // the members' invitations
    const before = smtp.received.length;
    const queued = await send(admin, account.id, "RECEIPT");
    expect(queued).to.have.lengthOf(4);
    const [tried1, tried2] = await Promise.all([worker().runOnce(), worker().runOnce()]);
    expect(tried1 + tried2).to.equal(4);
    expect(smtp.received.length - before).to.equal(4);
  });

  it("lets only an admin send a test notification, and lists deliveries only to members", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1, "who");
    failsWith(await server.graphql(SEND, { input: { accountId: account.id, category: "INVOICE" } }, members[0]!.token), "FORBIDDEN");
    const outsider = await accountWithMembers(server, 0, "who-out");
    failsWith(await server.graphql(SEND, { input: { accountId: account.id, category: "INVOICE" } }, outsider.admin.token), "NOT_FOUND");
    const hidden = await server.graphql(DELIVERIES, { id: account.id }, outsider.admin.token);
    failsWith(hidden, "NOT_FOUND");
    expect(hidden.data).to.deep.equal({ account: null });
    expect(
      (await deliveries(admin, account.id)).map((row: { kind: string }) => row.kind),
      "only the member's invitation",
    ).to.deep.equal(["INVITATION"]);
  });

  it("pages deliveries newest first", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "pages");
    for (const category of ["INVOICE", "RECEIPT", "ORDER"]) {
      await send(admin, account.id, category);
    }
    const first = ok(await server.graphql(DELIVERIES, { id: account.id, first: 2 }, admin.token)).account.notificationDeliveries;
    expect(first.totalCount).to.equal(3);
    expect(first.edges.map((edge: any) => edge.node.category)).to.deep.equal(["ORDER", "RECEIPT"]);
    const second = ok(await server.graphql(DELIVERIES, { id: account.id, first: 2, after: first.pageInfo.endCursor }, admin.token)).account
      .notificationDeliveries;
    expect(second.edges.map((edge: any) => edge.node.category)).to.deep.equal(["INVOICE"]);
    expect(second.pageInfo.hasNextPage).to.equal(false);
  });

  it("writes messages to the mail log file, an mbox, when no SMTP_URL is set outside production", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cp-mail-")), "mail.log");
    const settings = loadConfig({ MAIL_LOG_FILE: file, OUTBOX_POLL_MS: "20", NODE_ENV: "development" }).delivery;
    expect(settings).to.include({ transport: "file", smtpUrl: null });
    const { admin, account } = await accountWithMembers(server, 0, "logfile");
    await send(admin, account.id, "TECHNICAL");
    const logWorker = startDeliveryWorker(server.db, settings, server.app.outbox.tokens, (message) => log.push(message));
    workers.push(logWorker);
    expect(logWorker.transport.description).to.equal(`the file ${file}`);
    const text = await waitFor(
      "the mail log file",
      () => fs.existsSync(file) && fs.readFileSync(file, "utf8").includes(`To: ${admin.email}`) && fs.readFileSync(file, "utf8"),
    );
    expect(text).to.match(/^From contact-points \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/m);
    expect(text).to.match(/^Subject: Test notification \(technical\) for the account "Test Account"$/m);
    expect(text).to.include("Category: technical");
  });

  it("validates SMTP_URL, MAIL_TRANSPORT, the caps and the outbox settings", () => {
    expect(loadConfig({ SMTP_URL: "smtps://user:pass@mail.example.com:465" }).delivery).to.include({
      transport: "smtp",
      smtpUrl: "smtps://user:pass@mail.example.com:465",
      perAccountPerHour: 30,
      verificationsPerAddressPerDay: 5,
    });
    expect(() => loadConfig({ SMTP_URL: "http://mail.example.com" })).to.throw(ConfigError, /SMTP_URL/);
    expect(() => loadConfig({ SMTP_URL: "not a url" })).to.throw(ConfigError, /SMTP_URL/);
    expect(() => loadConfig({ OUTBOX_MAX_ATTEMPTS: "0" })).to.throw(ConfigError, /OUTBOX_MAX_ATTEMPTS/);
    expect(() => loadConfig({ OUTBOX_RETRY_BASE_MS: "soon" })).to.throw(ConfigError, /OUTBOX_RETRY_BASE_MS/);
    expect(() => loadConfig({ MAIL_PER_ACCOUNT_PER_HOUR: "-1" })).to.throw(ConfigError, /MAIL_PER_ACCOUNT_PER_HOUR/);
    expect(() => loadConfig({ MAIL_VERIFICATIONS_PER_ADDRESS_PER_DAY: "many" })).to.throw(
      ConfigError,
      /MAIL_VERIFICATIONS_PER_ADDRESS_PER_DAY/,
    );
    expect(loadConfig({ MAIL_PER_ACCOUNT_PER_HOUR: "0" }).delivery.perAccountPerHour).to.equal(0);

    // Production never pretends to send: it needs an SMTP server, or the file chosen on purpose.
    const production = {
      NODE_ENV: "production",
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: "sqlite:unused.sqlite",
      PUBLIC_URL: "https://contacts.example.com",
    };
    expect(() => loadConfig(production)).to.throw(ConfigError, /SMTP_URL must be set when NODE_ENV=production/);
    expect(loadConfig({ ...production, MAIL_TRANSPORT: "file" }).delivery.transport).to.equal("file");
    expect(loadConfig({ ...production, SMTP_URL: "smtp://mail.example.com:587" }).delivery.transport).to.equal("smtp");
    expect(() => loadConfig({ MAIL_TRANSPORT: "smtp" })).to.throw(ConfigError, /MAIL_TRANSPORT=smtp needs SMTP_URL/);
    expect(() => loadConfig({ MAIL_TRANSPORT: "file", SMTP_URL: "smtp://mail.example.com" })).to.throw(ConfigError, /MAIL_TRANSPORT/);
    expect(() => loadConfig({ MAIL_TRANSPORT: "carrier-pigeon" })).to.throw(ConfigError, /MAIL_TRANSPORT/);
  });

  it("refuses to start in production without SMTP_URL or MAIL_TRANSPORT=file, with a one-line reason", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-prod-mail-"));
    try {
      const result = await runToEnd([MAIN], {
        NODE_ENV: "production",
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        PUBLIC_URL: "https://contacts.example.com",
        DATABASE_URL: `sqlite:${path.join(dir, "db.sqlite")}`,
      });
      expect(result.code).to.equal(1);
      const lines = result.stderr.trim().split("\n");
      expect(lines, result.stderr).to.have.lengthOf(1);
      expect((JSON.parse(lines[0]!) as { msg: string }).msg).to.match(/^Cannot start: SMTP_URL must be set when NODE_ENV=production/);
      expect(fs.existsSync(path.join(dir, "db.sqlite")), "nothing was started").to.equal(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs the worker inside the server process: npm start delivers a verification message over SMTP_URL", async function () {
    this.timeout(40_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-main-"));
    const processServer = await spawnServer({
      DATABASE_URL: `sqlite:${path.join(dir, "contacts.sqlite")}`,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      SEED_DEMO_DATA: "false",
      SMTP_URL: smtpUrl,
      MAIL_FROM: "Contact Points <verify@test.example>",
      OUTBOX_POLL_MS: "50",
    });
    try {
      const token = await tokenFor("main-admin@example.com");
      const created = await postGraphQL(processServer.url, `mutation { createAccount(input: { name: "Main" }) { account { id } } }`, token);
      const accountId = created.data.createAccount.account.id as string;
      const outside = `main-${Math.random().toString(36).slice(2, 10)}@partner.example`;
      const set = await postGraphQL(
        processServer.url,
        `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`,
        token,
        { input: { accountId, role: "SECURITY", email: outside } },
      );
      expect(set.errors).to.equal(undefined);
      const mail = await waitFor("the verification message from the server process", () => smtp.to(outside)[0], 15_000);
      expect(mail.raw).to.match(/^From: "?Contact Points"? <verify@test\.example>/m);
      // Host and port, the port once.
      const messages = processServer
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      expect(messages).to.include(`Outgoing mail goes to SMTP server 127.0.0.1:${smtp.port}.`);
    } finally {
      processServer.child.kill("SIGTERM");
      expect(await processServer.exited).to.equal(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
