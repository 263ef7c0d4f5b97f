import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Database } from "../src/database";
import { logFileTransport } from "../src/notifications/mail-transport";

const FROM = "contact-points <no-reply@example.com>";

function modeOf(file: string): number {
  return fs.statSync(file).mode & 0o777;
}

/** Runs `work` as a process with the usual umask, which would leave new files world-readable. */
async function withUsualUmask<T>(work: () => Promise<T>): Promise<T> {
  const previous = process.umask(0o022);
  try {
    return await work();
  } finally {
    process.umask(previous);
  }
}

describe("files holding tenants' data or links", () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "cp-private-"));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  it("makes a mail log an older release left world-readable the service user's alone before it receives another link", async () => {
    const file = path.join(folder, "mail.log");
    fs.writeFileSync(file, "From old message\n", { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    await withUsualUmask(async () => {
      const transport = logFileTransport(file, FROM);
      expect(modeOf(file)).to.equal(0o600);
      await transport.send({ to: "someone@example.com", subject: "Confirm", text: "https://contacts.example.com/verify/secret" });
    });
    expect(modeOf(file)).to.equal(0o600);
    expect(fs.readFileSync(file, "utf8")).to.include("From old message").and.include("/verify/secret");
  });

  it("creates the mail log's folder and file for the service user only", async () => {
    const file = path.join(folder, "mail", "nested", "mail.log");
    await withUsualUmask(() => logFileTransport(file, FROM).send({ to: "someone@example.com", subject: "Hi", text: "A link" }));
    expect(modeOf(file)).to.equal(0o600);
    expect(modeOf(path.dirname(file))).to.equal(0o700);
    expect(modeOf(path.dirname(path.dirname(file)))).to.equal(0o700);
  });

  it("creates a new SQLite database, its WAL and shared-memory files and its folder for the service user only", async () => {
    const file = path.join(folder, "new", "contacts.sqlite");
    const db = await withUsualUmask(async () => {
      const opened = await Database.open({ databaseUrl: `sqlite:${file}` });
      await opened.migrate();
      return opened;
    });
    try {
      expect(fs.existsSync(`${file}-wal`), "WAL file").to.equal(true);
      for (const each of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(each), each).to.equal(0o600);
      expect(modeOf(path.dirname(file))).to.equal(0o700);
    } finally {
      await db.close();
    }
  });

  it("tightens a SQLite database, WAL and shared-memory files an older release created 0644 when it opens them", async () => {
    const file = path.join(folder, "contacts.sqlite");
    const first = await withUsualUmask(async () => {
      const opened = await Database.open({ databaseUrl: `sqlite:${file}` });
      await opened.migrate();
      return opened;
    });
    // Another connection keeps the WAL and shared-memory files in place while the modes are loosened.
    for (const each of [file, `${file}-wal`, `${file}-shm`]) fs.chmodSync(each, 0o644);
    const second = await Database.open({ databaseUrl: `sqlite:${file}` });
    try {
      for (const each of [file, `${file}-wal`, `${file}-shm`]) expect(modeOf(each), each).to.equal(0o600);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it("tightens the default data folder an older release created world-readable, and leaves a folder the operator chose alone", async () => {
    const home = process.cwd();
    const own = path.join(folder, "shared-with-the-team");
    fs.mkdirSync(path.join(folder, "data"), { mode: 0o755 });
    fs.mkdirSync(own, { mode: 0o755 });
    fs.chmodSync(path.join(folder, "data"), 0o755);
    fs.chmodSync(own, 0o755);
    process.chdir(folder);
    try {
      logFileTransport("data/mail.log", FROM);
      logFileTransport(path.join(own, "mail.log"), FROM);
    } finally {
      process.chdir(home);
    }
    expect(modeOf(path.join(folder, "data"))).to.equal(0o700);
    expect(modeOf(own)).to.equal(0o755);
  });
});
