import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { Database } from "../src/database";
import { WebhookWorker, type WebhookWorkerOptions } from "../src/webhooks/webhook.worker";
import { httpWebhookSender, RESPONSE_BODY_LIMIT } from "../src/webhooks/webhook-transport";
import { WebhookEndpoint } from "../src/webhooks/webhook-endpoint.entity";
import { decodeGlobalId } from "../src/common/global-id";
import { freshDatabaseUrl, dropTestDatabase, startTestServer, type TestServer } from "./helpers/server";
import { accountWithMembers, addMember, failsWith, mutate, ok, signIn, createAccount, type TestUser } from "./helpers/factories";
import { testingOnPostgres } from "./helpers/postgres";

/** One request the test receiver got. */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The status it was answered with (null: never answered). */
  status: number | null;
}

type Behaviour = (request: Received, response: http.ServerResponse) => void;

/** A real HTTP receiver on a loopback port: records every request and answers as `behaviour` says (200 by default). */
class Receiver {
  readonly received: Received[] = [];
  behaviour: Behaviour = (_request, response) => response.end("ok");
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry: Received = {
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        status: null,
      };
      this.received.push(entry);
      const writeHead = response.writeHead.bind(response);
      response.writeHead = ((status: number, ...rest: unknown[]) => {
        entry.status = status;
        return (writeHead as (...args: unknown[]) => http.ServerResponse)(status, ...rest);
      }) as typeof response.writeHead;
      response.on("finish", () => (entry.status ??= response.statusCode));
      this.behaviour(entry, response);
    });
  });
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path = "/hook", host = "127.0.0.1"): string {
    return `http://${host}:${this.port}${path}`;
  }

  /** The requests it answered 2xx. */
  get delivered(): Received[] {
    return this.received.filter((entry) => entry.status !== null && entry.status >= 200 && entry.status < 300);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

const ADD = `mutation($input: AddWebhookEndpointInput!) { addWebhookEndpoint(input: $input) {
  account { id } secret webhookEndpoint { id url eventTypes status description createdAt secretRotatedAt consecutiveFailures }
} }`;
const UPDATE = `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { webhookEndpoint { id status disabledReason consecutiveFailures } } }`;
const ROTATE = `mutation($input: RotateWebhookSecretInput!) { rotateWebhookSecret(input: $input) { secret previousSecretExpiresAt webhookEndpoint { id secretRotatedAt } } }`;
const REMOVE = `mutation($input: RemoveWebhookEndpointInput!) { removeWebhookEndpoint(input: $input) { removedWebhookEndpointId } }`;
const ENDPOINTS = `query($id: ID!) { account(id: $id) { webhookEndpoints {
  id url eventTypes status disabledReason description createdAt secretRotatedAt lastDeliveryAt lastError consecutiveFailures
  deliveries(first: 100) { totalCount edges { node { id webhookId eventType sequence attempt status responseStatus error durationMs at nextAttemptAt } } }
} } }`;

const SETTINGS = (server: TestServer, admin: TestUser, accountId: string, locale: "EN" | "PL") =>
  mutate(server, admin.token, "updateAccount", { accountId, locale });
const CONTACT = (server: TestServer, admin: TestUser, accountId: string, email: string) =>
  mutate(server, admin.token, "setRoleContact", { accountId, role: "SECURITY", email });

describe("webhooks", () => {
  let server: TestServer;
  let receiver: Receiver;
  const workers: WebhookWorker[] = [];
  const log: string[] = [];
  let unique = 0;

  before(async () => {
    server = await startTestServer({
      env: { MUTATION_RATE_LIMIT: "0", WEBHOOK_ALLOW_HTTP: "true", WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" },
    });
  });
  beforeEach(async () => {
    receiver = await new Receiver().start();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await receiver.close();
  });
  after(async () => {
    await server.close();
  });

  /** A worker over the real HTTP sender; retries are due at once unless a schedule is given. */
  const worker = (
    options: Partial<WebhookWorkerOptions> & { allowPrivateAddresses?: boolean; timeoutMs?: number } = {},
    db: Database = server.db,
  ) => {
    const { allowPrivateAddresses = true, timeoutMs = 5_000, ...rest } = options;
    const created = new WebhookWorker(db, httpWebhookSender({ allowHttp: true, allowPrivateAddresses }, timeoutMs), {
      pollMs: 20,
      concurrency: 2,
      retryScheduleMs: [0],
      maxFailures: 1000,
      leaseMs: 60_000,
      log: (message) => log.push(message),
      ...rest,
    });
    workers.push(created);
    return created;
  };

  /** Runs rounds until `done` holds (at most `rounds` rounds). */
  async function runUntil(worker: WebhookWorker, done: () => boolean | Promise<boolean>, rounds = 200): Promise<void> {
    for (let round = 0; round < rounds; round++) {
      if (await done()) return;
      await worker.runOnce();
    }
    expect(await done(), "the condition held after the worker's rounds").to.equal(true);
  }

  /** Runs rounds until one finds nothing due. */
  async function drain(worker: WebhookWorker): Promise<void> {
    for (let round = 0; round < 100; round++) if ((await worker.runOnce()) === 0) return;
  }

  async function accountWithEndpoint(eventTypes = ["CONTACTS", "MEMBERS", "SETTINGS"], url = receiver.url()) {
    const { admin, account } = await accountWithMembers(server, 0, `hook${++unique}`);
    const added = ok(
      await server.graphql(ADD, { input: { accountId: account.id, url, eventTypes, description: "CRM sync" } }, admin.token),
    ).addWebhookEndpoint;
    return { admin, account, endpoint: added.webhookEndpoint as { id: string; status: string }, secret: added.secret as string };
  }

  const endpoints = async (user: TestUser, accountId: string) =>
    ok(await server.graphql(ENDPOINTS, { id: accountId }, user.token)).account.webhookEndpoints as any[];
  const sequencesOf = (entries: Received[]) => entries.map((entry) => JSON.parse(entry.body).data.sequence as number);

  it("signs each delivery as Standard Webhooks says: the secret verifies it, a tampered body or another secret does not", async () => {
    const { admin, account, endpoint, secret } = await accountWithEndpoint();
    expect(secret).to.match(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint.status).to.equal("ENABLED");
    ok(await CONTACT(server, admin, account.id, "security@partner.example"));
    await drain(worker());
    expect(receiver.delivered).to.have.lengthOf(1);
    const [delivery] = receiver.delivered;
    const headers = {
      "webhook-id": String(delivery!.headers["webhook-id"]),
      "webhook-timestamp": String(delivery!.headers["webhook-timestamp"]),
      "webhook-signature": String(delivery!.headers["webhook-signature"]),
    };
    const payload = new Webhook(secret).verify(delivery!.body, headers) as any;
    expect(payload.type).to.equal("account.contacts.changed");
    expect(payload.data.accountId).to.equal(account.id);
    expect(payload.data.kinds).to.deep.equal(["account.contacts.changed"]);
    expect(payload.data.changedBy).to.deep.include({ __typename: "User", id: admin.id, email: admin.email });
    expect(payload.data.changes).to.have.lengthOf(1);
    expect(payload.data.changes[0]).to.deep.include({ slot: "SECURITY", action: "SET", newEmail: "security@partner.example" });
    expect(decodeGlobalId(payload.data.changes[0].id)?.type).to.equal("ContactChange");
    expect(delivery!.headers["content-type"]).to.equal("application/json");

    expect(() =>
      new Webhook(secret).verify(delivery!.body.replace("security@partner.example", "attacker@evil.example"), headers),
    ).to.throw();
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString("base64")}`).verify(delivery!.body, headers)).to.throw();

    const [listed] = await endpoints(admin, account.id);
    expect(listed.deliveries.edges.map((edge: any) => edge.node)).to.deep.equal([
      {
        ...listed.deliveries.edges[0].node,
        webhookId: headers["webhook-id"],
        eventType: "CONTACTS",
        attempt: 1,
        status: "DELIVERED",
        responseStatus: 200,
        error: null,
        nextAttemptAt: null,
      },
    ]);
    expect(listed.lastDeliveryAt).to.be.a("string");
  });

  it("delivers each account's events in order, at least once, with one webhook-id per event across retries", async () => {
    const { admin, account } = await accountWithEndpoint();
    for (let index = 0; index < 5; index++) ok(await CONTACT(server, admin, account.id, `sec${index}@partner.example`));
    // The receiver fails a while (500), then takes everything.
    let failures = 7;
    receiver.behaviour = (_request, response) => {
      response.writeHead(failures-- > 0 ? 500 : 200).end();
    };
    const sender = worker();
    await runUntil(sender, () => receiver.delivered.length >= 5);
    await drain(sender);

    const delivered = receiver.delivered;
    const firstSequence = JSON.parse(delivered[0]!.body).data.sequence as number;
    expect(sequencesOf(delivered)).to.deep.equal([0, 1, 2, 3, 4].map((offset) => firstSequence + offset));
    expect(sequencesOf(receiver.received)).to.deep.equal([...sequencesOf(receiver.received)].sort((a, b) => a - b));
    // Every attempt at one event carried the same id; different events, different ids.
    const idsBySequence = new Map<number, Set<string>>();
    for (const entry of receiver.received) {
      const sequence = JSON.parse(entry.body).data.sequence as number;
      if (!idsBySequence.has(sequence)) idsBySequence.set(sequence, new Set());
      idsBySequence.get(sequence)!.add(String(entry.headers["webhook-id"]));
    }
    expect([...idsBySequence.values()].every((ids) => ids.size === 1)).to.equal(true);
    expect(new Set([...idsBySequence.values()].map((ids) => [...ids][0])).size).to.equal(5);
    expect(receiver.received).to.have.lengthOf(12);

    const [listed] = await endpoints(admin, account.id);
    const attempts = listed.deliveries.edges.map((edge: any) => edge.node).reverse();
    expect(attempts.map((attempt: any) => [attempt.sequence, attempt.attempt, attempt.status])).to.deep.equal([
      ...[1, 2, 3, 4, 5, 6, 7].map((attempt) => [firstSequence, attempt, "FAILED"]),
      [firstSequence, 8, "DELIVERED"],
      ...[1, 2, 3, 4].map((offset) => [firstSequence + offset, 1, "DELIVERED"]),
    ]);
    expect(attempts[0].error).to.equal("HTTP_STATUS");
    expect(attempts[0].responseStatus).to.equal(500);
    expect(listed.consecutiveFailures).to.equal(0);
  });

  it("sends only the kinds an endpoint wants, and passes over the rest without a delivery", async () => {
    const { admin, account } = await accountWithEndpoint(["SETTINGS"]);
    ok(await CONTACT(server, admin, account.id, "first@partner.example"));
    ok(await SETTINGS(server, admin, account.id, "PL"));
    ok(await CONTACT(server, admin, account.id, "second@partner.example"));
    ok(await SETTINGS(server, admin, account.id, "EN"));
    await drain(worker());
    expect(receiver.received.map((entry) => JSON.parse(entry.body).type)).to.deep.equal([
      "account.settings.changed",
      "account.settings.changed",
    ]);
    expect(receiver.received.map((entry) => JSON.parse(entry.body).data.settingChanges[0].newValue)).to.deep.equal(["pl", "en"]);
  });

  it("starts a new endpoint at the account's latest event: it receives changes from its creation on", async () => {
    const { admin, account } = await accountWithMembers(server, 0, `late${++unique}`);
    ok(await CONTACT(server, admin, account.id, "before@partner.example"));
    const added = ok(
      await server.graphql(ADD, { input: { accountId: account.id, url: receiver.url(), eventTypes: ["CONTACTS"] } }, admin.token),
    );
    expect(added.addWebhookEndpoint.webhookEndpoint.status).to.equal("ENABLED");
    await drain(worker());
    expect(receiver.received).to.have.lengthOf(0);
    ok(await CONTACT(server, admin, account.id, "after@partner.example"));
    await drain(worker());
    expect(receiver.received.map((entry) => JSON.parse(entry.body).data.changes[0].newEmail)).to.deep.equal(["after@partner.example"]);
  });

  it("disables an endpoint after the set number of failures in a row, says why, and catches up once enabled again", async () => {
    const { admin, account, endpoint } = await accountWithEndpoint();
    receiver.behaviour = (_request, response) => response.writeHead(503).end();
    ok(await CONTACT(server, admin, account.id, "one@partner.example"));
    const sender = worker({ maxFailures: 3, retryScheduleMs: [0] });
    await drain(sender);
    expect(receiver.received).to.have.lengthOf(3);
    let [listed] = await endpoints(admin, account.id);
    expect(listed.status).to.equal("DISABLED");
    expect(listed.consecutiveFailures).to.equal(3);
    expect(listed.lastError).to.equal("HTTP_STATUS");
    expect(listed.disabledReason).to.match(/3 failed delivery attempts/);
    expect(listed.deliveries.edges[0].node.nextAttemptAt).to.equal(null);

    // Fixed, but still disabled: nothing is sent, and later events wait too.
    receiver.behaviour = (_request, response) => response.end("ok");
    ok(await CONTACT(server, admin, account.id, "two@partner.example"));
    await drain(sender);
    expect(receiver.received).to.have.lengthOf(3);

    const enabled = ok(await server.graphql(UPDATE, { input: { webhookEndpointId: endpoint.id, status: "ENABLED" } }, admin.token))
      .updateWebhookEndpoint.webhookEndpoint;
    expect(enabled).to.deep.include({ status: "ENABLED", disabledReason: null, consecutiveFailures: 0 });
    await drain(sender);
    expect(receiver.delivered.map((entry) => JSON.parse(entry.body).data.changes[0].newEmail)).to.deep.equal([
      "one@partner.example",
      "two@partner.example",
    ]);
    [listed] = await endpoints(admin, account.id);
    expect(listed.deliveries.edges[1].node.attempt).to.equal(4);
  });

  it("waits out the retry schedule before trying a failed event again", async () => {
    const { admin, account } = await accountWithEndpoint();
    receiver.behaviour = (_request, response) => response.writeHead(500).end();
    ok(await CONTACT(server, admin, account.id, "later@partner.example"));
    await drain(worker({ retryScheduleMs: [3_600_000] }));
    expect(receiver.received).to.have.lengthOf(1);
    const [listed] = await endpoints(admin, account.id);
    const failed = listed.deliveries.edges[0].node;
    expect(new Date(failed.nextAttemptAt).getTime() - new Date(failed.at).getTime()).to.be.greaterThan(3_500_000);
    expect(listed.status).to.equal("ENABLED");
  });

  it("sends a paused endpoint nothing until it is resumed", async () => {
    const { admin, account, endpoint } = await accountWithEndpoint();
    const paused = ok(await server.graphql(UPDATE, { input: { webhookEndpointId: endpoint.id, status: "PAUSED" } }, admin.token))
      .updateWebhookEndpoint.webhookEndpoint;
    expect(paused.status).to.equal("PAUSED");
    ok(await CONTACT(server, admin, account.id, "paused@partner.example"));
    await drain(worker());
    expect(receiver.received).to.have.lengthOf(0);
    ok(await server.graphql(UPDATE, { input: { webhookEndpointId: endpoint.id, status: "ENABLED" } }, admin.token));
    await drain(worker());
    expect(receiver.delivered).to.have.lengthOf(1);
  });

  for (const how of ["removed", "demoted"] as const) {
    it(`pauses the endpoints an admin added when they are ${how}, so a URL they chose stops receiving the account's changes`, async () => {
      const { admin, account } = await accountWithMembers(server, 0, `former-${how}`);
      const other = await addMember(server, admin, account.id, `former-${how}-${++unique}@example.com`, "ADMIN");
      const added = ok(
        await server.graphql(
          ADD,
          { input: { accountId: account.id, url: receiver.url("/theirs"), eventTypes: ["CONTACTS", "MEMBERS"] } },
          other.token,
        ),
      ).addWebhookEndpoint;
      ok(
        await server.graphql(
          ADD,
          { input: { accountId: account.id, url: receiver.url("/ours"), eventTypes: ["CONTACTS", "MEMBERS"] } },
          admin.token,
        ),
      ).addWebhookEndpoint;
      const state = async () =>
        ok(
          await server.graphql(
            `query($id: ID!) { account(id: $id) { webhookEndpoints { id status pausedReason createdBy { email } } } }`,
            { id: account.id },
            admin.token,
          ),
        ).account.webhookEndpoints as any[];
      expect((await state()).map((entry) => entry.createdBy.email)).to.deep.equal([other.email, admin.email]);
      if (how === "removed")
        ok(
          await server.graphql(
            `mutation($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) { account { id } } }`,
            { input: { accountId: account.id, userId: other.id } },
            admin.token,
          ),
        );
      else
        ok(
          await server.graphql(
            `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { member { role } } }`,
            { input: { accountId: account.id, email: other.email, role: "MEMBER" } },
            admin.token,
          ),
        );
      ok(await CONTACT(server, admin, account.id, `after-${how}@partner.example`));
      await drain(worker());
      expect(
        receiver.received.filter((entry) => entry.path === "/theirs"),
        "nothing after the change that took their rights",
      ).to.have.lengthOf(0);
      expect(receiver.delivered.filter((entry) => entry.path === "/ours").length).to.be.above(0);
      const [theirs, mine] = await state();
      expect([theirs.status, theirs.pausedReason]).to.deep.equal(["PAUSED", "CREATOR_NO_LONGER_ADMIN"]);
      expect([mine.status, mine.pausedReason]).to.deep.equal(["ENABLED", null]);
      // An admin who checks it enables it again, answers for it from then on, and it catches up.
      ok(await server.graphql(UPDATE, { input: { webhookEndpointId: added.webhookEndpoint.id, status: "ENABLED" } }, admin.token));
      await drain(worker());
      expect(receiver.delivered.filter((entry) => entry.path === "/theirs").length).to.be.above(0);
      const [enabled] = await state();
      expect([enabled.status, enabled.pausedReason, enabled.createdBy.email]).to.deep.equal(["ENABLED", null, admin.email]);
    });
  }

  it("gives receivers that keep failing at most half the lanes, after the healthy ones: another account's deliveries go out meanwhile", async () => {
    const held: http.ServerResponse[] = [];
    let slowInFlight = 0;
    let mostSlowAtOnce = 0;
    receiver.behaviour = (request, response) => {
      if (request.path.startsWith("/slow")) {
        slowInFlight++;
        mostSlowAtOnce = Math.max(mostSlowAtOnce, slowInFlight);
        held.push(response);
        response.on("close", () => slowInFlight--);
        return;
      }
      response.end("ok");
    };
    const failingEndpoints: number[] = [];
    for (let index = 0; index < 3; index++) {
      const { admin, account, endpoint } = await accountWithEndpoint(["CONTACTS"], receiver.url(`/slow${index}`));
      ok(await CONTACT(server, admin, account.id, `slow${index}@partner.example`));
      failingEndpoints.push(Number(decodeGlobalId(endpoint.id)!.key[0]));
    }
    // They have failed before: the worker counts them as failing.
    for (const sequence of failingEndpoints)
      await server.db.write((manager) => manager.update(WebhookEndpoint, { sequence }, { consecutiveFailures: 3 }));
    const healthy = await accountWithEndpoint(["CONTACTS"], receiver.url("/healthy"));
    ok(await CONTACT(server, healthy.admin, healthy.account.id, "healthy@partner.example"));
    const round = worker({ concurrency: 4 }).runOnce();
    // Release the held answers only once the healthy delivery has gone out.
    for (let wait = 0; wait < 500 && receiver.delivered.every((entry) => entry.path !== "/healthy"); wait++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    for (let wait = 0; wait < 100 && held.length < 2; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    const release = setInterval(() => {
      for (const response of held.splice(0)) response.end("late");
    }, 20);
    await round;
    clearInterval(release);
    expect(receiver.delivered.filter((entry) => entry.path === "/healthy")).to.have.lengthOf(1);
    expect(mostSlowAtOnce, "failing receivers held at most half of the 4 lanes").to.equal(2);
    expect(receiver.received.filter((entry) => entry.path.startsWith("/slow")).length, "every failing one was still served").to.equal(3);
  });

  it("stops sending an endpoint's backlog after the delivery in flight when an admin pauses it", async () => {
    const { admin, account, endpoint } = await accountWithEndpoint();
    for (let index = 0; index < 3; index++) ok(await CONTACT(server, admin, account.id, `backlog${index}@partner.example`));
    receiver.behaviour = (_request, response) => {
      // The admin pauses the endpoint while its first delivery is being answered.
      void server
        .graphql(UPDATE, { input: { webhookEndpointId: endpoint.id, status: "PAUSED" } }, admin.token)
        .then(() => response.end("ok"));
    };
    await drain(worker());
    expect(receiver.delivered).to.have.lengthOf(1);
    const [listed] = await endpoints(admin, account.id);
    expect(listed.status).to.equal("PAUSED");
  });

  it("signs with both the new and the previous secret during a rotation's overlap, then with the new one only", async () => {
    const { admin, account, endpoint, secret: oldSecret } = await accountWithEndpoint();
    const rotated = ok(await server.graphql(ROTATE, { input: { webhookEndpointId: endpoint.id } }, admin.token)).rotateWebhookSecret;
    expect(rotated.secret)
      .to.match(/^whsec_/)
      .and.not.equal(oldSecret);
    expect(new Date(rotated.previousSecretExpiresAt).getTime() - Date.now()).to.be.greaterThan(23 * 3_600_000);
    expect(rotated.webhookEndpoint.secretRotatedAt).to.be.a("string");
    ok(await CONTACT(server, admin, account.id, "rotated@partner.example"));
    await drain(worker());
    const headersOf = (entry: Received) => ({
      "webhook-id": String(entry.headers["webhook-id"]),
      "webhook-timestamp": String(entry.headers["webhook-timestamp"]),
      "webhook-signature": String(entry.headers["webhook-signature"]),
    });
    const first = receiver.delivered[0]!;
    expect(headersOf(first)["webhook-signature"].split(" ")).to.have.lengthOf(2);
    expect(() => new Webhook(rotated.secret).verify(first.body, headersOf(first))).to.not.throw();
    expect(() => new Webhook(oldSecret).verify(first.body, headersOf(first))).to.not.throw();

    // Once the overlap has passed, only the new secret signs.
    const id = Number(decodeGlobalId(endpoint.id)!.key[0]);
    await server.db.write((manager) =>
      manager.update(WebhookEndpoint, { sequence: id }, { previousSecretUntil: new Date(Date.now() - 1000) }),
    );
    ok(await CONTACT(server, admin, account.id, "after-overlap@partner.example"));
    await drain(worker());
    const second = receiver.delivered[1]!;
    expect(headersOf(second)["webhook-signature"].split(" ")).to.have.lengthOf(1);
    expect(() => new Webhook(rotated.secret).verify(second.body, headersOf(second))).to.not.throw();
    expect(() => new Webhook(oldSecret).verify(second.body, headersOf(second))).to.throw();
  });

  it("shows the secret only in the answers that make it: no field reads it back", async () => {
    const { admin, account, endpoint, secret } = await accountWithEndpoint();
    const type = ok(await server.graphql(`{ __type(name: "WebhookEndpoint") { fields { name } } }`, {}, admin.token)).__type;
    expect(type.fields.map((field: { name: string }) => field.name).filter((name: string) => /secret/i.test(name))).to.deep.equal([
      "secretRotatedAt",
    ]);
    const everything = await server.graphql(
      `query($id: ID!, $node: ID!) { account(id: $id) { webhookEndpoints { ${"id url eventTypes status disabledReason description createdAt secretRotatedAt lastDeliveryAt lastError consecutiveFailures"} } }
      node(id: $node) { ... on WebhookEndpoint { id url } } }`,
      { id: account.id, node: endpoint.id },
      admin.token,
    );
    ok(everything);
    const key = secret.slice("whsec_".length);
    expect(JSON.stringify(everything)).to.not.include(key);
  });

  it("refuses URLs that lead to this machine or a private network at registration, with WEBHOOK_URL_REFUSED on input.url", async () => {
    const strict = await startTestServer({ env: { MUTATION_RATE_LIMIT: "0" } });
    try {
      const admin = await signIn(strict, `strict-${++unique}@example.com`);
      const account = await createAccount(strict, admin);
      const refused = [
        "http://hooks.example.com/plain-http",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://172.16.5.4/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::127.0.0.1]/hook",
        "https://[::10.0.0.1]/hook",
        "https://[::169.254.169.254]/hook",
        "https://[::ffff:169.254.169.254]/hook",
        "https://[fd00::1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://user:password@hooks.example.com/hook",
        "not a url",
      ];
      for (const url of refused) {
        const response = await strict.graphql(ADD, { input: { accountId: account.id, url, eventTypes: ["CONTACTS"] } }, admin.token);
        const error = failsWith(response, "WEBHOOK_URL_REFUSED");
        expect(
          error.extensions!.invalidFields.map((entry: { field: string }) => entry.field),
          url,
        ).to.deep.equal(["input.url"]);
      }
      const listed = ok(
        await strict.graphql(`query($id: ID!) { account(id: $id) { webhookEndpoints { id } } }`, { id: account.id }, admin.token),
      );
      expect(listed.account.webhookEndpoints).to.deep.equal([]);
    } finally {
      await strict.close();
    }
  });

  it("refuses at delivery a host name that resolves to a loopback address, when private addresses are not allowed", async () => {
    const { admin, account } = await accountWithEndpoint(["CONTACTS"], receiver.url("/hook", "localhost"));
    ok(await CONTACT(server, admin, account.id, "ssrf@partner.example"));
    await runUntil(
      worker({ allowPrivateAddresses: false, maxFailures: 1 }),
      async () => (await endpoints(admin, account.id))[0].status === "DISABLED",
    );
    expect(receiver.received).to.have.lengthOf(0);
    const [listed] = await endpoints(admin, account.id);
    expect(listed.lastError).to.equal("ADDRESS_REFUSED");
    expect(listed.deliveries.edges[0].node).to.deep.include({ status: "FAILED", error: "ADDRESS_REFUSED", responseStatus: null });
  });

  it("does not follow redirects: a 3xx is a failed attempt", async () => {
    const { admin, account } = await accountWithEndpoint();
    receiver.behaviour = (request, response) => {
      if (request.path === "/hook") response.writeHead(302, { location: receiver.url("/elsewhere") }).end();
      else response.end("ok");
    };
    ok(await CONTACT(server, admin, account.id, "redirect@partner.example"));
    await runUntil(worker({ maxFailures: 1 }), async () => (await endpoints(admin, account.id))[0].status === "DISABLED");
    expect(receiver.received.map((entry) => entry.path)).to.deep.equal(["/hook"]);
    const [listed] = await endpoints(admin, account.id);
    expect(listed.deliveries.edges[0].node).to.deep.include({ status: "FAILED", error: "REDIRECT", responseStatus: 302 });
  });

  it("gives up on a receiver that does not answer in time", async () => {
    const { admin, account } = await accountWithEndpoint();
    receiver.behaviour = () => undefined; // never answers
    ok(await CONTACT(server, admin, account.id, "slow@partner.example"));
    await runUntil(worker({ timeoutMs: 300, maxFailures: 1 }), async () => (await endpoints(admin, account.id))[0].status === "DISABLED");
    const [listed] = await endpoints(admin, account.id);
    expect(listed.deliveries.edges[0].node).to.deep.include({ status: "FAILED", error: "TIMEOUT", responseStatus: null });
  });

  it("reads at most 64 KB of an answer: an endless 200 still counts as delivered", async () => {
    receiver.behaviour = (_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      const chunk = Buffer.alloc(16 * 1024, 120);
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once("drain", pump);
      };
      pump();
    };
    // Without the cap this would wait for the (long) timeout and fail with TIMEOUT.
    const response = await httpWebhookSender(
      { allowHttp: true, allowPrivateAddresses: true },
      60_000,
    )({ url: receiver.url(), headers: {}, body: "{}" });
    expect(response).to.deep.include({ ok: true, status: 200, error: null, bodyBytes: RESPONSE_BODY_LIMIT });
  });

  it("lets only admins list and change endpoints; a member gets FORBIDDEN", async () => {
    const { admin, account, endpoint } = await accountWithEndpoint();
    const member = await addMember(server, admin, account.id, `plain-${++unique}@example.com`);
    failsWith(
      await server.graphql(`query($id: ID!) { account(id: $id) { webhookEndpoints { id } } }`, { id: account.id }, member.token),
      "FORBIDDEN",
    );
    failsWith(
      await server.graphql(ADD, { input: { accountId: account.id, url: receiver.url(), eventTypes: ["CONTACTS"] } }, member.token),
      "FORBIDDEN",
    );
    failsWith(await server.graphql(UPDATE, { input: { webhookEndpointId: endpoint.id, status: "PAUSED" } }, member.token), "FORBIDDEN");
    failsWith(await server.graphql(ROTATE, { input: { webhookEndpointId: endpoint.id } }, member.token), "FORBIDDEN");
    failsWith(await server.graphql(REMOVE, { input: { webhookEndpointId: endpoint.id } }, member.token), "FORBIDDEN");
    failsWith(await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: endpoint.id }, member.token), "NOT_FOUND");
  });

  it("answers NOT_FOUND to an admin of another account who names an endpoint by id", async () => {
    const { endpoint, admin: ownerAdmin, account } = await accountWithEndpoint();
    const { admin: stranger } = await accountWithMembers(server, 0, `stranger${++unique}`);
    for (const [query, input] of [
      [UPDATE, { webhookEndpointId: endpoint.id, status: "PAUSED" }],
      [UPDATE, { webhookEndpointId: endpoint.id, url: "https://127.0.0.1/x" }],
      [ROTATE, { webhookEndpointId: endpoint.id }],
      [REMOVE, { webhookEndpointId: endpoint.id }],
    ] as const) {
      failsWith(await server.graphql(query, { input }, stranger.token), "NOT_FOUND");
    }
    failsWith(await server.graphql(`query($id: ID!) { node(id: $id) { id } }`, { id: endpoint.id }, stranger.token), "NOT_FOUND");
    const [still] = await endpoints(ownerAdmin, account.id);
    expect(still.status).to.equal("ENABLED");
  });

  it("limits an account to 10 endpoints, and removes one with its deliveries", async () => {
    const { admin, account, endpoint } = await accountWithEndpoint();
    for (let index = 1; index < 10; index++)
      ok(
        await server.graphql(
          ADD,
          { input: { accountId: account.id, url: receiver.url(`/h${index}`), eventTypes: ["MEMBERS"] } },
          admin.token,
        ),
      );
    const error = failsWith(
      await server.graphql(ADD, { input: { accountId: account.id, url: receiver.url("/h11"), eventTypes: ["MEMBERS"] } }, admin.token),
      "BAD_USER_INPUT",
    );
    expect(error.extensions!.invalidFields[0].field).to.equal("input.url");
    failsWith(
      await server.graphql(ADD, { input: { accountId: account.id, url: receiver.url(), eventTypes: [] } }, admin.token),
      "BAD_USER_INPUT",
    );
    const removed = ok(await server.graphql(REMOVE, { input: { webhookEndpointId: endpoint.id } }, admin.token)).removeWebhookEndpoint;
    expect(removed.removedWebhookEndpointId).to.equal(endpoint.id);
    expect(await endpoints(admin, account.id)).to.have.lengthOf(9);
    failsWith(await server.graphql(REMOVE, { input: { webhookEndpointId: endpoint.id } }, admin.token), "NOT_FOUND");
  });

  it("never sends one endpoint two events at once, nor one event twice, with two workers on one database", async () => {
    const url = testingOnPostgres() ? await freshDatabaseUrl() : null;
    const shared = url
      ? await startTestServer({
          databaseUrl: url,
          env: { MUTATION_RATE_LIMIT: "0", WEBHOOK_ALLOW_HTTP: "true", WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true" },
        })
      : server;
    const secondDb = url ? await Database.open({ databaseUrl: url, postgres: shared.config.database }) : server.db;
    try {
      const admins: { admin: TestUser; accountId: string }[] = [];
      for (let index = 0; index < 3; index++) {
        const { admin, account } = await accountWithMembers(shared, 0, `pair${++unique}`);
        ok(
          await shared.graphql(
            ADD,
            { input: { accountId: account.id, url: receiver.url(`/pair${index}`), eventTypes: ["CONTACTS"] } },
            admin.token,
          ),
        );
        admins.push({ admin, accountId: account.id });
      }
      for (let round = 0; round < 4; round++) {
        for (const { admin, accountId } of admins) ok(await CONTACT(shared, admin, accountId, `r${round}@partner.example`));
      }
      const inFlight = new Map<string, number>();
      let overlapping = 0;
      receiver.behaviour = (request, response) => {
        inFlight.set(request.path, (inFlight.get(request.path) ?? 0) + 1);
        if (inFlight.get(request.path)! > 1) overlapping++;
        setTimeout(() => {
          inFlight.set(request.path, inFlight.get(request.path)! - 1);
          response.end("ok");
        }, 20);
      };
      const first = worker({ concurrency: 3, eventsPerClaim: 1 }, shared.db);
      const second = worker({ concurrency: 3, eventsPerClaim: 1 }, secondDb);
      for (let round = 0; round < 50 && receiver.delivered.length < 12; round++) await Promise.all([first.runOnce(), second.runOnce()]);
      expect(overlapping).to.equal(0);
      expect(receiver.received).to.have.lengthOf(12);
      const ids = receiver.received.map((entry) => String(entry.headers["webhook-id"]));
      expect(new Set(ids).size).to.equal(12);
      for (const path of ["/pair0", "/pair1", "/pair2"]) {
        const sequences = sequencesOf(receiver.received.filter((entry) => entry.path === path));
        expect(sequences).to.deep.equal([...sequences].sort((a, b) => a - b));
      }
    } finally {
      if (url) {
        await secondDb.close();
        await shared.close();
        await dropTestDatabase(url).catch(() => undefined);
      }
    }
  });
});
