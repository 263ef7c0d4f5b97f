import type { Logger } from "pino";

/** A migration starting (`ms` null) or finished (`ms`: how long its statements ran), applied (`up`) or reverted (`down`). */
export interface MigrationStep {
  migration: string;
  direction: "up" | "down";
  ms: number | null;
}

/** One log line as each migration starts and one when it ends, with its duration: a long upgrade shows where it is. */
export function logMigrationStep(logger: Pick<Logger, "info">): (step: MigrationStep) => void {
  return ({ migration, direction, ms }) => {
    const verb = direction === "up" ? "Applying" : "Reverting";
    if (ms === null) logger.info({ migration, direction }, `${verb} migration ${migration}…`);
    else logger.info({ migration, direction, ms }, `${direction === "up" ? "Applied" : "Reverted"} migration ${migration} in ${ms} ms.`);
  };
}
