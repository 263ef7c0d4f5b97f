import { expect } from "chai";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { In } from "typeorm";
import { DeliveryWorker } from "../src/notifications/delivery.worker";
import { smtpTransport } from "../src/notifications/mail-transport";
import { DeliveryKind, DeliveryState, NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { decodeGlobalId, globalId } from "../src/common/global-id";
import { freePort, postGraphQL, runToEnd, spawnServer } from "./helpers/process";
import { startTestServer, tokenFor, TEST_JWT_SECRET, type TestServer } from "./helpers/server";
import { accountWithMembers, failsWith, mutate, ok, type TestUser } from "./helpers/factories";
import { TestSmtpServer, waitFor } from "./helpers/smtp";

const FROM = "contact-points <no-reply@test.example>";
const SEND = `mutation($input: SendTestNotificationInput!) { sendTestNotification(input: $input) { deliveries { id email state } } }`;
const REQUEUE = `mutation($input: RequeueNotificationDeliveryInput!) { requeueNotificationDelivery(input: $input) {
  account { id } delivery { id state attempts lastError }
} }`;
const DELIVERIES = `query($id: ID!) { account(id: $id) { notificationDeliveries(first: 100) { nodes { id email state attempts lastError } } } }`;

/** A TCP server that accepts connections and never says a word, as a hung mail server does. */
class HungServer {
  readonly sockets = new Set<net.Socket>();
  private readonly server = net.createServer((socket) => {
    this.sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => this.sockets.delete(socket));
  });
  accepted = 0;
  async start(): Promise<string> {
    this.server.on("connection", () => this.accepted++);
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `smtp://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }
  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const sequenceOf = (id: string) => Number(decodeGlobalId(id)!.key[0]);

describe("mail failure modes", () => {
  let server: TestServer;
  let smtp: TestSmtpServer;
  let smtpUrl: string;
  const workers: DeliveryWorker[] = [];
  const log: string[] = [];

  before(async () => {
    server = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0", MAIL_PER_ACCOUNT_PER_HOUR: "0" } });
    smtp = new TestSmtpServer();
    smtpUrl = await smtp.start();
  });
  afterEach(async () => {
    smtp.release();
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });
  after(async () => {
    await server.close();
    await smtp.close();
  });

  const worker = (options: Partial<ConstructorParameters<typeof DeliveryWorker>[2]> & { url?: string; timeoutMs?: number } = {}) => {
    const created = new DeliveryWorker(server.db, smtpTransport(options.url ?? smtpUrl, FROM, options.timeoutMs ?? 10_000), {
      pollMs: 20,
      maxAttempts: 2,
      retryBaseMs: 10,
      tokens: server.app.outbox.tokens,
      log: (message) => log.push(message),
      ...options,
    });
    workers.push(created);
    return created;
  };
  const send = async (user: TestUser, accountId: string, category = "ACCOUNT_UPDATE"): Promise<{ id: string; email: string }[]> =>
    ok(await server.graphql(SEND, { input: { accountId, category } }, user.token)).sendTestNotification.deliveries;
  const row = (id: string) => server.db.read((m) => m.findOneByOrFail(NotificationDelivery, { sequence: sequenceOf(id) }));
  const listed = async (user: TestUser, accountId: string, language = "en") =>
    ok(await server.graphql(DELIVERIES, { id: accountId }, user.token, { "accept-language": language })).account.notificationDeliveries
      .nodes as {
      id: string;
      lastError: string | null;
      state: string;
    }[];

  /** Fails every attempt at one delivery of a new account; returns the admin, the account and that FAILED delivery. */
  async function failedDelivery(prefix: string) {
    const { admin, account } = await accountWithMembers(server, 0, prefix);
    smtp.refuseAlways.add(admin.email);
    const [delivery] = await send(admin, account.id);
    const delivering = worker();
    await delivering.runOnce();
    await delivering.runOnce(new Date(Date.now() + 60_000));
    smtp.refuseAlways.delete(admin.email);
    expect((await row(delivery!.id)).state).to.equal(DeliveryState.FAILED);
    return { admin, account, delivery: delivery! };
  }

  describe("what members and logs are told", () => {
    it("shows members why an attempt failed and the reply code, in their language, never the mail server's address or words", async () => {
      const { admin, account, delivery } = await failedDelivery("classified");
      const [shown] = (await listed(admin, account.id)).filter((each) => each.id === delivery.id);
      expect(shown!.lastError).to.equal("The mail server refused the recipient's address. (SMTP reply 451)");
      const [polish] = (await listed(admin, account.id, "pl")).filter((each) => each.id === delivery.id);
      expect(polish!.lastError).to.equal("Serwer poczty odrzucił adres odbiorcy. (odpowiedź SMTP 451)");
      expect(JSON.stringify(shown)).to.not.include(String(smtp.port)).and.not.include("busy");
    });

    it("says the mail server could not be reached, without its host or port", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "unreachable");
      const [delivery] = await send(admin, account.id);
      const port = await freePort();
      await worker({ url: `smtp://127.0.0.1:${port}` }).runOnce();
      const [shown] = (await listed(admin, account.id)).filter((each) => each.id === delivery!.id);
      expect(shown!.lastError).to.equal("The mail server could not be reached.");
      expect(JSON.stringify(shown)).to.not.include(String(port)).and.not.include("127.0.0.1");
    });

    it("reads an error an older release stored in the server's own words as a plain failure", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "legacy");
      const [delivery] = await send(admin, account.id);
      await server.db.write((m) =>
        m.update(NotificationDelivery, { sequence: sequenceOf(delivery!.id) }, { lastError: "connect ECONNREFUSED 10.1.2.3:587" }),
      );
      const [shown] = (await listed(admin, account.id)).filter((each) => each.id === delivery!.id);
      expect(shown!.lastError).to.equal("Sending failed; the service's log has the details.");
    });

    it("logs failed attempts with the message's id and the server's words, and no recipient address", async () => {
      log.length = 0;
      const { admin, delivery } = await failedDelivery("quiet-log");
      const lines = log.filter((line) => line.includes(`message ${sequenceOf(delivery.id)}`));
      expect(lines).to.have.lengthOf(2);
      expect(lines[1]).to.match(/^Gave up on message \d+ after 2 attempts: .*451/);
      for (const line of log)
        expect(line)
          .to.not.include(admin.email)
          .and.not.match(/[^\s<]+@[^\s>]+/);
    });
  });

  describe("requeueing a FAILED message", () => {
    it("lets an admin send a FAILED message again, with every attempt ahead of it", async () => {
      const { admin, account, delivery } = await failedDelivery("requeue");
      const requeued = ok(await server.graphql(REQUEUE, { input: { deliveryId: delivery.id } }, admin.token)).requeueNotificationDelivery;
      expect(requeued.account.id).to.equal(account.id);
      expect(requeued.delivery).to.include({ id: delivery.id, state: "PENDING", attempts: 0 });
      const before = smtp.to(admin.email).length;
      await worker().runOnce();
      expect(await row(delivery.id)).to.include({ state: DeliveryState.SENT, attempts: 1, lastError: null });
      expect(smtp.to(admin.email)).to.have.lengthOf(before + 1);
    });

    it("refuses a message that is not FAILED, a verification message, a member and a stranger, changing nothing", async () => {
      const { admin, account, members } = await accountWithMembers(server, 1, "requeue-refused");
      const [pending] = await send(admin, account.id);
      failsWith(await server.graphql(REQUEUE, { input: { deliveryId: pending!.id } }, admin.token), "BAD_USER_INPUT");
      expect((await row(pending!.id)).state).to.equal(DeliveryState.PENDING);

      const { delivery: failed } = await failedDelivery("requeue-other");
      const stranger = admin;
      const notFound = failsWith(await server.graphql(REQUEUE, { input: { deliveryId: failed.id } }, stranger.token), "NOT_FOUND");
      const missing = failsWith(
        await server.graphql(REQUEUE, { input: { deliveryId: globalId("NotificationDelivery", 99_999_999) } }, admin.token),
        "NOT_FOUND",
      );
      expect(notFound.message, "another account's delivery looks like a missing one").to.equal(missing.message);
      expect((await row(failed.id)).state).to.equal(DeliveryState.FAILED);

      const [mine] = await send(admin, account.id);
      await server.db.write((m) => m.update(NotificationDelivery, { sequence: sequenceOf(mine!.id) }, { state: DeliveryState.FAILED }));
      failsWith(await server.graphql(REQUEUE, { input: { deliveryId: mine!.id } }, members[0]!.token), "FORBIDDEN");
      await server.db.write((m) => m.update(NotificationDelivery, { sequence: sequenceOf(mine!.id) }, { kind: DeliveryKind.VERIFICATION }));
      failsWith(await server.graphql(REQUEUE, { input: { deliveryId: mine!.id } }, admin.token), "BAD_USER_INPUT");
      expect((await row(mine!.id)).state).to.equal(DeliveryState.FAILED);
    });

    it("gives the operator a command that requeues FAILED messages by id, by account or all, and never a verification message", async function () {
      this.timeout(30_000);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-requeue-"));
      const databaseUrl = `sqlite:${path.join(dir, "contacts.sqlite")}`;
      const fileServer = await startTestServer({ databaseUrl, env: { MUTATION_RATE_LIMIT: "0" } });
      const db = fileServer.db;
      try {
        const queued = (accountId: string, kind: DeliveryKind) => ({
          accountId,
          kind,
          category: null,
          email: "someone@example.com",
          mailbox: "someone@example.com",
          subject: "Hello",
          body: "Text",
          state: DeliveryState.FAILED,
          skipReason: null,
          attempts: 6,
          lastError: "RECIPIENT_REFUSED 451",
          createdAt: new Date(),
          nextAttemptAt: new Date(),
          sentAt: null,
          requestedById: null,
          tokenNonce: null,
        });
        const rowIdOf = async (prefix: string) => decodeGlobalId((await accountWithMembers(fileServer, 0, prefix)).account.id)!.key[0]!;
        const a = await rowIdOf("operator-a");
        const b = await rowIdOf("operator-b");
        const ids: number[] = [];
        for (const [account, kind] of [
          [a, DeliveryKind.TEST],
          [a, DeliveryKind.TEST],
          [b, DeliveryKind.TEST],
          [b, DeliveryKind.VERIFICATION],
        ] as const) {
          const inserted = await db.write((m) => m.insert(NotificationDelivery, queued(account, kind)));
          ids.push(Number(inserted.identifiers[0]!.sequence));
        }
        const env = { DATABASE_URL: databaseUrl, NODE_ENV: "test", AUTH_JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "silent" };
        const script = "dist/src/scripts/requeue-mail.js";
        const states = () =>
          db
            .read((m) => m.find(NotificationDelivery, { where: { sequence: In(ids) }, order: { sequence: "ASC" } }))
            .then((rows) => rows.map((each) => each.state));

        const usage = await runToEnd([script], env);
        expect(usage.code).to.equal(2);
        expect(usage.stderr).to.include("--all-failed");

        const byId = await runToEnd([script, "--id", globalId("NotificationDelivery", ids[0]!)], env);
        expect(byId.stdout, byId.stderr).to.include("Requeued 1 ");
        expect(await states()).to.deep.equal(["PENDING", "FAILED", "FAILED", "FAILED"]);

        const byAccount = await runToEnd([script, "--account", globalId("Account", b)], env);
        expect(byAccount.stdout, byAccount.stderr).to.include("Requeued 1 ");
        expect(await states()).to.deep.equal(["PENDING", "FAILED", "PENDING", "FAILED"]);

        const all = await runToEnd([script, "--all-failed"], env);
        expect(all.stdout, all.stderr).to.include("Requeued 1 ");
        expect(await states()).to.deep.equal(["PENDING", "PENDING", "PENDING", "FAILED"]);
        const requeued = await db.read((m) => m.findOneByOrFail(NotificationDelivery, { sequence: ids[0]! }));
        expect(requeued.attempts).to.equal(0);
      } finally {
        await fileServer.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("a slow or hung mail server", () => {
    it("sends other messages while one conversation with the mail server hangs", async () => {
      const { admin, account, members } = await accountWithMembers(server, 3, "concurrent");
      for (const member of members)
        ok(await mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: member.id }));
      smtp.hangOn.add(admin.email);
      const queued = await send(admin, account.id, "INVOICE");
      expect(queued.map((delivery) => delivery.email)[0]).to.equal(admin.email);
      worker({ concurrency: 4, timeoutMs: 60_000, stopWaitMs: 100 }).start();
      for (const member of members)
        await waitFor(`mail to ${member.email} while another message hangs`, () => smtp.to(member.email)[0], 5_000);
      expect(smtp.hanging).to.be.greaterThan(0);
    });

    it("stops promptly while a send hangs on a server that accepts the connection and never answers, leaving the message to be tried again", async () => {
      const hung = new HungServer();
      const url = await hung.start();
      try {
        // Messages other tests left PENDING would be sent first.
        await server.db.write((m) => m.update(NotificationDelivery, { state: DeliveryState.PENDING }, { state: DeliveryState.FAILED }));
        const { admin, account } = await accountWithMembers(server, 0, "hung");
        const [delivery] = await send(admin, account.id);
        const delivering = worker({ url, timeoutMs: 60_000, stopWaitMs: 200, leaseMs: 60_000 });
        delivering.start();
        await waitFor(
          "the hung server to accept the connection",
          () => hung.accepted > 0 && (row(delivery!.id) as Promise<NotificationDelivery>).then((each) => each.attempts === 1),
        );
        const stopped = await waitFor(
          "stop() to return",
          async () => {
            const outcome = await Promise.race([
              delivering.stop().then(() => "stopped"),
              new Promise<null>((resolve) => setTimeout(() => resolve(null), 5_000)),
            ]);
            return outcome;
          },
          6_000,
        );
        expect(stopped).to.equal("stopped");
        expect(await row(delivery!.id)).to.include({ state: DeliveryState.PENDING, attempts: 1 });
        expect((await row(delivery!.id)).nextAttemptAt.getTime()).to.be.greaterThan(Date.now());
      } finally {
        await hung.close();
      }
    });
  });

  describe("the server process", function () {
    this.timeout(60_000);

    it("warns at start-up that the mail server cannot be reached, naming no credentials, and serves all the same", async () => {
      const port = await freePort();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-smtp-check-"));
      const processServer = await spawnServer({
        DATABASE_URL: `sqlite:${path.join(dir, "contacts.sqlite")}`,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        SEED_DEMO_DATA: "false",
        SMTP_URL: `smtp://mailer:s3cret-password@127.0.0.1:${port}`,
        SMTP_TIMEOUT_MS: "1000",
      });
      try {
        const warning = await waitFor("the start-up warning", () =>
          processServer
            .output()
            .split("\n")
            .filter((line) => line.startsWith("{"))
            .map((line) => JSON.parse(line) as { level: number; msg: string })
            .find((line) => line.msg.startsWith("Mail cannot be handed to")),
        );
        expect(warning.level).to.equal("warn");
        expect(warning.msg).to.include(`SMTP server 127.0.0.1:${port}`).and.include("ECONNREFUSED");
        expect(processServer.output()).to.not.include("s3cret-password");
        const token = await tokenFor("smtp-check@example.com");
        const created = await postGraphQL(processServer.url, `mutation { createAccount(input: { name: "Up" }) { account { id } } }`, token);
        expect(created.errors).to.equal(undefined);
      } finally {
        processServer.child.kill("SIGTERM");
        await processServer.exited;
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it("exits 0 on SIGTERM while a message hangs on a mail server that never answers, and logs no recipient address", async () => {
      const hung = new HungServer();
      const url = await hung.start();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cp-smtp-hung-"));
      const processServer = await spawnServer({
        DATABASE_URL: `sqlite:${path.join(dir, "contacts.sqlite")}`,
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        SEED_DEMO_DATA: "false",
        SMTP_URL: url,
        SMTP_TIMEOUT_MS: "60000",
        OUTBOX_POLL_MS: "50",
        SHUTDOWN_GRACE_MS: "1000",
      });
      try {
        const token = await tokenFor("hung-admin@example.com");
        const created = await postGraphQL(
          processServer.url,
          `mutation { createAccount(input: { name: "Hung" }) { account { id } } }`,
          token,
        );
        const accountId = created.data.createAccount.account.id as string;
        const outside = `hung-${Math.random().toString(36).slice(2, 10)}@partner.example`;
        const set = await postGraphQL(
          processServer.url,
          `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`,
          token,
          {
            input: { accountId, role: "SECURITY", email: outside },
          },
        );
        expect(set.errors).to.equal(undefined);
        // The start-up check and the verification message each hold a connection.
        await waitFor("the message's connection to the hung server", () => hung.accepted >= 2, 10_000);
        processServer.child.kill("SIGTERM");
        const code = await waitFor(
          "the process to exit",
          () =>
            Promise.race([
              processServer.exited.then((exit) => ({ exit })),
              new Promise<null>((resolve) => setTimeout(() => resolve(null), 100)),
            ]),
          20_000,
        );
        expect(code.exit, processServer.output()).to.equal(0);
        expect(processServer.output()).to.not.include("did not finish in time").and.not.include(outside);
      } finally {
        processServer.child.kill("SIGKILL");
        await hung.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
