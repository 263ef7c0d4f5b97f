import "reflect-metadata";
import { parseArgs } from "node:util";
import { loadConfig } from "../config";
import { Database } from "../database";
import { decodeGlobalId } from "../common/global-id";
import { requeueFailedDeliveries, type RequeueSelection } from "../notifications/requeue.service";

const USAGE = [
  "Usage: npm run mail:requeue -- --id <delivery id> [--id …]   FAILED messages by id (NotificationDelivery.id or the row id)",
  "       npm run mail:requeue -- --account <account id>        every FAILED message of one account",
  "       npm run mail:requeue -- --all-failed                  every FAILED message",
  "Verification messages are never sent again: an admin asks for a new one (resendContactVerification).",
].join("\n");

/** A delivery's row id from its global id or the plain number, or null. */
function rowId(value: string): number | null {
  if (/^\d+$/.test(value)) return Number(value);
  const decoded = decodeGlobalId(value);
  return decoded?.type === "NotificationDelivery" ? Number(decoded.key[0]) : null;
}

function selection(args: string[]): RequeueSelection | null {
  const { values } = parseArgs({
    args,
    options: { id: { type: "string", multiple: true }, account: { type: "string" }, "all-failed": { type: "boolean" } },
  });
  const chosen = [values.id !== undefined, values.account !== undefined, values["all-failed"] === true].filter(Boolean).length;
  if (chosen !== 1) return null;
  if (values.id) {
    const ids = values.id.map(rowId);
    return ids.every((id): id is number => id !== null) ? { ids } : null;
  }
  if (values.account !== undefined) {
    const decoded = decodeGlobalId(values.account);
    if (decoded?.type === "Account") return { accountId: decoded.key[0]! };
    return /^[0-9a-f-]{36}$/i.test(values.account) ? { accountId: values.account.toLowerCase() } : null;
  }
  return { all: true };
}

/** Sends FAILED messages again: the running servers' delivery workers pick them up at their next poll. */
async function main(): Promise<void> {
  let chosen: RequeueSelection | null;
  try {
    chosen = selection(process.argv.slice(2));
  } catch {
    chosen = null;
  }
  if (!chosen) {
    console.error(USAGE);
    process.exit(2);
  }
  const config = loadConfig();
  const db = await Database.open({ databaseUrl: config.databaseUrl, postgres: config.database });
  try {
    const requeued = await db.write((manager) => requeueFailedDeliveries(manager, chosen));
    console.log(`Requeued ${requeued} FAILED message(s); the delivery workers send them at their next poll.`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
