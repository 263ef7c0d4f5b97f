import "reflect-metadata";
import { parseArgs } from "node:util";
import { loadDatabaseSettings } from "../config";
import { Database } from "../database";
import { createLogger } from "../observability/logger";
import { logMigrationStep } from "../migrations/support/progress";

const USAGE = "Usage: npm run migrate [-- --to <MigrationName>]   (no --to: apply what is pending; --to: revert every migration after it)";

/**
 * Applies pending migrations, or with `--to` reverts those after the one named, on the database
 * DATABASE_URL names: one log line per migration as it starts and one with its duration. Runs under
 * the start-up lock, so a server starting meanwhile waits instead of migrating the other way.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { to: { type: "string" } } });
  const settings = loadDatabaseSettings();
  const logger = createLogger(process.env.LOG_LEVEL === "silent" ? "silent" : "info");
  const db = await Database.open(settings);
  try {
    const step = logMigrationStep(logger);
    await db.duringStartUp(async () => {
      if (values.to === undefined) {
        const applied = await db.migrate(step);
        logger.info(applied.length ? `Applied ${applied.length} migrations.` : "No migrations are pending.");
      } else {
        const reverted = await db.revertTo(values.to, step);
        logger.info(
          reverted.length
            ? `Reverted ${reverted.length} migrations: the schema is the one ${values.to} left.`
            : `Nothing to revert: ${values.to} is the last migration applied.`,
        );
      }
    });
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
