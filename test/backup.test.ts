import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dropTestDatabase, freshDatabaseUrl, startTestServer, testDatabaseUrl, TEST_JWT_SECRET, type TestServer } from "./helpers/server";
import { signIn, type TestUser } from "./helpers/factories";
import { ROOT, runToEnd } from "./helpers/process";
import { Database } from "../src/database";

const SCRIPT = path.join(ROOT, "dist", "src", "scripts", "backup.js");
const CREATE = `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }`;

describe("backup and restore under load", function () {
  this.timeout(120_000);
  let directory: string;
  let sourceUrl: string;
  let restoredUrl: string;
  let server: TestServer;
  let restored: TestServer | null = null;

  before(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-backup-"));
    const sqlite = testDatabaseUrl().startsWith("sqlite:");
    sourceUrl = sqlite ? `sqlite:${path.join(directory, "contacts.sqlite")}` : await freshDatabaseUrl();
    restoredUrl = sqlite ? `sqlite:${path.join(directory, "restored", "contacts.sqlite")}` : await freshDatabaseUrl();
    server = await startTestServer({ databaseUrl: sourceUrl, env: { MUTATION_RATE_LIMIT: "0" } });
  });
  after(async () => {
    await restored?.close();
    await server?.close();
    if (!sourceUrl.startsWith("sqlite:")) {
      await dropTestDatabase(sourceUrl);
      await dropTestDatabase(restoredUrl);
    }
    fs.rmSync(directory, { recursive: true, force: true });
  });

  it("backs up while writes go on, keeping every write acknowledged before it began, and the restored database serves them", async () => {
    const admin: TestUser = await signIn(server, "backup-admin@example.com");
    // Writers: four at a time, each account acknowledged with when (performance.now()) the answer came.
    const acknowledged: { id: string; at: number }[] = [];
    let writing = true;
    let n = 0;
    const writer = async () => {
      while (writing) {
        const answer = await server.graphql<{ createAccount: { account: { id: string } } }>(
          CREATE,
          { input: { name: `Load ${++n}` } },
          admin.token,
        );
        expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
        acknowledged.push({ id: answer.data!.createAccount.account.id, at: performance.now() });
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    while (acknowledged.length < 100) await new Promise((resolve) => setTimeout(resolve, 20));

    const copy = path.join(directory, "backup.copy");
    const env = { DATABASE_URL: sourceUrl, NODE_ENV: "test", AUTH_JWT_SECRET: TEST_JWT_SECRET };
    const started = performance.now();
    const backup = await runToEnd([SCRIPT, "backup", copy], env);
    const ackedWhileBackingUp = acknowledged.filter((write) => write.at > started).length;
    writing = false;
    await Promise.all(writers);
    expect(backup.code, backup.stderr).to.equal(0);
    expect(ackedWhileBackingUp, "writes acknowledged while the backup ran").to.be.greaterThan(0);
    const before = acknowledged.filter((write) => write.at < started).map((write) => write.id);
    // Every user's data is in it: only its owner may read it.
    expect(fs.statSync(copy).mode & 0o077).to.equal(0);

    // It never overwrites a backup.
    const again = await runToEnd([SCRIPT, "backup", copy], env);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include("exists");

    const restore = await runToEnd([SCRIPT, "restore", copy], { ...env, DATABASE_URL: restoredUrl });
    expect(restore.code, restore.stderr).to.equal(0);
    restored = await startTestServer({ db: await Database.open({ databaseUrl: restoredUrl }), env: { MUTATION_RATE_LIMIT: "0" } });
    const found = new Set<string>();
    for (let at = 0; at < before.length; at += 50) {
      const answer = await restored.graphql<{ nodes: ({ id: string } | null)[] }>(
        `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
        { ids: before.slice(at, at + 50) },
        admin.token,
      );
      for (const node of answer.data?.nodes ?? []) if (node) found.add(node.id);
    }
    expect(
      before.filter((id) => !found.has(id)),
      "acknowledged before the backup, missing after the restore",
    ).to.deep.equal([]);
    await restored.close();
    restored = null;
  });

  it("refuses to restore a file that is not a backup, leaving the database as it was", async function () {
    if (!testDatabaseUrl().startsWith("sqlite:")) this.skip();
    const bogus = path.join(directory, "not-a-backup");
    fs.writeFileSync(bogus, "hello");
    const target = path.join(directory, "untouched.sqlite");
    const result = await runToEnd([SCRIPT, "restore", bogus], {
      DATABASE_URL: `sqlite:${target}`,
      NODE_ENV: "test",
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
    });
    expect(result.code).to.equal(1);
    expect(fs.existsSync(target)).to.equal(false);
  });
});
