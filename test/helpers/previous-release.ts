import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DataSource } from "typeorm";
import { createDataSource, MIGRATIONS } from "../../src/database";

/** The migrations release 1.0 (commit 9648050) shipped: its schema is what an upgrade starts from. */
export const PREVIOUS_RELEASE_MIGRATIONS = MIGRATIONS.slice(0, 2);
/** The last of them: `npm run migrate -- --to` this name takes a database back to the previous release. */
export const PREVIOUS_RELEASE_LAST_MIGRATION = "VerificationAndOutbox1795737600000";

/** The values the previous release's code knows for each enumerated column; any other value it cannot read. */
export const PREVIOUS_RELEASE_VALUES: Record<string, { table: string; column: string; values: string[] }> = {
  contactChangeAction: { table: "contact_changes", column: "action", values: ["SET", "ADD", "REMOVE", "CLEAR"] },
  contactChangeSlot: {
    table: "contact_changes",
    column: "slot",
    values: ["PRIMARY", "BILLING", "DECISION_MAKER", "IMPLEMENTATION", "SECURITY", "TECHNICAL_ADMIN"],
  },
  verificationState: { table: "contact_verifications", column: "state", values: ["PENDING", "VERIFIED"] },
  outboxState: { table: "outbox_messages", column: "state", values: ["PENDING", "SENT", "FAILED"] },
  outboxKind: { table: "outbox_messages", column: "kind", values: ["VERIFICATION", "TEST"] },
  memberRole: { table: "account_members", column: "role", values: ["ADMIN", "MEMBER"] },
};

/** How much to generate. The defaults are an operator's realistic database: 100k users, 110k memberships, 200k outbox rows. */
export interface PreviousReleaseSizes {
  users: number;
  accounts: number;
  /** Memberships beyond each user's first: users 1..extraMemberships belong to two accounts. */
  extraMemberships: number;
  outboxMessages: number;
}

export const REALISTIC_SIZES: PreviousReleaseSizes = {
  users: 100_000,
  accounts: 10_000,
  extraMemberships: 10_000,
  outboxMessages: 200_000,
};

/** A data source on `url` that knows only the previous release's migrations, with no statement timeout. */
function previousReleaseDataSource(url: string): DataSource {
  const current = createDataSource({ databaseUrl: url, postgres: { poolSize: 2, statementTimeoutMs: 0, ssl: "off", sslCaFile: null } });
  return new DataSource({ ...current.options, migrations: PREVIOUS_RELEASE_MIGRATIONS } as typeof current.options);
}

/** Ids as the previous release wrote them (UUIDs): user `n`, account `n`. */
function ids(postgres: boolean) {
  const pad = (n: string) => (postgres ? `lpad((${n})::text, 12, '0')` : `substr('000000000000' || (${n}), -12)`);
  return {
    user: (n: string) => `'00000000-0000-4000-8000-' || ${pad(n)}`,
    account: (n: string) => `'10000000-0000-4000-8000-' || ${pad(n)}`,
    char: (code: number) => (postgres ? `chr(${code})` : `char(${code})`),
    /** One instant for every generated row, typed so a CASE keeps it a timestamp. */
    at: postgres ? "timestamp '2026-01-01 00:00:00'" : "'2026-01-01 00:00:00.000'",
  };
}

/** Rows 1..n, as a recursive CTE both drivers run. */
const series = (n: number) => `WITH RECURSIVE "s"("i") AS (SELECT 1 UNION ALL SELECT "i" + 1 FROM "s" WHERE "i" < ${n})`;

/**
 * A database of the previous release's schema at `url`, filled with generated rows in a few set-based
 * statements: users (every 1000th name holds a line break, every 5000th email an internationalised
 * domain), accounts each with its first user as ADMIN and primary contact, memberships, two history rows
 * per account (so its admin counts as signed in), an outside security contact for every fifth account,
 * and outbox messages (a tenth of them verification mail, 1 % pending, 2 % failed).
 */
export async function createPreviousReleaseDatabase(url: string, sizes: PreviousReleaseSizes = REALISTIC_SIZES): Promise<void> {
  const dataSource = previousReleaseDataSource(url);
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: "each" });
    const postgres = dataSource.options.type === "postgres";
    const id = ids(postgres);
    const { users, accounts, extraMemberships, outboxMessages } = sizes;
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(
        `${series(users)} INSERT INTO "users" ("id", "email", "name", "createdAt")
         SELECT ${id.user('"i"')},
                'user' || "i" || CASE WHEN "i" % 5000 = 3 THEN '@bücher.example' ELSE '@example.com' END,
                CASE WHEN "i" % 1000 = 7 THEN 'Line' || ${id.char(10)} || 'break ' || "i" ELSE 'User ' || "i" END,
                ${id.at}
         FROM "s"`,
      );
      await runner.query(
        `${series(accounts)} INSERT INTO "accounts" ("id", "name", "primaryContactId", "contactsVersion", "createdAt", "updatedAt")
         SELECT ${id.account('"i"')}, 'Account ' || "i", ${id.user('"i"')}, 1, ${id.at}, ${id.at} FROM "s"`,
      );
      await runner.query(
        `${series(users)} INSERT INTO "account_members" ("accountId", "userId", "role", "joinedAt")
         SELECT ${id.account(`("i" - 1) % ${accounts} + 1`)}, ${id.user('"i"')}, CASE WHEN "i" <= ${accounts} THEN 'ADMIN' ELSE 'MEMBER' END, ${id.at} FROM "s"`,
      );
      await runner.query(
        `${series(extraMemberships)} INSERT INTO "account_members" ("accountId", "userId", "role", "joinedAt")
         SELECT ${id.account(`"i" % ${accounts} + 1`)}, ${id.user('"i"')}, 'MEMBER', ${id.at} FROM "s"`,
      );
      await runner.query(
        `${series(accounts * 2)} INSERT INTO "contact_changes" ("accountId", "at", "actorId", "slot", "action", "previousEmail", "newEmail")
         SELECT ${id.account(`("i" - 1) % ${accounts} + 1`)}, ${id.at}, ${id.user(`("i" - 1) % ${accounts} + 1`)}, 'PRIMARY', 'SET', NULL, 'user' || (("i" - 1) % ${accounts} + 1) || '@example.com' FROM "s"`,
      );
      await runner.query(
        `${series(Math.floor(accounts / 5))} INSERT INTO "role_contacts" ("accountId", "role", "userId", "email", "updatedAt", "updatedById")
         SELECT ${id.account('"i" * 5')}, 'SECURITY', NULL, 'security' || "i" || '@partner.example', ${id.at}, ${id.user('"i" * 5')} FROM "s"`,
      );
      await runner.query(
        `${series(Math.floor(accounts / 5))} INSERT INTO "contact_verifications" ("accountId", "role", "email", "state", "tokenHash", "tokenExpiresAt", "requestedAt", "verifiedAt")
         SELECT ${id.account('"i" * 5')}, 'SECURITY', 'security' || "i" || '@partner.example',
                CASE WHEN "i" % 2 = 0 THEN 'VERIFIED' ELSE 'PENDING' END, CASE WHEN "i" % 2 = 0 THEN NULL ELSE 'hash' || "i" END,
                ${id.at}, ${id.at}, CASE WHEN "i" % 2 = 0 THEN ${id.at} ELSE NULL END
         FROM "s"`,
      );
      await runner.query(
        `${series(outboxMessages)} INSERT INTO "outbox_messages" ("accountId", "kind", "category", "email", "subject", "body", "state", "attempts", "createdAt", "nextAttemptAt", "sentAt")
         SELECT ${id.account(`"i" % ${accounts} + 1`)},
                CASE WHEN "i" % 10 = 0 THEN 'VERIFICATION' ELSE 'TEST' END,
                CASE WHEN "i" % 10 = 0 THEN NULL ELSE 'INVOICE' END,
                'user' || ("i" % ${users} + 1) || '@example.com', 'Message ' || "i", 'The text of message ' || "i",
                CASE WHEN "i" % 100 = 0 THEN 'PENDING' WHEN "i" % 50 = 1 THEN 'FAILED' ELSE 'SENT' END,
                1, ${id.at}, ${id.at}, CASE WHEN "i" % 100 = 0 OR "i" % 50 = 1 THEN NULL ELSE ${id.at} END
         FROM "s"`,
      );
      await runner.commitTransaction();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The reads the previous release makes for an account's screen, as plain SELECTs on its tables: the
 * account, a page of members with their users, the history, the role contacts with their verification,
 * and the outbox. `$1` is the account's id (`?` on SQLite).
 */
export function previousReleaseReads(postgres: boolean): string[] {
  const p = postgres ? "$1" : "?";
  return [
    `SELECT "id", "name", "primaryContactId", "contactsVersion", "createdAt", "updatedAt" FROM "accounts" WHERE "id" = ${p}`,
    `SELECT "m"."userId", "m"."role", "m"."joinedAt", "u"."email", "u"."name" FROM "account_members" "m" JOIN "users" "u" ON "u"."id" = "m"."userId"
     WHERE "m"."accountId" = ${p} ORDER BY "m"."joinedAt", "m"."userId" LIMIT 51`,
    `SELECT "id", "at", "actorId", "slot", "action", "previousEmail", "newEmail" FROM "contact_changes" WHERE "accountId" = ${p} ORDER BY "id" DESC LIMIT 21`,
    `SELECT "r"."role", "r"."userId", "r"."email", "v"."state", "v"."verifiedAt" FROM "role_contacts" "r"
     LEFT JOIN "contact_verifications" "v" ON "v"."accountId" = "r"."accountId" AND "v"."role" = "r"."role" WHERE "r"."accountId" = ${p}`,
    `SELECT "id", "kind", "email", "state", "attempts", "createdAt", "sentAt" FROM "outbox_messages" WHERE "accountId" = ${p} ORDER BY "id" DESC LIMIT 21`,
  ];
}

/** Account `n`'s id, as the generator wrote it. */
export function generatedAccountId(n: number): string {
  return `10000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
}

/** The previous release's commit; `git archive` of it is built once per machine into the temp directory. */
export const PREVIOUS_RELEASE_COMMIT = "9648050";

/**
 * The previous release's code, built: its tree from git, this checkout's node_modules (its dependencies
 * are a subset of these, at the same ranges), compiled with its own tsconfig. Returns its main.js.
 */
export function buildPreviousRelease(root: string): string {
  // One build per checkout: its node_modules link points into that checkout, which may be gone later.
  const checkout = createHash("sha256").update(path.resolve(root)).digest("hex").slice(0, 12);
  const directory = path.join(os.tmpdir(), `contact-points-release-${PREVIOUS_RELEASE_COMMIT}-${checkout}`);
  const main = path.join(directory, "dist", "src", "main.js");
  if (fs.existsSync(main)) return main;
  const staging = fs.mkdtempSync(`${directory}-building-`);
  try {
    execFileSync("sh", ["-c", `git archive ${PREVIOUS_RELEASE_COMMIT} | tar -x -C "$0"`, staging], { cwd: root, stdio: "pipe" });
    fs.symlinkSync(path.join(root, "node_modules"), path.join(staging, "node_modules"));
    execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
      cwd: staging,
      stdio: "pipe",
    });
    // Another run may have finished first: its build is as good as this one.
    if (!fs.existsSync(main)) fs.renameSync(staging, directory);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return main;
}
