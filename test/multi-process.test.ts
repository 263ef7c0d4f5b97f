import { expect } from "chai";
import { Client } from "pg";
import { freshDatabaseUrl, dropTestDatabase, tokenFor, TEST_JWT_SECRET } from "./helpers/server";
import { postGraphQL, spawnServer, type ServerProcess } from "./helpers/process";
import { testingOnPostgres } from "./helpers/postgres";
import { MIGRATIONS, STARTUP_LOCK_KEY } from "../src/database";
import { rowIdOf } from "../src/common/global-id";
import { CONTACT_ROLE_ORDER } from "../src/contacts/contact.enums";

/*
 * Several stateless API processes behind a load balancer on one PostgreSQL database: the
 * configuration an organisation moves to when one machine is not enough. Each process runs in a
 * different time zone, so any timestamp that depended on the process's zone would show up as a
 * difference between what the processes answer.
 */

const TIME_ZONES = ["UTC", "America/New_York", "Asia/Kolkata"];
const ROLES = CONTACT_ROLE_ORDER;
const ACCOUNTS = 3;
const MEMBERS_PER_ACCOUNT = 6;
const MUTATIONS_PER_ACCOUNT = 80;
/** The same new people are added to every account at once, from different processes. */
const NEWCOMERS = ["newcomer-0@example.com", "newcomer-1@example.com", "newcomer-2@example.com"];

interface Person {
  id: string;
  email: string;
  token: string;
}

interface AccountState {
  primaryContact: { email: string };
  billingContacts: { id: string; email: string }[];
  roleContacts: { role: string; email: string; isExternal: boolean; user: { id: string } | null }[];
  contactsVersion: number;
  updatedAt: string;
  createdAt: string;
}

interface Change {
  id: string;
  at: string;
  slot: string;
  action: string;
  previousEmail: string | null;
  newEmail: string | null;
}

interface Member {
  user: { id: string; email: string };
  role: string;
  joinedAt: string;
}

type Response = Awaited<ReturnType<typeof postGraphQL>>;

/** A small deterministic generator, so a failure can be replayed with the same mix of mutations. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function data(response: Response): any {
  expect(response.errors, JSON.stringify(response.errors)).to.equal(undefined);
  return response.data;
}

describe("several server processes on one PostgreSQL database", function () {
  this.timeout(180_000);
  let databaseUrl: string;
  let spawns: Promise<ServerProcess>[] = [];
  let servers: ServerProcess[] = [];
  let sql: Client;
  let tablesBeforeStart: number;

  before(async function () {
    if (!testingOnPostgres()) {
      console.log("      (skipped: TEST_DATABASE_URL is not a postgres:// URL; `npm run test:postgres` runs these tests)");
      this.skip();
    }
    databaseUrl = await freshDatabaseUrl();
    sql = new Client({ connectionString: databaseUrl });
    await sql.connect();
    // Holding the start-up lock lines all three processes up at it, so they really do start together.
    await sql.query("SELECT pg_advisory_lock($1)", [STARTUP_LOCK_KEY]);
    spawns = TIME_ZONES.map((zone) =>
      spawnServer(
        {
          DATABASE_URL: databaseUrl,
          AUTH_JWT_SECRET: TEST_JWT_SECRET,
          NODE_ENV: "development",
          SEED_DEMO_DATA: "true",
          MUTATION_RATE_LIMIT: "0",
          DATABASE_POOL_SIZE: "5",
          SHUTDOWN_GRACE_MS: "3000",
          TZ: zone,
        },
        "listening on",
        60_000,
      ),
    );
    let failed = false;
    const starting = Promise.all(spawns);
    starting.catch(() => (failed = true));
    const waiting = () =>
      count(
        `SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
    for (const deadline = Date.now() + 30_000; !failed && (await waiting()) < TIME_ZONES.length; ) {
      if (Date.now() > deadline) throw new Error("The processes never waited for the start-up lock.");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    tablesBeforeStart = await count(`SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'`);
    await sql.query("SELECT pg_advisory_unlock($1)", [STARTUP_LOCK_KEY]);
    servers = await starting;
  });

  after(async () => {
    await sql?.end();
    await Promise.all(
      spawns.map(async (spawn) => {
        const server = await spawn.catch(() => null);
        server?.child.kill("SIGTERM");
        await server?.exited;
      }),
    );
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  const count = async (query: string, parameters: unknown[] = []) => Number((await sql.query(query, parameters)).rows[0].count);

  it("migrates an empty database and loads the demo data exactly once when three processes start together", async () => {
    expect(tablesBeforeStart, "tables created before start-up work was let through").to.equal(0);
    expect(await count(`SELECT COUNT(*) FROM "migrations"`)).to.equal(MIGRATIONS.length);
    expect(await count(`SELECT COUNT(*) FROM "accounts"`)).to.equal(3);
    const outputs = servers.map((server) => server.output());
    expect(
      outputs.filter((output) => output.includes("Applied migrations")),
      outputs.join("\n---\n"),
    ).to.have.lengthOf(1);
    expect(outputs.filter((output) => output.includes("Loaded the demo accounts"))).to.have.lengthOf(1);
  });

  it("holds every contact invariant, with a history that replays to the final state, after 240+ concurrent mutations spread over three processes", async () => {
    const call = (index: number, query: string, token: string, variables?: Record<string, unknown>) =>
      postGraphQL(servers[index % servers.length]!.url, query, token, variables);
    const signIn = async (email: string, index: number): Promise<Person> => {
      const token = await tokenFor(email);
      const viewer = data(await call(index, "{ viewer { id email } }", token)).viewer;
      return { id: viewer.id, email: viewer.email, token };
    };
    const addMember = (index: number, admin: Person, accountId: string, email: string, role = "MEMBER") =>
      call(
        index,
        `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { account { id } invitation { id } } }`,
        admin.token,
        {
          input: { accountId, email, role },
        },
      );
    // Adding someone invites them; they accept through another process, as a person signing in elsewhere would.
    const addAndAccept = async (index: number, admin: Person, accountId: string, email: string, role = "MEMBER") => {
      const invitation = data(await addMember(index, admin, accountId, email, role)).addAccountMember.invitation;
      const query = `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { role } } }`;
      data(await call(index + 1, query, await tokenFor(email), { input: { invitationId: invitation.id } }));
    };

    // A few accounts, each with two admins who both make changes, and a handful of members.
    const accounts: { id: string; admins: Person[]; memberIds: string[] }[] = [];
    for (let a = 0; a < ACCOUNTS; a++) {
      const owner = await signIn(`owner-${a}@example.com`, a);
      const id = data(await call(a, `mutation { createAccount(input: { name: "Scale-out ${a}" }) { account { id } } }`, owner.token))
        .createAccount.account.id;
      await addAndAccept(a + 1, owner, id, `second-admin-${a}@example.com`, "ADMIN");
      const secondAdmin = await signIn(`second-admin-${a}@example.com`, a + 2);
      for (let m = 0; m < MEMBERS_PER_ACCOUNT; m++) await addAndAccept(m, owner, id, `member-${a}-${m}@example.com`);
      const members = await readMembers(0, id, owner.token);
      accounts.push({ id, admins: [owner, secondAdmin], memberIds: members.map((member) => member.user.id) });
    }

    const next = random(20261126);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const mutation = (name: string) =>
      `mutation($input: ${name.charAt(0).toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { account { id contactsVersion } } }`;
    const requests: (() => Promise<Response>)[] = [];
    for (let i = 0; i < MUTATIONS_PER_ACCOUNT; i++) {
      for (const account of accounts) {
        const index = requests.length;
        const admin = account.admins[index % 2]!;
        const accountId = account.id;
        const userId = pick(account.memberIds);
        const role = pick(ROLES);
        const kind = next();
        let send: () => Promise<Response>;
        if (kind < 0.3) send = () => call(index, mutation("addBillingContact"), admin.token, { input: { accountId, userId } });
        else if (kind < 0.5) send = () => call(index, mutation("removeBillingContact"), admin.token, { input: { accountId, userId } });
        else if (kind < 0.65) send = () => call(index, mutation("setPrimaryContact"), admin.token, { input: { accountId, userId } });
        else if (kind < 0.85) {
          const target = role === "SECURITY" && next() < 0.5 ? { email: `outside-${i % 3}@partner.example` } : { userId };
          send = () => call(index, mutation("setRoleContact"), admin.token, { input: { accountId, role, ...target } });
        } else send = () => call(index, mutation("clearRoleContact"), admin.token, { input: { accountId, role } });
        requests.push(send);
      }
    }
    // New members created at once in every account, and new callers provisioned at once on every process.
    accounts.forEach((account, a) => {
      NEWCOMERS.forEach((email, n) => {
        requests.push(() => addMember(a + n, account.admins[n % 2]!, account.id, email));
      });
    });
    const strangers = await Promise.all([0, 1, 2].map((n) => tokenFor(`first-sight-${n}@example.com`)));
    for (const token of strangers)
      servers.forEach((_, index) => {
        requests.push(() => call(index, "{ viewer { id email } }", token));
      });

    const started = Date.now();
    const responses = await Promise.all(requests.map((send) => send()));
    const elapsedMs = Date.now() - started;

    const codes = responses.flatMap((response) => response.errors?.map((error) => error.extensions?.code ?? "none") ?? []);
    const succeeded = responses.filter((response) => !response.errors).length;
    console.log(
      `      ${requests.length} concurrent requests over ${servers.length} processes in ${elapsedMs} ms: ${succeeded} succeeded, refused: ${JSON.stringify(countBy(codes))}`,
    );
    // The only refusal this mix can earn is the billing cap; a retried serialization failure is invisible.
    expect(
      codes.filter((code) => code !== "BILLING_CONTACT_LIMIT"),
      JSON.stringify(codes),
    ).to.deep.equal([]);
    for (const server of servers)
      expect(server.output(), "a process logged an unexpected error").to.not.match(/^\s+at |"level":"(error|fatal)"/m);

    // Each new person and each new caller is one user, whatever process created them.
    for (const email of [...NEWCOMERS, "first-sight-0@example.com", "first-sight-1@example.com", "first-sight-2@example.com"]) {
      expect(await count(`SELECT COUNT(*) FROM "users" WHERE "email" = $1`, [email]), email).to.equal(1);
    }

    for (const account of accounts) {
      const token = account.admins[0]!.token;
      // Every process answers with the same account, to the millisecond.
      const views = await Promise.all(servers.map((_, index) => readState(index, account.id, token)));
      for (const view of views.slice(1)) expect(view).to.deep.equal(views[0]);
      const state = views[0]!;
      const members = await readMembers(0, account.id, token);
      expect(await readMembers(1, account.id, token, 4), "members paged with cursors passed between processes").to.deep.equal(members);
      expect(
        await readMembersBackwards(2, account.id, token, 4),
        "members paged backwards with cursors passed between processes",
      ).to.deep.equal(members);
      const memberEmails = new Set(members.map((member) => member.user.email));
      // Someone added by email is invited, whichever process took the request, and is not a member until they accept.
      const invited = data(
        await call(1, `query($id: ID!) { account(id: $id) { invitations(first: 10) { nodes { email } } } }`, token, { id: account.id }),
      );
      const invitedEmails = new Set(invited.account.invitations.nodes.map((invitation: { email: string }) => invitation.email));
      for (const email of NEWCOMERS) {
        expect(invitedEmails, email).to.include(email);
        expect(memberEmails, email).to.not.include(email);
      }

      // One primary who is a member; at most 3 distinct billing contacts, all members; one contact per role.
      expect(memberEmails).to.include(state.primaryContact.email);
      const billing = state.billingContacts.map((user) => user.email);
      expect(billing.length).to.be.at.most(3);
      expect(new Set(billing).size).to.equal(billing.length);
      for (const email of billing) expect(memberEmails).to.include(email);
      const roles = state.roleContacts.map((contact) => contact.role);
      expect(new Set(roles).size).to.equal(roles.length);
      for (const contact of state.roleContacts) {
        if (contact.isExternal) expect(contact.role).to.equal("SECURITY");
        else expect(memberEmails).to.include(contact.email);
      }
      const positions = (
        await sql.query(`SELECT "position" FROM "contact_slots" WHERE "accountId" = $1 AND "slot" = 'BILLING' ORDER BY "position"`, [
          rowIdOf(account.id, "Account", "id"),
        ])
      ).rows;
      expect(positions.map((row) => row.position)).to.deep.equal(billing.map((_, index) => index));

      // The history, read a page at a time from alternating processes, replays to exactly this state.
      const history = (await readHistory(account.id, token)).reverse();
      expect(history.length, "contact changes recorded").to.be.greaterThan(20);
      expect(state.contactsVersion, "one version per change: none lost, none counted twice").to.equal(history.length);
      const replayed = { primary: null as string | null, billing: [] as string[], roles: new Map<string, string>() };
      for (const change of history) {
        const where = JSON.stringify(change);
        if (change.slot === "PRIMARY") {
          expect(change.previousEmail, where).to.equal(replayed.primary);
          replayed.primary = change.newEmail;
        } else if (change.slot === "BILLING" && change.action === "ADD") {
          expect(replayed.billing, where).to.not.include(change.newEmail);
          replayed.billing.push(change.newEmail!);
          expect(replayed.billing.length, where).to.be.at.most(3);
        } else if (change.slot === "BILLING" && change.action === "REMOVE") {
          expect(replayed.billing, where).to.include(change.previousEmail);
          replayed.billing = replayed.billing.filter((email) => email !== change.previousEmail);
        } else {
          expect(change.previousEmail, where).to.equal(replayed.roles.get(change.slot) ?? null);
          if (change.action === "SET") replayed.roles.set(change.slot, change.newEmail!);
          else if (change.action === "CLEAR") replayed.roles.delete(change.slot);
          else expect.fail(`unexpected history row ${where}`);
        }
      }
      const times = history.map((change) => Date.parse(change.at));
      expect(times, "history in the order it happened").to.deep.equal([...times].sort((x, y) => x - y));
      expect(Date.parse(state.updatedAt)).to.be.at.least(times.at(-1)!);
      expect(replayed.primary).to.equal(state.primaryContact.email);
      expect(replayed.billing).to.deep.equal(billing);
      expect(Object.fromEntries(replayed.roles)).to.deep.equal(
        Object.fromEntries(state.roleContacts.map((contact) => [contact.role, contact.email])),
      );
    }
  });

  it("stops every process on SIGTERM with exit code 0 once its requests are done", async () => {
    const started = Date.now();
    const codes = await Promise.all(
      servers.map((server) => {
        server.child.kill("SIGTERM");
        return server.exited;
      }),
    );
    expect(codes, servers.map((server) => server.output()).join("\n---\n")).to.deep.equal([0, 0, 0]);
    expect(Date.now() - started).to.be.below(3000);
  });

  function countBy(values: string[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
    return counts;
  }

  async function readState(index: number, accountId: string, token: string): Promise<AccountState> {
    const response = await postGraphQL(
      servers[index]!.url,
      `query($id: ID!) { account(id: $id) {
        primaryContact { email } billingContacts { id email }
        roleContacts { role email isExternal user { id } }
        contactsVersion updatedAt createdAt
      } }`,
      token,
      { id: accountId },
    );
    return data(response).account;
  }

  /** Every member, a page of `pageSize` at a time, each page from the next process. */
  async function readMembers(index: number, accountId: string, token: string, pageSize = 100): Promise<Member[]> {
    const members: Member[] = [];
    let after: string | null = null;
    for (let page = index; ; page++) {
      const response = await postGraphQL(
        servers[page % servers.length]!.url,
        `query($id: ID!, $first: Int, $after: String) { account(id: $id) { members(first: $first, after: $after) {
          edges { node { user { id email } role joinedAt } } pageInfo { hasNextPage endCursor }
        } } }`,
        token,
        { id: accountId, first: pageSize, after },
      );
      const connection = data(response).account.members;
      members.push(...connection.edges.map((edge: { node: Member }) => edge.node));
      if (!connection.pageInfo.hasNextPage) return members;
      after = connection.pageInfo.endCursor;
    }
  }

  /** Every member, a page of `pageSize` at a time from the end (`last`/`before`), each page from the next process; in joining order. */
  async function readMembersBackwards(index: number, accountId: string, token: string, pageSize: number): Promise<Member[]> {
    const pages: Member[][] = [];
    let before: string | null = null;
    for (let page = index; ; page++) {
      const response = await postGraphQL(
        servers[page % servers.length]!.url,
        `query($id: ID!, $last: Int, $before: String) { account(id: $id) { members(last: $last, before: $before) {
          edges { node { user { id email } role joinedAt } } pageInfo { hasPreviousPage startCursor }
        } } }`,
        token,
        { id: accountId, last: pageSize, before },
      );
      const connection = data(response).account.members;
      pages.unshift(connection.edges.map((edge: { node: Member }) => edge.node));
      if (!connection.pageInfo.hasPreviousPage) return pages.flat();
      before = connection.pageInfo.startCursor;
    }
  }

  /** The whole contact history, newest first, a page at a time from alternating processes. */
  async function readHistory(accountId: string, token: string): Promise<Change[]> {
    const changes: Change[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const response = await postGraphQL(
        servers[page % servers.length]!.url,
        `query($id: ID!, $after: String) { account(id: $id) { contactHistory(first: 25, after: $after) {
          edges { node { id at slot action previousEmail newEmail } } pageInfo { hasNextPage endCursor }
        } } }`,
        token,
        { id: accountId, after },
      );
      const connection = data(response).account.contactHistory;
      changes.push(...connection.edges.map((edge: { node: Change }) => edge.node));
      if (!connection.pageInfo.hasNextPage) return changes;
      after = connection.pageInfo.endCursor;
    }
  }
});
