import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Webhook endpoints, each with its cursor into the account's change log (account_events), and the
 * record of every delivery attempt. No event is copied: the change log is the endpoints' outbox.
 */
export class Webhooks1797200000000 implements MigrationInterface {
  name = "Webhooks1797200000000";

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === "postgres";
    const ts = postgres ? "timestamp without time zone" : "datetime";
    const serial = postgres ? "SERIAL PRIMARY KEY" : "integer PRIMARY KEY AUTOINCREMENT NOT NULL";
    await queryRunner.query(`CREATE TABLE "webhook_endpoints" (
      "id" ${serial},
      "accountId" varchar(36) NOT NULL,
      "url" varchar(2048) NOT NULL,
      "description" varchar(500),
      "eventTypes" varchar(200) NOT NULL,
      "status" varchar(16) NOT NULL,
      "secret" varchar(100) NOT NULL,
      "previousSecret" varchar(100),
      "previousSecretUntil" ${ts},
      "secretRotatedAt" ${ts},
      "cursor" integer NOT NULL,
      "pendingAttempts" integer NOT NULL,
      "consecutiveFailures" integer NOT NULL,
      "failingSince" ${ts},
      "nextAttemptAt" ${ts},
      "leaseUntil" ${ts},
      "leaseToken" varchar(36),
      "lastError" varchar(32),
      "lastResponseStatus" integer,
      "lastDeliveryAt" ${ts},
      "disabledAt" ${ts},
      "createdById" varchar(36),
      "pausedReason" varchar(32),
      "createdAt" ${ts} NOT NULL,
      "updatedAt" ${ts} NOT NULL,
      CONSTRAINT "CHK_webhook_endpoints_status" CHECK ("status" IN ('ENABLED', 'PAUSED', 'DISABLED')),
      CONSTRAINT "CHK_webhook_endpoints_paused_reason" CHECK ("pausedReason" IN ('ADMIN', 'CREATOR_NO_LONGER_ADMIN')),
      CONSTRAINT "FK_webhook_endpoints_account" FOREIGN KEY ("accountId") REFERENCES "accounts" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_endpoints_account" ON "webhook_endpoints" ("accountId")`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_endpoints_due" ON "webhook_endpoints" ("status", "nextAttemptAt")`);
    await queryRunner.query(`CREATE TABLE "webhook_deliveries" (
      "id" ${serial},
      "endpointId" integer NOT NULL,
      "webhookId" varchar(64) NOT NULL,
      "eventType" varchar(40) NOT NULL,
      "eventSequence" integer NOT NULL,
      "attempt" integer NOT NULL,
      "status" varchar(16) NOT NULL,
      "responseStatus" integer,
      "error" varchar(32),
      "durationMs" integer NOT NULL,
      "at" ${ts} NOT NULL,
      "nextAttemptAt" ${ts},
      CONSTRAINT "CHK_webhook_deliveries_status" CHECK ("status" IN ('DELIVERED', 'FAILED')),
      CONSTRAINT "FK_webhook_deliveries_endpoint" FOREIGN KEY ("endpointId") REFERENCES "webhook_endpoints" ("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "IDX_webhook_deliveries_endpoint" ON "webhook_deliveries" ("endpointId", "id")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "webhook_deliveries"`);
    await queryRunner.query(`DROP TABLE "webhook_endpoints"`);
  }
}
