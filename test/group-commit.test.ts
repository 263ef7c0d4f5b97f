import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { expect } from "chai";
import { startTestServer, testDatabaseUrl, type GraphQLResponse, type TestServer } from "./helpers/server";
import { accountWithMembers, addMember, createAccount, mutate, ok, readAccount, readHistory, signIn } from "./helpers/factories";
import { DatabaseUnavailableError } from "../src/errors";
import type { Database } from "../src/database";
import { rowIdOf } from "../src/common/global-id";

/*
 * Writes that queue behind SQLite's one writer share a transaction, each in a savepoint of its own.
 * What a client sees must not change: a write that breaks a rule keeps nothing and leaves the others
 * of its group saved, nothing is acknowledged before the shared COMMIT, and a failed COMMIT refuses
 * every write of the group. Each test holds the writer with a write of its own until the requests it
 * sends are queued behind it, so they are sure to share one group.
 */

const postgres = testDatabaseUrl().startsWith("postgres");

interface Held {
  /** Lets the holding write finish; its group then takes what queued behind it. */
  release: () => void;
  /** The holding write's own outcome. */
  done: Promise<void>;
}

/** Starts a write that holds the writer (inside its group's transaction) until released. */
async function holdWriter(db: Database): Promise<Held> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const running = new Promise<void>((resolve) => (started = resolve));
  const done = db.write(async (manager) => {
    await manager.query(`UPDATE "accounts" SET "updatedAt" = "updatedAt" WHERE 0 = 1`);
    started();
    await gate;
  });
  await running;
  return { release, done };
}

/** Waits until `count` writes are queued for the writer. */
async function queued(db: Database, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (db.queuedWrites < count) {
    if (Date.now() > deadline) throw new Error(`Only ${db.queuedWrites} of ${count} writes queued.`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Records the size of every committed group while `work` runs. */
async function groupsDuring<T>(db: Database, work: () => Promise<T>): Promise<{ result: T; groups: number[] }> {
  const groups: number[] = [];
  db.onGroupCommit = (writes) => groups.push(writes);
  try {
    return { result: await work(), groups };
  } finally {
    db.onGroupCommit = null;
  }
}

const codes = (response: GraphQLResponse) => response.errors?.map((error) => error.extensions?.code) ?? [];

(postgres ? describe.skip : describe)("writes that share a SQLite transaction", function () {
  this.timeout(60_000);
  let directory: string;
  let server: TestServer;

  before(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-group-"));
    server = await startTestServer({ databaseUrl: `sqlite:${path.join(directory, "group.sqlite")}`, env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(async () => {
    await server.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });
  afterEach(() => {
    server.db.groupLimits = { writes: 64, ms: 20 };
  });

  it("keeps the others of a group when one of its writes breaks a rule, and nothing of the one that broke it", async () => {
    server.db.groupLimits = { writes: 64, ms: 60_000 };
    const { admin, account, members } = await accountWithMembers(server, 3, "rule");
    const stranger = await signIn(server, "rule-stranger@example.com");
    const before = await readAccount(server, admin.token, account.id);
    const { result, groups } = await groupsDuring(server.db, async () => {
      const held = await holdWriter(server.db);
      const replies = [
        mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[0]!.id }),
        mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: stranger.id }),
        mutate(server, admin.token, "addBillingContact", { accountId: account.id, userId: members[1]!.id }),
      ];
      await queued(server.db, 3);
      // A write that has already changed rows when it fails: its savepoint takes them back.
      const broken = server.db
        .write(async (manager) => {
          await manager.query(`UPDATE "accounts" SET "name" = 'Half-written' WHERE "id" = ?`, [rowIdOf(account.id, "Account", "id")]);
          throw new Error("a rule broken after a statement");
        })
        .then(
          () => null,
          (error: Error) => error,
        );
      await queued(server.db, 4);
      held.release();
      await held.done;
      return { replies: await Promise.all(replies), broken: await broken };
    });
    expect(groups[0], "the held write and the four behind it in one group").to.equal(5);
    const [primary, refused, billing] = result.replies;
    expect(primary!.errors, JSON.stringify(primary!.errors)).to.equal(undefined);
    expect(codes(refused!)).to.deep.equal(["BAD_USER_INPUT"]);
    expect(billing!.errors, JSON.stringify(billing!.errors)).to.equal(undefined);
    expect(result.broken?.message).to.equal("a rule broken after a statement");

    const after = await readAccount(server, admin.token, account.id);
    expect(after.primaryContact?.id).to.equal(members[0]!.id);
    expect(after.billingContacts.map((user) => user.id)).to.include(members[1]!.id);
    expect(after.contactsVersion).to.equal(before.contactsVersion + 2);
    const names = await server.db.dataSource.query(`SELECT "name" FROM "accounts" WHERE "name" = 'Half-written'`);
    expect(names).to.deep.equal([]);
    const history = await readHistory(server, admin.token, account.id);
    expect(history.filter((row) => row.newEmail === stranger.email)).to.deep.equal([]);
  });

  it("heads each write's event with its own kinds, not those of a write of its group that failed after recording", async () => {
    server.db.groupLimits = { writes: 64, ms: 60_000 };
    const { admin, account, members } = await accountWithMembers(server, 2, "heads");
    const { contactsVersion } = await readAccount(server, admin.token, account.id);
    const held = await holdWriter(server.db);
    // The primary contact is set, and recorded, before the billing details are found wrong: the save is refused whole.
    const refused = mutate(server, admin.token, "saveAccountContacts", {
      accountId: account.id,
      expectedVersion: contactsVersion,
      primaryContactUserId: members[0]!.id,
      billingContactDetails: [{ userId: members[1]!.id, title: "Accounts" }],
      roleContacts: [],
    });
    await queued(server.db, 1);
    const promoted = mutate(server, admin.token, "addAccountMember", { accountId: account.id, email: members[1]!.email, role: "ADMIN" });
    await queued(server.db, 2);
    held.release();
    await held.done;
    expect(codes(await refused)).to.deep.equal(["BAD_USER_INPUT"]);
    ok(await promoted);
    const events = await server.db.dataSource.query(
      `SELECT "sequence", "kinds" FROM "account_events" WHERE "accountId" = ? ORDER BY "sequence"`,
      [rowIdOf(account.id, "Account", "id")],
    );
    expect(events.at(-1).kinds).to.equal("account.members.changed");
    expect(events.map((event: { sequence: number }) => event.sequence)).to.deep.equal(events.map((_: unknown, index: number) => index + 1));
  });

  it("applies version checks and repeated requests within a group as it would one after another", async () => {
    server.db.groupLimits = { writes: 64, ms: 60_000 };
    const { admin, account, members } = await accountWithMembers(server, 4, "same");
    const before = await readAccount(server, admin.token, account.id);
    const inOneGroup = async (send: () => Promise<GraphQLResponse>[]) => {
      const { result, groups } = await groupsDuring(server.db, async () => {
        const held = await holdWriter(server.db);
        const replies = send();
        await queued(server.db, replies.length);
        held.release();
        await held.done;
        return Promise.all(replies);
      });
      expect(groups[0]).to.equal(1 + result.length);
      return result;
    };

    const versioned = await inOneGroup(() =>
      [0, 1].map((index) =>
        mutate(server, admin.token, "addBillingContact", {
          accountId: account.id,
          userId: members[index]!.id,
          expectedVersion: before.contactsVersion,
        }),
      ),
    );
    expect(versioned.map((reply) => codes(reply)[0] ?? "OK").sort()).to.deep.equal(["OK", "VERSION_CONFLICT"]);

    const repeated = await inOneGroup(() =>
      [0, 1].map(() => mutate(server, admin.token, "setPrimaryContact", { accountId: account.id, userId: members[2]!.id })),
    );
    for (const reply of repeated) expect(reply.errors, JSON.stringify(reply.errors)).to.equal(undefined);
    const history = await readHistory(server, admin.token, account.id);
    expect(history.filter((row) => row.slot === "PRIMARY" && row.newEmail === members[2]!.email)).to.have.lengthOf(1);
    expect((await readAccount(server, admin.token, account.id)).contactsVersion).to.equal(before.contactsVersion + 2);
  });

  it("takes no more writes into a group than its limit, and none once its time is up", async () => {
    const owner = await signIn(server, "bounded-owner@example.com");
    server.db.groupLimits = { writes: 3, ms: 60_000 };
    const bySize = await groupsDuring(server.db, async () => {
      const held = await holdWriter(server.db);
      const replies = Array.from({ length: 7 }, (_, index) => createAccount(server, owner, `Bounded ${index}`));
      await queued(server.db, 7);
      held.release();
      await held.done;
      return Promise.all(replies);
    });
    expect(bySize.result).to.have.lengthOf(7);
    expect(bySize.groups).to.deep.equal([3, 3, 2]);

    server.db.groupLimits = { writes: 64, ms: 50 };
    const byTime = await groupsDuring(server.db, async () => {
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const slow = server.db.write(async () => {
        started();
        await new Promise((resolve) => setTimeout(resolve, 400));
      });
      await running;
      const replies = Array.from({ length: 3 }, (_, index) => createAccount(server, owner, `Timed ${index}`));
      await queued(server.db, 3);
      await slow;
      return Promise.all(replies);
    });
    expect(byTime.groups[0], "the slow write's group closes when the slow write ends").to.equal(1);
    expect(byTime.groups.reduce((sum, writes) => sum + writes, 0)).to.equal(4);
  });

  it("refuses every write of a group whose COMMIT fails, keeps none of them, and writes again once the fault is gone", async () => {
    server.db.groupLimits = { writes: 64, ms: 60_000 };
    const owner = await signIn(server, "commit-owner@example.com");
    const account = await createAccount(server, owner, "Commit fault");
    const member = await addMember(server, owner, account.id, "commit-member@example.com");
    const before = await readAccount(server, owner.token, account.id);
    // An empty WAL that may not grow: the group's pages reach the file only at COMMIT, which then fails with an I/O error.
    await server.db.dataSource.query("PRAGMA wal_checkpoint(TRUNCATE)");
    const pid = String(process.pid);
    let replies: GraphQLResponse[];
    let heldOutcome: unknown;
    const { groups } = await groupsDuring(server.db, async () => {
      const held = await holdWriter(server.db);
      const pending = [
        mutate(server, owner.token, "setPrimaryContact", { accountId: account.id, userId: member.id }),
        server.graphql(
          `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`,
          { input: { name: "Never kept" } },
          owner.token,
        ),
      ];
      await queued(server.db, 2);
      execFileSync("prlimit", ["--pid", pid, "--fsize=0:"]);
      try {
        held.release();
        heldOutcome = await held.done.then(
          () => "kept",
          (error: unknown) => error,
        );
        replies = await Promise.all(pending);
      } finally {
        execFileSync("prlimit", ["--pid", pid, "--fsize=unlimited:"]);
      }
    });
    expect(groups, "no group committed").to.deep.equal([]);
    expect(heldOutcome).to.be.instanceOf(DatabaseUnavailableError);
    for (const reply of replies!) expect(codes(reply), JSON.stringify(reply.errors)).to.deep.equal(["SERVICE_UNAVAILABLE"]);

    const after = await readAccount(server, owner.token, account.id);
    expect(after.primaryContact?.id).to.equal(before.primaryContact?.id);
    expect(after.contactsVersion).to.equal(before.contactsVersion);
    const kept = await server.db.dataSource.query(`SELECT "id" FROM "accounts" WHERE "name" = 'Never kept'`);
    expect(kept).to.deep.equal([]);

    const again = await mutate(server, owner.token, "setPrimaryContact", { accountId: account.id, userId: member.id });
    expect(again.errors, JSON.stringify(again.errors)).to.equal(undefined);
    expect((await readAccount(server, owner.token, account.id)).primaryContact?.id).to.equal(member.id);
  });
});

(postgres ? describe.skip : describe)("the mutation rate limit while writes share a SQLite transaction", function () {
  this.timeout(60_000);
  let directory: string;
  let server: TestServer;

  before(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-group-limit-"));
    server = await startTestServer({
      databaseUrl: `sqlite:${path.join(directory, "limit.sqlite")}`,
      env: { MUTATION_RATE_LIMIT: "4", MUTATION_RATE_WINDOW_SECONDS: "3600" },
    });
    server.db.groupLimits = { writes: 64, ms: 60_000 };
  });
  after(async () => {
    await server.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("still refuses a caller's writes past the limit when they would have joined one group", async () => {
    const caller = await signIn(server, "limited@example.com");
    const { groups, result } = await groupsDuring(server.db, async () => {
      const held = await holdWriter(server.db);
      const replies = Array.from({ length: 6 }, (_, index) =>
        server.graphql(
          `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`,
          { input: { name: `Limited ${index}` } },
          caller.token,
        ),
      );
      await queued(server.db, 4);
      held.release();
      await held.done;
      return Promise.all(replies);
    });
    expect(result.map((reply) => codes(reply)[0] ?? "OK").sort()).to.deep.equal(["OK", "OK", "OK", "OK", "RATE_LIMITED", "RATE_LIMITED"]);
    expect(groups[0]).to.equal(5);
    const listed = ok(
      await server.graphql<{ accounts: { totalCount: number } }>("{ accounts(first: 1) { totalCount } }", {}, caller.token),
    );
    expect(listed.accounts.totalCount).to.equal(4);
  });
});
