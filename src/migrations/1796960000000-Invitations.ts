import type { MigrationInterface, QueryRunner } from "typeorm";
import { replaceChecks } from "./support/constrained-table";

/**
 * Runs `work`, which rebuilds outbox_messages on SQLite, without letting SQLite hand out again the ids
 * of deleted messages: a delivery's id is its global id, which must never name another message.
 */
async function keepingIds(queryRunner: QueryRunner, work: () => Promise<void>): Promise<void> {
  if (queryRunner.connection.options.type === "postgres") return work();
  const [kept] = (await queryRunner.query(`SELECT "seq" FROM "sqlite_sequence" WHERE "name" = 'outbox_messages'`)) as { seq: number }[];
  await work();
  if (!kept) return;
  const [now] = (await queryRunner.query(`SELECT "seq" FROM "sqlite_sequence" WHERE "name" = 'outbox_messages'`)) as { seq: number }[];
  if (now)
    await queryRunner.query(`UPDATE "sqlite_sequence" SET "seq" = ? WHERE "name" = 'outbox_messages' AND "seq" < ?`, [kept.seq, kept.seq]);
  else await queryRunner.query(`INSERT INTO "sqlite_sequence" ("name", "seq") VALUES ('outbox_messages', ?)`, [kept.seq]);
}

/**
 * Membership with consent: a person added to an account is invited and becomes a member only when
 * they accept. Existing memberships stay as they are (accepted). The outbox gains INVITATION messages.
 * Reverting drops pending invitations, and the invitation messages with them.
 */
export class Invitations1796960000000 implements MigrationInterface {
  name = "Invitations1796960000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    const serial = postgres ? "SERIAL PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT NOT NULL";
    await queryRunner.query(`CREATE TABLE "account_invitations" (
      "id" ${serial},
      "accountId" varchar(36) NOT NULL,
      "userId" varchar(36) NOT NULL,
      "email" varchar(320) NOT NULL,
      "role" varchar(16) NOT NULL,
      "nameGivenByAdmin" varchar(200),
      "invitedById" varchar(36) NOT NULL,
      "invitedAt" ${ts} NOT NULL,
      "expiresAt" ${ts} NOT NULL,
      "tokenHash" varchar(64) NOT NULL,
      CONSTRAINT "CHK_account_invitations_role" CHECK ("role" IN ('ADMIN', 'MEMBER')),
      CONSTRAINT "FK_account_invitations_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
      CONSTRAINT "FK_account_invitations_user" FOREIGN KEY ("userId") REFERENCES "users" ("id"),
      CONSTRAINT "FK_account_invitations_inviter" FOREIGN KEY ("invitedById") REFERENCES "users" ("id")
    )`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_account_invitations_account_user" ON "account_invitations" ("accountId", "userId")`);
    await queryRunner.query(`CREATE INDEX "IDX_account_invitations_user" ON "account_invitations" ("userId")`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_account_invitations_token" ON "account_invitations" ("tokenHash")`);
    await keepingIds(queryRunner, () =>
      replaceChecks(queryRunner, "outbox_messages", { CHK_outbox_messages_kind: `"kind" IN ('VERIFICATION', 'TEST', 'INVITATION')` }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM "outbox_messages" WHERE "kind" = 'INVITATION'`);
    await keepingIds(queryRunner, () =>
      replaceChecks(queryRunner, "outbox_messages", { CHK_outbox_messages_kind: `"kind" IN ('VERIFICATION', 'TEST')` }),
    );
    await queryRunner.query(`DROP TABLE "account_invitations"`);
  }
}
