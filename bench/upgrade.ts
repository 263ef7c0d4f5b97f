/**
 * How long the upgrade from the previous release takes on a realistically sized database, per migration:
 *
 *   npm run bench:upgrade                                  # SQLite file in a temp directory
 *   TEST_DATABASE_URL=postgres://… npm run bench:upgrade   # a new database beside the one named
 *
 * Sizes default to 100k users, 110k memberships and 200k outbox rows; UPGRADE_SCALE=0.1 makes them smaller.
 */
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Database, type MigrationStep } from "../src/database";
import { createPreviousReleaseDatabase, REALISTIC_SIZES } from "../test/helpers/previous-release";
import { createPostgresDatabase, dropPostgresDatabase } from "../test/helpers/postgres";

async function main(): Promise<void> {
  const scale = Number(process.env.UPGRADE_SCALE ?? "1");
  const sizes = {
    users: Math.round(REALISTIC_SIZES.users * scale),
    accounts: Math.round(REALISTIC_SIZES.accounts * scale),
    extraMemberships: Math.round(REALISTIC_SIZES.extraMemberships * scale),
    outboxMessages: Math.round(REALISTIC_SIZES.outboxMessages * scale),
  };
  const base = process.env.TEST_DATABASE_URL;
  const postgres = !!base && /^postgres/.test(base);
  const directory = postgres ? null : fs.mkdtempSync(path.join(os.tmpdir(), "cp-bench-upgrade-"));
  const name = `cp_bench_upgrade_${process.pid}`;
  const url = postgres ? await createPostgresDatabase(base!, name) : `sqlite:${path.join(directory!, "contacts.sqlite")}`;
  try {
    let started = performance.now();
    await createPreviousReleaseDatabase(url, sizes);
    const generated = performance.now() - started;
    const db = await Database.open({ databaseUrl: url });
    const steps: MigrationStep[] = [];
    started = performance.now();
    await db.migrate((step) => {
      if (step.ms !== null) steps.push(step);
    });
    const total = performance.now() - started;
    await db.close();
    const driver = postgres ? "PostgreSQL" : "SQLite";
    console.log(
      `Upgrade from the previous release on ${driver}: ${sizes.users} users, ${sizes.users + sizes.extraMemberships} memberships, ${sizes.outboxMessages} outbox rows`,
    );
    console.log(`(generated in ${(generated / 1000).toFixed(1)} s; Node ${process.versions.node}, ${os.cpus().length} cores)\n`);
    console.log("| migration | ms |\n| --- | ---: |");
    for (const step of steps) console.log(`| ${step.migration} | ${step.ms} |`);
    console.log(`| **whole upgrade, commits included** | **${Math.round(total)}** |`);
    if (directory) console.log(`\nThe database file: ${Math.round(fs.statSync(path.join(directory, "contacts.sqlite")).size / 1e6)} MB.`);
  } finally {
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    if (postgres) await dropPostgresDatabase(base!, name);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
