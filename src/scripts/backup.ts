import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import sqlite3 from "sqlite3";
import { loadDatabaseSettings } from "../config";

/*
 * Online backup and restore of the database DATABASE_URL names (docs/operations.md, "Backup and restore").
 *
 *   npm run backup -- <file>    while the server runs: a consistent copy of every committed write
 *   npm run restore -- <file>   with the server stopped: the database becomes the copy
 *
 * SQLite: `VACUUM INTO`, one read transaction, so the copy holds every write committed before it began,
 * those still in the WAL included (copying the file with `cp` misses them); restore writes the copy
 * through SQLite's backup API, so the live file's WAL cannot be replayed over it. PostgreSQL: pg_dump's
 * custom format (one snapshot) and pg_restore, found on PATH or in PG_BIN; the password goes to them in
 * the environment, never on a command line others can read.
 */

/** sqlite3's backup API, which its type declarations leave out. */
interface SqliteBackup {
  step(pages: number, callback: (error: Error | null) => void): void;
  finish(callback: (error: Error | null) => void): void;
}
type BackupSource = {
  backup(
    file: string,
    destName: string,
    sourceName: string,
    filenameIsDest: boolean,
    callback: (error: Error | null) => void,
  ): SqliteBackup;
};

function open(file: string, mode: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db: sqlite3.Database = new sqlite3.Database(file, mode, (error) => (error ? reject(error) : resolve(db)));
  });
}

function run(db: sqlite3.Database, statement: string, parameters: unknown[] = []): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) =>
    db.all(statement, parameters, (error, rows: Record<string, unknown>[]) => (error ? reject(error) : resolve(rows))),
  );
}

function close(db: sqlite3.Database): Promise<void> {
  return new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
}

/** Checks that `file` is a whole SQLite database of this service; returns its last migration. */
async function checkSqliteCopy(file: string): Promise<string> {
  const db = await open(file, sqlite3.OPEN_READONLY);
  try {
    const [integrity] = await run(db, "PRAGMA integrity_check");
    if (integrity?.integrity_check !== "ok") throw new Error(`${file} is damaged: ${JSON.stringify(integrity)}`);
    const [last] = await run(db, `SELECT "name" FROM "migrations" ORDER BY "timestamp" DESC LIMIT 1`).catch(() => []);
    if (!last) throw new Error(`${file} is not a contact-points database: it has no migrations.`);
    return String(last.name);
  } finally {
    await close(db);
  }
}

function fsyncPath(file: string): void {
  const descriptor = fs.openSync(file, "r");
  try {
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
}

async function backupSqlite(database: string, target: string): Promise<string> {
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const source = await open(database, sqlite3.OPEN_READONLY);
  try {
    source.configure("busyTimeout", 10_000);
    await run(source, "VACUUM INTO ?", [partial]);
  } finally {
    await close(source);
  }
  const last = await checkSqliteCopy(partial);
  // A backup holds every user's data: readable by the service's own user only, whatever the umask.
  fs.chmodSync(partial, 0o600);
  fsyncPath(partial);
  fs.renameSync(partial, target);
  fsyncPath(path.dirname(target));
  return last;
}

async function restoreSqlite(database: string, copy: string): Promise<string> {
  const last = await checkSqliteCopy(copy);
  fs.mkdirSync(path.dirname(database), { recursive: true });
  const target = await open(database, sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE);
  try {
    target.configure("busyTimeout", 10_000);
    await new Promise<void>((resolve, reject) => {
      // filenameIsDest false: `copy` is read, the open database written.
      const backup = (target as unknown as BackupSource).backup(copy, "main", "main", false, (error: Error | null) => {
        if (error) return reject(error);
        backup.step(-1, (stepError: Error | null) => {
          if (stepError) return reject(stepError);
          backup.finish((finishError: Error | null) => (finishError ? reject(finishError) : resolve()));
        });
      });
    });
    await run(target, "PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    await close(target);
  }
  return last;
}

/** libpq's environment for `url`: the password travels there rather than in the arguments. */
function libpqEnvironment(url: string): NodeJS.ProcessEnv {
  const parsed = new URL(url);
  const sslmode = parsed.searchParams.get("sslmode");
  return {
    ...process.env,
    PGHOST: decodeURIComponent(parsed.hostname),
    PGPORT: parsed.port || "5432",
    PGUSER: decodeURIComponent(parsed.username),
    PGPASSWORD: decodeURIComponent(parsed.password),
    PGDATABASE: decodeURIComponent(parsed.pathname.slice(1)),
    ...(sslmode ? { PGSSLMODE: sslmode } : {}),
  };
}

function postgresTool(name: string, args: string[], url: string): Promise<void> {
  const command = process.env.PG_BIN ? path.join(process.env.PG_BIN, name) : name;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: libpqEnvironment(url), stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", (error) =>
      reject(new Error(`Cannot run ${command}: ${error.message}. Install the PostgreSQL client or set PG_BIN.`)),
    );
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${name} ended with exit code ${code}.`))));
  });
}

async function backupPostgres(url: string, target: string): Promise<void> {
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  await postgresTool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", `--file=${partial}`], url);
  fs.chmodSync(partial, 0o600);
  fsyncPath(partial);
  fs.renameSync(partial, target);
  fsyncPath(path.dirname(target));
}

async function restorePostgres(url: string, copy: string): Promise<void> {
  if (!fs.existsSync(copy)) throw new Error(`No backup at ${copy}.`);
  await postgresTool(
    "pg_restore",
    [
      "--clean",
      "--if-exists",
      "--no-owner",
      "--no-privileges",
      "--single-transaction",
      "--exit-on-error",
      `--dbname=${new URL(url).pathname.slice(1)}`,
      copy,
    ],
    url,
  );
}

async function main(): Promise<void> {
  const [command, file] = process.argv.slice(2);
  if ((command !== "backup" && command !== "restore") || !file) {
    console.error("Usage: npm run backup -- <file>   |   npm run restore -- <file>");
    process.exit(2);
  }
  const url = loadDatabaseSettings().databaseUrl;
  const copy = path.resolve(file);
  if (url.startsWith("sqlite:")) {
    const database = url.slice("sqlite:".length);
    if (database === "" || database === ":memory:")
      throw new Error("DATABASE_URL names an in-memory database: there is nothing on disk to back up or restore.");
    if (command === "backup") {
      if (fs.existsSync(copy)) throw new Error(`${copy} exists: name a new file, so no backup is overwritten.`);
      const last = await backupSqlite(database, copy);
      console.log(`Backed up ${database} to ${copy} (${fs.statSync(copy).size} bytes; last migration ${last}).`);
    } else {
      const last = await restoreSqlite(database, copy);
      console.log(`Restored ${database} from ${copy} (last migration ${last}). Start the release that matches it.`);
    }
    return;
  }
  if (command === "backup") {
    if (fs.existsSync(copy)) throw new Error(`${copy} exists: name a new file, so no backup is overwritten.`);
    await backupPostgres(url, copy);
    console.log(`Backed up the PostgreSQL database to ${copy} (${fs.statSync(copy).size} bytes, pg_dump custom format).`);
  } else {
    await restorePostgres(url, copy);
    console.log(`Restored the PostgreSQL database from ${copy}.`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
