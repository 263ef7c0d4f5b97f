import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import { signToken } from "../src/auth/tokens";
import { globalId } from "../src/common/global-id";
import { spawnServer, type ServerProcess } from "./helpers/process";
import { checkContactInvariants, withSqliteFile } from "./helpers/invariants";
import { Random } from "./helpers/random";
import { CONTACT_ROLE_ORDER } from "../src/contacts/contact.enums";

const SECRET = "crash-test-secret-long-enough-for-hs256-0";
const ROUNDS = 6;
const WORKERS = 8;
const SEED = 20261127;
const ROLES = CONTACT_ROLE_ORDER;

interface Reply {
  data?: Record<string, { account?: { contactsVersion?: number; id?: string } | null; id?: string } | null> | null;
  errors?: { extensions?: { code?: string } }[];
}

/** Sends one operation; null when the connection failed (the server was killed under it). */
async function send(url: string, token: string, query: string, variables: Record<string, unknown> = {}): Promise<Reply | null> {
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Reply;
  } catch {
    return null;
  }
}

describe("crash safety: SIGKILL during a write load on a SQLite file", function () {
  this.timeout(90_000);
  let directory: string;
  let server: ServerProcess | null = null;

  before(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-crash-"));
  });
  after(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill("SIGKILL");
      await server.exited;
    }
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it(`keeps the invariants, every acknowledged change and a history that replays to the state, over ${ROUNDS} kills`, async () => {
    const file = path.join(directory, "contacts.sqlite");
    const env = {
      DATABASE_URL: `sqlite:${file}`,
      NODE_ENV: "test",
      SEED_DEMO_DATA: "false",
      AUTH_JWT_SECRET: SECRET,
      MUTATION_RATE_LIMIT: "0",
    };
    const random = new Random(SEED);
    const started = Date.now();

    server = await spawnServer(env);
    const admin = await signToken(SECRET, { email: "crash-admin@example.com" });
    const pool: { id: string; email: string }[] = [];
    for (let index = 0; index < 8; index++) {
      const email = `crash-user-${index}@example.com`;
      const reply = await send(server.url, await signToken(SECRET, { email }), "{ viewer { id } }");
      pool.push({ id: (reply!.data!.viewer as { id: string }).id, email });
    }
    const accounts: string[] = [];
    for (const name of ["Crash One", "Crash Two"]) {
      const reply = await send(server.url, admin, `mutation($name: String!) { createAccount(input: { name: $name }) { account { id } } }`, {
        name,
      });
      const id = reply!.data!.createAccount!.account!.id!;
      accounts.push(id);
      for (const user of pool.slice(0, 5)) {
        const invited = await send(
          server.url,
          admin,
          `mutation($input: AddAccountMemberInput!) { addAccountMember(input: $input) { invitation { id } } }`,
          { input: { accountId: id, email: user.email } },
        );
        const invitationId = (invited!.data!.addAccountMember as { invitation: { id: string } }).invitation.id;
        await send(
          server.url,
          await signToken(SECRET, { email: user.email }),
          `mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { role } } }`,
          { input: { invitationId } },
        );
      }
    }

    /** The highest contactsVersion the server acknowledged for each account. */
    const acknowledged = new Map<string, number>();
    const totals = { acknowledged: 0, refused: 0, cutOff: 0, internal: 0 };
    const operation = () => {
      const accountId = random.pick(accounts);
      const user = random.pick(pool);
      const kind = random.int(0, 9);
      const contact = (name: string, input: Record<string, unknown>) => ({
        query: `mutation($input: ${name.charAt(0).toUpperCase()}${name.slice(1)}Input!) { ${name}(input: $input) { account { contactsVersion } } }`,
        input: { accountId, ...input },
        name,
      });
      if (kind <= 1) return contact("setPrimaryContact", { userId: user.id });
      if (kind <= 3) return contact("addBillingContact", { userId: user.id });
      if (kind === 4) return contact("removeBillingContact", { userId: user.id });
      if (kind === 5) {
        const role = random.pick(ROLES);
        const external = role === "SECURITY" && random.chance(0.3);
        return contact(
          "setRoleContact",
          external ? { role, email: `outside-${random.int(1, 3)}@elsewhere.example` } : { role, userId: user.id },
        );
      }
      if (kind === 6) return contact("clearRoleContact", { role: random.pick(ROLES) });
      if (kind <= 8) return contact("addAccountMember", { email: user.email });
      return contact("removeAccountMember", { userId: user.id });
    };

    for (let round = 1; round <= ROUNDS; round++) {
      if (!server || server.child.exitCode !== null || server.child.signalCode !== null) server = await spawnServer(env);
      const running = server;
      let killed = false;
      let acknowledgedThisRound = 0;
      const worker = async () => {
        while (!killed) {
          const { query, input, name } = operation();
          const reply = await send(running.url, admin, query, { input });
          if (reply === null) {
            totals.cutOff++;
            return;
          }
          const codes = (reply.errors ?? []).map((error) => error.extensions?.code);
          if (codes.includes("INTERNAL_SERVER_ERROR")) totals.internal++;
          const version = reply.data?.[name]?.account?.contactsVersion;
          if (typeof version === "number" && !codes.length) {
            totals.acknowledged++;
            acknowledgedThisRound++;
            acknowledged.set(input.accountId as string, Math.max(acknowledged.get(input.accountId as string) ?? 0, version));
          } else {
            totals.refused++;
          }
        }
      };
      const load = Array.from({ length: WORKERS }, worker);
      // Kill once the load is well under way, at a random moment after that.
      while (acknowledgedThisRound < 10 && running.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, random.int(0, 400)));
      running.child.kill("SIGKILL");
      killed = true;
      await running.exited;
      await Promise.all(load);

      const { report, versions, integrity, foreignKeys } = await withSqliteFile(file, async (query) => ({
        report: await checkContactInvariants(query),
        versions: await query(`SELECT "id", "contactsVersion" FROM "accounts"`),
        integrity: await query("PRAGMA integrity_check"),
        foreignKeys: await query("PRAGMA foreign_key_check"),
      }));
      expect(integrity).to.deep.equal([{ integrity_check: "ok" }]);
      expect(foreignKeys, "foreign keys").to.deep.equal([]);
      expect(report.problems, report.problems.join("\n")).to.deep.equal([]);
      // The API names accounts by global id; the table by its key.
      expect(versions.map((row) => globalId("Account", row.id as string))).to.include.members([...acknowledged.keys()]);
      for (const row of versions) {
        const lost = (acknowledged.get(globalId("Account", row.id as string)) ?? 0) - Number(row.contactsVersion);
        expect(lost, `acknowledged changes lost on account ${row.id}`).to.be.at.most(0);
      }
      console.log(
        `      round ${round}: killed after ${acknowledgedThisRound} acknowledged changes; ${report.historyRows} history rows replay to the state; none lost`,
      );
    }
    expect(totals.internal).to.equal(0);
    expect(totals.acknowledged).to.be.above(ROUNDS * 5);
    console.log(
      `      ${ROUNDS} SIGKILLs in ${((Date.now() - started) / 1000).toFixed(1)} s: ${totals.acknowledged} changes acknowledged, ` +
        `${totals.refused} refused by the rules, ${totals.cutOff} cut off by the kill, 0 invariant failures (seed ${SEED})`,
    );

    // And the server starts on what is left and answers from it.
    server = await spawnServer(env);
    const reply = await send(server.url, admin, "{ accounts { totalCount edges { node { contactsVersion primaryContact { email } } } } }");
    expect((reply!.data!.accounts as unknown as { totalCount: number }).totalCount).to.equal(2);
    server.child.kill("SIGTERM");
    expect(await server.exited).to.equal(0);
  });
});
