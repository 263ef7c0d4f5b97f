import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Membership history: who joined, left, was removed or changed role, by whom and when. Memberships
 * that exist have no history before this; their `joinedAt` stays the record of when they began.
 */
export class MemberHistory1796950000000 implements MigrationInterface {
  name = "MemberHistory1796950000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    const serial = postgres ? "SERIAL PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT NOT NULL";
    await queryRunner.query(`CREATE TABLE "member_changes" (
      "id" ${serial},
      "accountId" varchar(36) NOT NULL,
      "at" ${ts} NOT NULL,
      "actorId" varchar(36) NOT NULL,
      "memberId" varchar(36) NOT NULL,
      "email" varchar(320) NOT NULL,
      "action" varchar(16) NOT NULL,
      "previousRole" varchar(16),
      "newRole" varchar(16),
      CONSTRAINT "CHK_member_changes_action" CHECK ("action" IN ('JOINED', 'ROLE_CHANGED', 'REMOVED', 'LEFT')),
      CONSTRAINT "CHK_member_changes_previous_role" CHECK ("previousRole" IN ('ADMIN', 'MEMBER')),
      CONSTRAINT "CHK_member_changes_new_role" CHECK ("newRole" IN ('ADMIN', 'MEMBER')),
      CONSTRAINT "FK_member_changes_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE,
      CONSTRAINT "FK_member_changes_actor" FOREIGN KEY ("actorId") REFERENCES "users" ("id"),
      CONSTRAINT "FK_member_changes_member" FOREIGN KEY ("memberId") REFERENCES "users" ("id")
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_member_changes_account_id" ON "member_changes" ("accountId", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "member_changes"`);
  }
}
