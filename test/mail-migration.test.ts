import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { DataSource } from "typeorm";
import { DateUtils } from "typeorm/util/DateUtils";
import { createDataSource, Database, MIGRATIONS } from "../src/database";
import { DeliveryWorker } from "../src/notifications/delivery.worker";
import { logFileTransport } from "../src/notifications/mail-transport";
import { DeliverySkipReason, DeliveryState, NotificationDelivery } from "../src/notifications/notification-delivery.entity";
import { VerificationTokens } from "../src/verification/verification-tokens";

/** Where the migration under test stands among all of them; those after it are applied (and reverted) with it. */
const MAIL_MIGRATION = MIGRATIONS.findIndex((migration) => migration.name === "MailSafeguards1796100000000");
const FROM_MAIL_MIGRATION = MIGRATIONS.slice(MAIL_MIGRATION).map((migration) => migration.name);
import { dropTestDatabase, freshDatabaseUrl, testDatabaseUrl } from "./helpers/server";

const LEGACY_TOKEN = "legacyTokenLegacyTokenLegacyTokenLegacyTok";

/** A message as the outbox held it before the mail safeguards: the token in its text. */
function legacyVerification(accountId: string, state: "PENDING" | "SENT", at: unknown) {
  return {
    accountId,
    kind: "VERIFICATION",
    email: `${state.toLowerCase()}@partner.example`,
    subject: "Confirm that you are the security contact for Old",
    body: `Confirm with this token:\n\n    ${LEGACY_TOKEN}\n`,
    state,
    attempts: state === "SENT" ? 1 : 0,
    createdAt: at,
    nextAttemptAt: at,
  };
}

describe("the mail safeguards migration", () => {
  let url: string;
  let directory: string | null = null;

  beforeEach(async () => {
    if (testDatabaseUrl().startsWith("sqlite:")) {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "cp-mail-migration-"));
      url = `sqlite:${path.join(directory, "contacts.sqlite")}`;
    } else {
      url = await freshDatabaseUrl();
    }
    // The schema as it was before the migration, with messages in it.
    const before: DataSource = createDataSource({ databaseUrl: url });
    await before.setOptions({ migrations: MIGRATIONS.slice(0, MAIL_MIGRATION) }).initialize();
    try {
      await before.runMigrations();
      const ownerId = randomUUID();
      const accountId = randomUUID();
      await before.transaction(async (m) => {
        const postgres = before.options.type === "postgres";
        // Raw SQL: the entities describe the schema after the migration, not before it.
        const insert = (table: string, values: Record<string, unknown>) => {
          const columns = Object.keys(values);
          const marks = columns.map((_, index) => (postgres ? `$${index + 1}` : "?"));
          return m.query(
            `INSERT INTO "${table}" (${columns.map((column) => `"${column}"`).join(", ")}) VALUES (${marks.join(", ")})`,
            Object.values(values),
          );
        };
        const at = postgres ? new Date() : DateUtils.mixedDateToUtcDatetimeString(new Date());
        await insert("users", { id: ownerId, email: "owner@example.com", createdAt: at });
        await insert("accounts", { id: accountId, name: "Old", primaryContactId: ownerId, createdAt: at, updatedAt: at });
        await insert("account_members", { accountId, userId: ownerId, role: "ADMIN", joinedAt: at });
        for (const state of ["SENT", "PENDING", "SENT"] as const) await insert("outbox_messages", legacyVerification(accountId, state, at));
        // A message deleted since: its id must not be handed out again.
        await m.query(`DELETE FROM "outbox_messages" WHERE "id" = 3`);
      });
    } finally {
      await before.destroy();
    }
  });
  afterEach(async () => {
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
    else await dropTestDatabase(url);
    directory = null;
  });

  it("keeps every message and id, drops the text of sent verifications, allows SKIPPED, and reverts", async () => {
    const db = await Database.open({ databaseUrl: url });
    try {
      expect(await db.migrate()).to.deep.equal(FROM_MAIL_MIGRATION);
      const rows = await db.read((m) => m.find(NotificationDelivery, { order: { sequence: "ASC" } }));
      expect(rows.map((row) => [row.sequence, row.state, row.skipReason, row.tokenNonce])).to.deep.equal([
        [1, "SENT", null, null],
        [2, "PENDING", null, null],
      ]);
      expect(rows[0]!.body).to.not.include(LEGACY_TOKEN);
      expect(rows[1]!.body, "an unsent message still needs its token").to.include(LEGACY_TOKEN);
      const skippedRow = (skipReason: DeliverySkipReason | null) =>
        db.write((m) =>
          m.save(
            NotificationDelivery,
            m.create(NotificationDelivery, { ...rows[1]!, sequence: undefined, state: DeliveryState.SKIPPED, skipReason }),
          ),
        );
      const refused = await skippedRow(null).then(
        () => null,
        (error: Error) => error,
      );
      expect(refused?.message, "a skipped message says why").to.match(/CHK_outbox_messages_skip_reason|constraint/i);
      expect((await skippedRow(DeliverySkipReason.NEVER_SIGNED_IN)).sequence).to.be.greaterThan(3);

      // Sending the message queued before the migration delivers its token, then forgets the text.
      const file = path.join(os.tmpdir(), `cp-mail-migration-${process.pid}.log`);
      const worker = new DeliveryWorker(db, logFileTransport(file, "contact-points <no-reply@test.example>"), {
        pollMs: 20,
        maxAttempts: 1,
        retryBaseMs: 10,
        tokens: new VerificationTokens("any secret"),
      });
      expect(await worker.runOnce()).to.equal(1);
      expect(fs.readFileSync(file, "utf8")).to.include(`    ${LEGACY_TOKEN}`);
      fs.rmSync(file, { force: true });
      const sent = await db.read((m) => m.findOneByOrFail(NotificationDelivery, { sequence: 2 }));
      expect(sent.state).to.equal(DeliveryState.SENT);
      expect(sent.body).to.not.include(LEGACY_TOKEN);

      for (const _ of FROM_MAIL_MIGRATION) await db.dataSource.undoLastMigration({ transaction: "each" });
      const [state] = await db.read((m) => m.query(`SELECT COUNT(*) AS "count" FROM "outbox_messages"`));
      expect(Number(state.count)).to.equal(2);
      expect(await db.migrate()).to.deep.equal(FROM_MAIL_MIGRATION);
    } finally {
      await db.close();
    }
  });
});
