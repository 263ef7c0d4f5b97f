import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { expect } from "chai";
import { ConfigError, DEVELOPMENT_JWT_SECRET, describeDatabase, loadConfig } from "../src/config";
import { MAIN, ROOT, freePort, postGraphQL, runToEnd, spawnServer } from "./helpers/process";

const SECRET = "config-safety-test-secret-long-enough-for-hs256";
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string }).version;
/** What production needs besides the setting a test is about. */
const PRODUCTION = {
  NODE_ENV: "production",
  AUTH_JWT_SECRET: SECRET,
  DATABASE_URL: "sqlite:unused.sqlite",
  PUBLIC_URL: "https://contacts.example.com",
  MAIL_TRANSPORT: "file",
};

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

/** A start that must fail: exactly one JSON line on stderr, no stack, exit code 1. */
async function refusedStart(env: Record<string, string>): Promise<{ msg: string; stdout: string; record: Record<string, unknown> }> {
  const result = await runToEnd([MAIN], env);
  expect(result.code, result.stdout + result.stderr).to.equal(1);
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).to.have.lengthOf(1);
  const record = JSON.parse(lines[0]!) as { level: string; msg: string; err?: unknown };
  expect(record.level).to.equal("fatal");
  expect(record.err, "a setting's error carries no stack").to.equal(undefined);
  expect(record.msg).to.match(/^Cannot start: /);
  return { msg: record.msg, stdout: result.stdout, record };
}

describe("settings that would start unsafe", function () {
  this.timeout(60_000);
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-config-"));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  describe("NODE_ENV and HOST", () => {
    it("refuses an unknown NODE_ENV, naming the allowed ones; unset or empty means development", () => {
      for (const value of ["prod", "staging", "Production", "production ", "dev"]) {
        expect(refusal({ NODE_ENV: value, AUTH_JWT_SECRET: SECRET }), value).to.match(/^NODE_ENV must be development, production or test/);
      }
      expect(loadConfig({}).nodeEnv).to.equal("development");
      expect(loadConfig({ NODE_ENV: "" }).nodeEnv).to.equal("development");
    });

    it("refuses NODE_ENV=prod at start-up with one line, before it binds an address or touches the database", async () => {
      const file = path.join(directory, "contacts.sqlite");
      const { msg, stdout } = await refusedStart({ NODE_ENV: "prod", HOST: "0.0.0.0", DATABASE_URL: `sqlite:${file}` });
      expect(msg).to.contain('got "prod"');
      expect(stdout).to.equal("");
      expect(fs.existsSync(file)).to.equal(false);
    });

    it("never listens on a non-loopback address in development, whatever the secret", () => {
      for (const host of ["0.0.0.0", "::", "10.1.2.3", "contacts.example.com"]) {
        expect(refusal({ HOST: host, AUTH_JWT_SECRET: SECRET }), host).to.match(
          new RegExp(`^HOST=${host.replace(/\./g, "\\.")} is not a loopback address`),
        );
        expect(refusal({ NODE_ENV: "development", HOST: host, AUTH_JWT_SECRET: SECRET }), host).to.match(/development mode/);
      }
      expect(loadConfig({ NODE_ENV: "test", HOST: "0.0.0.0", AUTH_JWT_SECRET: SECRET }).host).to.equal("0.0.0.0");
      for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1"]) expect(loadConfig({ HOST: host }).host).to.equal(host);
    });
  });

  describe("the JWT secret", () => {
    it("refuses the published development secret wherever anything says other machines reach the server", () => {
      const reachable: Record<string, string>[] = [
        { NODE_ENV: "test", HOST: "10.1.2.3" },
        { TRUST_PROXY: "loopback" },
        { NODE_ENV: "test", TRUST_PROXY: "1" },
        { TRUST_PROXY: "loopback", PUBLIC_URL: "https://contacts.example.com" },
        { PUBLIC_URL: "https://contacts.example.com" },
        { NODE_ENV: "test", PUBLIC_URL: "http://192.168.1.20:4000" },
        { VERIFICATION_LINK_URL: "https://app.example.com/confirm" },
        { CORS_ORIGINS: "https://app.example.com" },
      ];
      for (const env of reachable) {
        expect(refusal(env), JSON.stringify(env)).to.match(/^AUTH_JWT_SECRET must be set: the published development secret/);
        // Given explicitly, it is just as public.
        expect(refusal({ ...env, AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET }), JSON.stringify(env)).to.match(
          /^AUTH_JWT_SECRET is the development secret published/,
        );
      }
      const loopbackOnly: Record<string, string>[] = [
        {},
        { NODE_ENV: "development", HOST: "localhost" },
        { NODE_ENV: "test", HOST: "::1" },
        { PUBLIC_URL: "http://127.0.0.1:4000" },
        { CORS_ORIGINS: "http://127.0.0.1:5173,http://localhost:5173" },
      ];
      for (const env of loopbackOnly) expect(loadConfig(env).jwtSecretIsDevelopmentDefault, JSON.stringify(env)).to.equal(true);
    });

    it("refuses weak secrets in production: short, whitespace, few characters, or the published one", () => {
      const weak: [string, RegExp][] = [
        ["x".repeat(31), /shorter than 32 bytes/],
        [" ".repeat(32), /only whitespace/],
        ["\t \n".repeat(20), /only whitespace/],
        ["ab".repeat(32), /fewer than 8 different characters/],
        ["passwordpasswordpasswordpassword", /fewer than 8 different characters/],
        [DEVELOPMENT_JWT_SECRET, /development secret published/],
      ];
      for (const [secret, reason] of weak) {
        expect(refusal({ ...PRODUCTION, AUTH_JWT_SECRET: secret }), JSON.stringify(secret))
          .to.match(/^AUTH_JWT_SECRET /)
          .and.match(reason);
      }
      for (const secret of [randomBytes(32).toString("base64"), randomBytes(16).toString("hex"), "żółć-gęślą-jaźń-ZÓŁĆ"]) {
        expect(loadConfig({ ...PRODUCTION, AUTH_JWT_SECRET: secret }).jwtSecret, secret).to.equal(secret);
      }
    });
  });

  describe("DEMO_TOKEN", () => {
    it("is off unless asked for, and refused beside a proxy, a public address or any NODE_ENV but development", () => {
      expect(loadConfig({}).demoToken).to.equal(false);
      expect(loadConfig({ DEMO_TOKEN: "true" }).demoToken).to.equal(true);
      const conflicts: Record<string, string>[] = [
        { TRUST_PROXY: "loopback", AUTH_JWT_SECRET: SECRET },
        { PUBLIC_URL: "https://contacts.example.com", AUTH_JWT_SECRET: SECRET },
        { CORS_ORIGINS: "https://app.example.com", AUTH_JWT_SECRET: SECRET },
        { NODE_ENV: "test" },
        { ...PRODUCTION },
      ];
      for (const env of conflicts)
        expect(refusal({ ...env, DEMO_TOKEN: "true" }), JSON.stringify(env)).to.match(/^DEMO_TOKEN=true \(npm start sets it\)/);
    });

    it("is what `npm start` turns on, and nothing else does", () => {
      const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
      expect(scripts.start).to.match(/^DEMO_TOKEN=\$\{DEMO_TOKEN:-true\} node dist\/src\/main\.js$/);
      const others = Object.entries(scripts).filter(([name, script]) => name !== "start" && script.includes("DEMO_TOKEN"));
      expect(others).to.deep.equal([]);
    });
  });

  describe("the database", () => {
    it("must be named in production, and never be in memory there", () => {
      const { DATABASE_URL: _unused, ...withoutDatabase } = PRODUCTION;
      expect(refusal(withoutDatabase)).to.match(/^DATABASE_URL must be set when NODE_ENV=production/);
      expect(refusal({ ...PRODUCTION, DATABASE_URL: "sqlite::memory:" })).to.match(
        /^DATABASE_URL=sqlite::memory: is refused when NODE_ENV=production/,
      );
      expect(refusal({ DATABASE_URL: "sqlite:" })).to.match(/needs a file path/);
      expect(loadConfig({ DATABASE_URL: "sqlite::memory:" }).databaseUrl).to.equal("sqlite::memory:");
      expect(loadConfig({}).databaseUrl).to.equal("sqlite:data/contacts.sqlite");
    });

    it("is named without its password, with the driver, in the start-up line", () => {
      expect(describeDatabase("postgres://app:s3cr%40t@db.example.com:6432/contacts?sslmode=require")).to.deep.equal({
        driver: "postgres",
        database: "app@db.example.com:6432/contacts",
      });
      expect(describeDatabase("postgresql://db.internal/contacts")).to.deep.equal({
        driver: "postgres",
        database: "db.internal:5432/contacts",
      });
      expect(describeDatabase("postgres:///contacts?host=/var/run/postgresql")).to.deep.equal({
        driver: "postgres",
        database: "/var/run/postgresql:5432/contacts",
      });
      expect(describeDatabase("sqlite:data/contacts.sqlite")).to.deep.equal({
        driver: "sqlite",
        database: path.resolve("data/contacts.sqlite"),
      });
    });

    it("logs the version, the driver and the database file when it starts", async () => {
      const file = path.join(directory, "contacts.sqlite");
      const server = await spawnServer({ DATABASE_URL: `sqlite:${file}`, AUTH_JWT_SECRET: SECRET, SEED_DEMO_DATA: "false" });
      try {
        const records = server
          .output()
          .trim()
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        const listening = records.find((record) => String(record.msg).includes(` is listening on ${server.url} `));
        expect(listening, server.output()).to.include({ version: VERSION, driver: "sqlite", database: file, nodeEnv: "development" });
        expect(listening!.msg).to.equal(`contact-points ${VERSION} is listening on ${server.url} (NODE_ENV=development, SQLite ${file})`);
        // Named before migrations run, so a wrong database is seen before it is changed.
        const starting = records.findIndex((record) =>
          String(record.msg).startsWith(`Starting contact-points ${VERSION} (NODE_ENV=development) on SQLite ${file}`),
        );
        expect(starting).to.be.within(0, records.indexOf(listening!));
      } finally {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    });

    it("loads no demo data into a database that existed before this start, even an empty one", async () => {
      const database = `sqlite:${path.join(directory, "existing.sqlite")}`;
      const first = await spawnServer({ DATABASE_URL: database, AUTH_JWT_SECRET: SECRET, SEED_DEMO_DATA: "false" });
      first.child.kill("SIGTERM");
      await first.exited;
      const second = await spawnServer({ DATABASE_URL: database, AUTH_JWT_SECRET: SECRET, DEMO_TOKEN: "true" }, "npm run token");
      try {
        expect(second.output()).not.to.contain("Loaded the demo accounts");
        expect(second.output()).not.to.match(/Bearer|eyJ/);
        const token = (
          await runToEnd([path.join(ROOT, "dist", "src", "scripts", "token.js"), "--email", "ada.lovelace@northwind.example"], {
            AUTH_JWT_SECRET: SECRET,
          })
        ).stdout.trim();
        expect((await postGraphQL(second.url, "{ accounts { totalCount } }", token)).data.accounts.totalCount).to.equal(0);
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
    });
  });

  it("refuses production without PUBLIC_URL: mail would link to an address nobody outside reaches", () => {
    const { PUBLIC_URL: _unused, ...withoutPublicUrl } = PRODUCTION;
    expect(refusal(withoutPublicUrl)).to.match(/^PUBLIC_URL must be set when NODE_ENV=production/);
  });

  it("names the variable of a yes/no setting it cannot read", () => {
    for (const name of ["GRAPHIQL", "GRAPHQL_INTROSPECTION", "SEED_DEMO_DATA", "DEMO_TOKEN"]) {
      expect(refusal({ [name]: "maybe" }), name).to.equal(`${name} must be true or false (or 1/0, yes/no, on/off), got "maybe".`);
    }
  });

  describe("never prints a secret", () => {
    const MARKER = "Hunter2-Marker-9f8e7d";
    const badSettings: Record<string, string>[] = [
      { DATABASE_URL: `postgress://app:${MARKER}@db.example.com/contacts` },
      { DATABASE_URL: `postgres//app:${MARKER}@db.example.com/contacts` },
      { DATABASE_URL: `${MARKER}@db.example.com/contacts` },
      { DATABASE_URL: `mysql://root:${MARKER}@localhost/contacts` },
      { DATABASE_URL: `postgres://app:${MARKER}@[db.example.com/contacts` },
      { PUBLIC_URL: `https://app:${MARKER}@contacts.example.com` },
      { PUBLIC_URL: `https://app:${MARKER}@contacts.example.com/?next=1` },
      { PUBLIC_URL: `htps//app:${MARKER}@contacts.example.com` },
      { VERIFICATION_LINK_URL: `ftp://app:${MARKER}@app.example.com/confirm` },
      { CORS_ORIGINS: `https://app:${MARKER}@app.example.com` },
      { SMTP_URL: `smtp//mailer:${MARKER}@mail.example.com:587` },
      { SMTP_URL: `smtp://mailer:${MARKER}@mail.example.com:587`, MAIL_TRANSPORT: "file" },
      { METRICS_TOKEN: `${MARKER} x` },
      { ...PRODUCTION, AUTH_JWT_SECRET: MARKER },
      { ...PRODUCTION, AUTH_JWT_SECRET: `${MARKER}${MARKER}`, DATABASE_URL: "sqlite::memory:" },
    ];

    it("in any refusal of a setting", () => {
      for (const env of badSettings) {
        const message = refusal({ AUTH_JWT_SECRET: SECRET, ...env });
        expect(message, JSON.stringify(env)).not.to.contain(MARKER);
        expect(message).not.to.contain(SECRET);
      }
    });

    it("on the way out of a refused start, a mistyped scheme and a database that cannot be reached alike", async () => {
      const mistyped = await refusedStart({ ...PRODUCTION, DATABASE_URL: `postgress://app:${MARKER}@db.example.com/contacts` });
      expect(mistyped.msg).to.equal(
        'Cannot start: DATABASE_URL must start with sqlite: or postgres:// (or postgresql://), got "postgress:…".',
      );
      const port = await freePort();
      const unreachable = await refusedStart({
        NODE_ENV: "test",
        AUTH_JWT_SECRET: SECRET,
        DATABASE_URL: `postgres://app:${MARKER}@127.0.0.1:${port}/contacts`,
      });
      expect(unreachable.msg).to.match(
        new RegExp(
          `^Cannot start: Cannot open the PostgreSQL database app@127\\.0\\.0\\.1:${port}/contacts \\(DATABASE_URL\\): .*ECONNREFUSED`,
        ),
      );
      for (const output of [JSON.stringify(mistyped), JSON.stringify(unreachable)]) {
        expect(output).not.to.contain(MARKER);
        expect(output).not.to.contain(SECRET);
      }
    });
  });

  describe("start-up errors", () => {
    it("says a port is in use in one line on stderr, before migrations touch the database", async () => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const { port } = blocker.address() as net.AddressInfo;
      const file = path.join(directory, "contacts.sqlite");
      try {
        const { msg } = await refusedStart({
          DATABASE_URL: `sqlite:${file}`,
          AUTH_JWT_SECRET: SECRET,
          HOST: "127.0.0.1",
          PORT: String(port),
        });
        expect(msg).to.equal(`Cannot start: PORT=${port}: another process already listens on 127.0.0.1:${port}.`);
        expect(fs.existsSync(file), "no migration ran").to.equal(false);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });

    it("says a HOST is not this machine's in one line on stderr", async () => {
      // 192.0.2.0/24 is reserved for documentation: never an address of this machine.
      const { msg } = await refusedStart({
        NODE_ENV: "test",
        DATABASE_URL: `sqlite:${path.join(directory, "c.sqlite")}`,
        AUTH_JWT_SECRET: SECRET,
        HOST: "192.0.2.1",
        PORT: "4999",
      });
      expect(msg).to.equal("Cannot start: HOST=192.0.2.1 is not an address of this machine.");
    });

    it("names the file SQLite cannot open", async () => {
      const notAFile = path.join(directory, "a-folder");
      fs.mkdirSync(notAFile);
      const { msg } = await refusedStart({ DATABASE_URL: `sqlite:${notAFile}`, AUTH_JWT_SECRET: SECRET });
      expect(msg).to.contain(`Cannot open the SQLite database file ${notAFile} (DATABASE_URL): `);
    });

    it("refuses a database folder that cannot be created instead of hanging", async () => {
      // /proc answers ENOENT to a new folder, which sends Node's recursive mkdir round for ever.
      const { msg } = await refusedStart({ DATABASE_URL: "sqlite:/proc/no-such-folder/contacts.sqlite", AUTH_JWT_SECRET: SECRET });
      expect(msg).to.contain("Cannot open the SQLite database file /proc/no-such-folder/contacts.sqlite (DATABASE_URL)");
    });
  });

  it("runs the migration commands in production without building, and without the server's other settings", function () {
    this.timeout(120_000);
    const file = path.join(directory, "migrated.sqlite");
    const built = fs.statSync(path.join(ROOT, "dist", "src", "main.js")).mtimeMs;
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? os.tmpdir(),
      NODE_ENV: "production",
      DATABASE_URL: `sqlite:${file}`,
    };
    const run = spawnSync("npm", ["run", "--silent", "migration:run"], { cwd: ROOT, env, encoding: "utf8" });
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    const show = spawnSync("npm", ["run", "--silent", "migration:show"], { cwd: ROOT, env, encoding: "utf8" });
    expect(show.status, show.stdout + show.stderr).to.equal(0);
    expect(show.stdout).to.match(/\[X\] \d+ InitialSchema1764201600000/);
    expect(show.stdout).not.to.match(/\[ \]/);
    expect(fs.statSync(path.join(ROOT, "dist", "src", "main.js")).mtimeMs, "dist/ was not rebuilt").to.equal(built);
  });
});
