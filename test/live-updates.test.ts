import { expect } from "chai";
import WebSocket from "ws";
import { startTestServer, tokenFor, type TestServer } from "./helpers/server";
import { accountWithMembers, createAccount, ok, signIn, type TestUser } from "./helpers/factories";
import { liveClient, Received, wsUrl, type LiveClient } from "./helpers/live";
import { signToken } from "../src/auth/tokens";
import { TEST_JWT_SECRET } from "./helpers/server";
import { spawnServer } from "./helpers/process";

const EVENT_FIELDS = `sequence contactsVersion kinds at reloadRequired
  changedBy { __typename ... on User { email } ... on ExternalContact { email } }
  account { id contactsVersion eventSequence }
  changes { slot action newEmail }
  memberChanges { action email }
  settingChanges { setting newValue }`;
const SUBSCRIBE = `subscription($accountId: ID!, $afterSequence: Int) { accountChanged(accountId: $accountId, afterSequence: $afterSequence) { ${EVENT_FIELDS} } }`;

interface Event {
  sequence: number;
  contactsVersion: number;
  kinds: string[];
  reloadRequired: boolean;
  changedBy: { __typename: string; email: string } | null;
  account: { id: string; contactsVersion: number; eventSequence: number };
  changes: { slot: string; action: string; newEmail: string | null }[];
  memberChanges: { action: string; email: string }[];
  settingChanges: { setting: string; newValue: string }[];
}

type Events = Received<{ accountChanged: Event }>;

const sequences = (received: Events) => received.results.map((result) => result.data?.accountChanged.sequence);

async function eventSequence(server: TestServer, token: string, accountId: string): Promise<number> {
  return ok(
    await server.graphql<{ account: { eventSequence: number } }>(
      `query($id: ID!) { account(id: $id) { eventSequence } }`,
      { id: accountId },
      token,
    ),
  ).account.eventSequence;
}

/** One change of the account's language: one event with a setting change (toggled, so it always changes something). */
const polish = new Set<string>();
async function changeSomething(server: TestServer, admin: TestUser, accountId: string): Promise<void> {
  const locale = polish.has(accountId) ? "EN" : "PL";
  if (locale === "PL") polish.add(accountId);
  else polish.delete(accountId);
  ok(
    await server.graphql(
      `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`,
      { input: { accountId, locale } },
      admin.token,
    ),
  );
}

async function setDecisionMaker(server: TestServer, admin: TestUser, accountId: string, userId: string): Promise<void> {
  ok(
    await server.graphql(
      `mutation($input: SetRoleContactInput!) { setRoleContact(input: $input) { account { id } } }`,
      { input: { accountId, role: "DECISION_MAKER", userId } },
      admin.token,
    ),
  );
}

describe("Live updates: Subscription.accountChanged over graphql-ws", () => {
  let server: TestServer;
  const clients: LiveClient[] = [];
  const open = (token: string | null, headers?: Record<string, string>, on = server) => {
    const live = liveClient(on.url, token, headers);
    clients.push(live);
    return live;
  };

  before(async () => {
    server = await startTestServer({
      env: {
        WS_MAX_SOCKETS_PER_CALLER: "3",
        WS_MAX_SUBSCRIPTIONS_PER_SOCKET: "2",
        LIVE_RESUME_MAX_EVENTS: "5",
        CORS_ORIGINS: "https://app.example.com",
      },
    });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((live) => live.dispose()));
  });
  after(async () => {
    await server.close();
  });

  it("delivers a committed change to a member with its history rows and the account as it is now", async () => {
    const { admin, account, members } = await accountWithMembers(server, 1);
    const live = open(members[0]!.token);
    const received: Events = new Received(live.client, SUBSCRIBE, { accountId: account.id });
    await live.connected;
    // The subscription is open once a change made after it arrives; the first change may race the subscribe.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await setDecisionMaker(server, admin, account.id, members[0]!.id);
    const [result] = await received.count(1);
    expect(result!.errors).to.equal(undefined);
    const event = result!.data!.accountChanged;
    const latest = await eventSequence(server, admin.token, account.id);
    expect(event.sequence).to.equal(latest);
    expect(event.kinds).to.deep.equal(["CONTACTS"]);
    expect(event.reloadRequired).to.equal(false);
    expect(event.changedBy).to.deep.equal({ __typename: "User", email: admin.email });
    expect(event.changes).to.deep.equal([{ slot: "DECISION_MAKER", action: "SET", newEmail: members[0]!.email }]);
    expect(event.memberChanges).to.deep.equal([]);
    expect(event.account).to.deep.equal({ id: account.id, contactsVersion: event.contactsVersion, eventSequence: latest });
  });

  it("answers Account.eventSequence over HTTP: 1 after the account is created, one more per change", async () => {
    const admin = await signIn(server, "sequence-admin@example.com");
    const account = await createAccount(server, admin);
    expect(await eventSequence(server, admin.token, account.id)).to.equal(1);
    await changeSomething(server, admin, account.id);
    expect(await eventSequence(server, admin.token, account.id)).to.equal(2);
  });

  it("refuses a subscription over HTTP: it is served over WebSocket", async () => {
    const admin = await signIn(server, "http-sub@example.com");
    const account = await createAccount(server, admin);
    const response = await server.graphql(SUBSCRIBE, { accountId: account.id }, admin.token);
    expect(response.errors?.[0]?.extensions?.code).to.equal("GRAPHQL_VALIDATION_FAILED");
    expect(response.errors?.[0]?.message).to.match(/WebSocket/);
  });

  it("closes a socket without a token, or with a bad one, with 4403 before anything runs", async () => {
    const none = open(null);
    expect((await none.closed).code).to.equal(4403);
    const forged = open(await tokenFor("forger@example.com", undefined, "another-secret-that-is-long-enough-000000"));
    expect((await forged.closed).code).to.equal(4403);
  });

  it("closes the socket with 4403 when its token expires", async () => {
    const user = await signIn(server, "expiring@example.com");
    const shortLived = await signToken(TEST_JWT_SECRET, { email: user.email }, Math.floor(Date.now() / 1000) + 2);
    const live = open(shortLived);
    await live.connected;
    const close = await live.closed;
    expect(close.code).to.equal(4403);
    expect(close.reason).to.match(/expired/);
  });

  it("answers a non-member, an unknown id and a malformed id with NOT_FOUND, as a query would", async () => {
    const { account } = await accountWithMembers(server, 0);
    const stranger = await signIn(server, "stranger@example.com");
    const live = open(stranger.token);
    for (const accountId of [account.id, "QWNjb3VudDpub3BlIQ", "not an id"]) {
      const received: Events = new Received(live.client, SUBSCRIBE, { accountId });
      await received.end();
      expect(received.results, accountId).to.have.lengthOf(1);
      expect(received.results[0]!.errors?.[0]?.extensions?.code, accountId).to.equal("NOT_FOUND");
      expect(received.results[0]!.data ?? null).to.equal(null);
    }
  });

  it("stops delivering to a member at once when they are removed, ending the subscription with NOT_FOUND", async () => {
    const { admin, account, members } = await accountWithMembers(server, 2);
    const leaving = members[0]!;
    const live = open(leaving.token);
    const received: Events = new Received(live.client, SUBSCRIBE, {
      accountId: account.id,
      afterSequence: await eventSequence(server, admin.token, account.id),
    });
    await changeSomething(server, admin, account.id);
    await received.count(1);
    ok(
      await server.graphql(
        `mutation($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) { account { id } } }`,
        { input: { accountId: account.id, userId: leaving.id } },
        admin.token,
      ),
    );
    await changeSomething(server, admin, account.id);
    await received.end();
    expect(received.results).to.have.lengthOf(2);
    expect(received.results[1]!.errors?.[0]?.extensions?.code).to.equal("NOT_FOUND");
    // Neither the removal itself nor the change after it reached them.
    expect(received.results.flatMap((result) => result.data?.accountChanged.memberChanges ?? [])).to.deep.equal([]);
  });

  it("never sends a subscriber to one account another account's events", async () => {
    const first = await accountWithMembers(server, 0, "tenant-a");
    const second = await accountWithMembers(server, 0, "tenant-b");
    const live = open(first.admin.token);
    const after = await eventSequence(server, first.admin.token, first.account.id);
    const received: Events = new Received(live.client, SUBSCRIBE, { accountId: first.account.id, afterSequence: after });
    for (let index = 0; index < 3; index++) await changeSomething(server, second.admin, second.account.id);
    await changeSomething(server, first.admin, first.account.id);
    await received.count(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.results.map((result) => result.data?.accountChanged.account.id)).to.deep.equal([first.account.id]);
    expect(sequences(received)).to.deep.equal([after + 1]);
  });

  it("resumes after a gap: first the missed events in order, then live ones", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "resume");
    const after = await eventSequence(server, admin.token, account.id);
    for (let index = 0; index < 3; index++) await changeSomething(server, admin, account.id);
    const live = open(admin.token);
    const received: Events = new Received(live.client, SUBSCRIBE, { accountId: account.id, afterSequence: after });
    await received.count(3);
    await changeSomething(server, admin, account.id);
    await received.count(4);
    expect(sequences(received)).to.deep.equal([after + 1, after + 2, after + 3, after + 4]);
    expect(received.results.every((result) => result.data?.accountChanged.settingChanges.length === 1)).to.equal(true);
  });

  it("sends one reloadRequired event carrying the latest sequence when more were missed than LIVE_RESUME_MAX_EVENTS, then goes on live", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "reload");
    const after = await eventSequence(server, admin.token, account.id);
    for (let index = 0; index < 6; index++) await changeSomething(server, admin, account.id);
    const live = open(admin.token);
    const received: Events = new Received(live.client, SUBSCRIBE, { accountId: account.id, afterSequence: after });
    const [reload] = await received.count(1);
    expect(reload!.data!.accountChanged).to.include({ sequence: after + 6, reloadRequired: true });
    expect(reload!.data!.accountChanged.settingChanges).to.deep.equal([]);
    await changeSomething(server, admin, account.id);
    await received.count(2);
    expect(sequences(received)).to.deep.equal([after + 6, after + 7]);
    expect(received.results[1]!.data!.accountChanged.reloadRequired).to.equal(false);
  });

  it("sends reloadRequired when afterSequence is ahead of the account (a client holding another database's state)", async () => {
    const { admin, account } = await accountWithMembers(server, 0, "ahead");
    const latest = await eventSequence(server, admin.token, account.id);
    const live = open(admin.token);
    const received: Events = new Received(live.client, SUBSCRIBE, { accountId: account.id, afterSequence: latest + 50 });
    const [reload] = await received.count(1);
    expect(reload!.data!.accountChanged).to.include({ sequence: latest, reloadRequired: true });
    await changeSomething(server, admin, account.id);
    await received.count(2);
    expect(sequences(received)).to.deep.equal([latest, latest + 1]);
  });

  it("delivers every event exactly once and in order while several writers change the account at once", async () => {
    const { admin, account, members } = await accountWithMembers(server, 3, "order");
    const after = await eventSequence(server, admin.token, account.id);
    const live = open(admin.token);
    const received: Events = new Received(live.client, SUBSCRIBE, { accountId: account.id, afterSequence: after });
    await live.connected;
    const writers = members.map((member, writer) =>
      (async () => {
        for (let round = 0; round < 6; round++) {
          if (writer === 0) await changeSomething(server, admin, account.id);
          else await setDecisionMaker(server, admin, account.id, members[(round + writer) % members.length]!.id);
        }
        void member;
      })(),
    );
    await Promise.all(writers);
    const last = await eventSequence(server, admin.token, account.id);
    expect(last - after).to.be.greaterThan(6);
    await received.until(() => (sequences(received).at(-1) ?? 0) >= last, `sequence ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sequences(received)).to.deep.equal(Array.from({ length: last - after }, (_, index) => after + 1 + index));
  });

  describe("limits", () => {
    it("closes a caller's socket past WS_MAX_SOCKETS_PER_CALLER with 1008", async () => {
      const user = await signIn(server, "many-sockets@example.com");
      const first = [open(user.token), open(user.token), open(user.token)];
      await Promise.all(first.map((live) => live.connected));
      const fourth = open(user.token);
      expect((await fourth.closed).code).to.equal(1008);
      // Another person is counted apart.
      const other = await signIn(server, "other-sockets@example.com");
      await open(other.token).connected;
    });

    it("refuses a subscription past WS_MAX_SUBSCRIPTIONS_PER_SOCKET with RATE_LIMITED, keeping the others", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "many-subs");
      const live = open(admin.token);
      const kept: Events[] = [
        new Received(live.client, SUBSCRIBE, { accountId: account.id }),
        new Received(live.client, SUBSCRIBE, { accountId: account.id }),
      ];
      await new Promise((resolve) => setTimeout(resolve, 300));
      const third: Events = new Received(live.client, SUBSCRIBE, { accountId: account.id });
      await third.end();
      expect((third.error as { extensions?: { code?: string } }[])[0]?.extensions?.code).to.equal("RATE_LIMITED");
      await changeSomething(server, admin, account.id);
      await Promise.all(kept.map((received) => received.count(1)));
    });

    it("refuses a document over MAX_QUERY_TOKENS, one too deep and one that is not a subscription, as HTTP refuses them", async () => {
      const { admin, account } = await accountWithMembers(server, 0, "docs");
      const live = open(admin.token);
      const huge = `subscription { accountChanged(accountId: "${account.id}") { ${"sequence ".repeat(4000)} } }`;
      const deep = `subscription { accountChanged(accountId: "${account.id}") { account { members { edges { node { user { accounts { edges { node { members { edges { node { user { id } } } } } } } } } } } } } }`;
      const cases: [string, string][] = [
        [huge, "QUERY_TOO_LARGE"],
        [deep, "QUERY_TOO_DEEP"],
        ["{ viewer { id } }", "GRAPHQL_VALIDATION_FAILED"],
        ["subscription {", "GRAPHQL_PARSE_FAILED"],
      ];
      for (const [query, code] of cases) {
        const received: Events = new Received(live.client, query);
        await received.end();
        expect((received.error as { extensions?: { code?: string } }[])[0]?.extensions?.code, code).to.equal(code);
      }
    });

    it("closes the socket on a message larger than WS_MAX_MESSAGE_BYTES", async () => {
      const user = await signIn(server, "big-message@example.com");
      const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws");
      await new Promise((resolve) => socket.once("open", resolve));
      socket.send(
        JSON.stringify({
          type: "connection_init",
          payload: { authorization: `Bearer ${user.token}`, padding: "x".repeat(server.config.live.maxMessageBytes) },
        }),
      );
      const code = await new Promise<number>((resolve) => socket.once("close", resolve));
      expect(code).to.equal(1009);
    });

    it("refuses an upgrade from an Origin CORS_ORIGINS does not list; allows a listed one and clients without Origin", async () => {
      const user = await signIn(server, "origins@example.com");
      const refused = await new Promise<number>((resolve) => {
        const socket = new WebSocket(wsUrl(server.url), "graphql-transport-ws", { headers: { origin: "https://evil.example.com" } });
        socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
        socket.once("open", () => resolve(101));
      });
      expect(refused).to.equal(403);
      await open(user.token, { origin: "https://app.example.com" }).connected;
      await open(user.token).connected;
    });
  });

  it("reports open sockets and subscriptions, and counts the events it delivered, in /metrics", async () => {
    const token = "metrics-token-for-live-updates-0123";
    const measured = await startTestServer({ env: { METRICS_TOKEN: token } });
    try {
      const read = async () => {
        const text = await (
          await fetch(measured.url.replace("/graphql", "/metrics"), { headers: { authorization: `Bearer ${token}` } })
        ).text();
        const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
        return {
          sockets: value("contact_points_websocket_connections"),
          subscriptions: value("contact_points_subscriptions_active"),
          delivered: value("contact_points_subscription_events_delivered_total"),
        };
      };
      expect(await read()).to.deep.equal({ sockets: 0, subscriptions: 0, delivered: 0 });
      const { admin, account } = await accountWithMembers(measured, 0, "metrics");
      const live = open(admin.token, {}, measured);
      const received: Events = new Received(live.client, SUBSCRIBE, { accountId: account.id, afterSequence: 0 });
      await received.count(1);
      expect(await read()).to.deep.equal({ sockets: 1, subscriptions: 1, delivered: 1 });
      received.unsubscribe();
      await live.dispose();
      const deadline = Date.now() + 10_000;
      while ((await read()).sockets !== 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await read()).to.deep.equal({ sockets: 0, subscriptions: 0, delivered: 1 });
    } finally {
      await measured.close();
    }
  });

  it("closes every socket with 1001 (going away) on SIGTERM, and the process exits cleanly", async () => {
    const child = await spawnServer({
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      NODE_ENV: "development",
      SHUTDOWN_DRAIN_SECONDS: "0",
      SHUTDOWN_GRACE_MS: "5000",
    });
    try {
      const user = await tokenFor("leaving-at-shutdown@example.com");
      const live = liveClient(child.url, user);
      clients.push(live);
      await live.connected;
      child.child.kill("SIGTERM");
      const close = await live.closed;
      expect(close.code).to.equal(1001);
      expect(await child.exited).to.equal(0);
    } finally {
      if (child.child.exitCode === null) child.child.kill("SIGKILL");
    }
  });
});
