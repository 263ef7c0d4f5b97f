import type { EntityManager } from "typeorm";
import { AccountSetting, AccountSettingChange } from "./account-setting-change.entity";
import { changeRows, join, selectRows, sql, storedValue, type SqlSource } from "../common/sql";
import { eventSequence } from "../events/change-log.queries";
import { AccountEventKind } from "../events/account-event.entity";
import { contactDomainsValue } from "./contact-domains";

/** Each of these accounts' allowed contact domains, in alphabetical order; accounts without a list are left out. */
export async function contactDomainsOf(source: SqlSource, accountIds: readonly string[]): Promise<Map<string, string[]>> {
  const rows = await selectRows(
    source,
    sql`SELECT "accountId", "domain" FROM "account_contact_domains" WHERE "accountId" IN (${join(accountIds)}) ORDER BY "accountId", "domain"`,
  );
  const found = new Map<string, string[]>();
  for (const row of rows) {
    const accountId = row.accountId as string;
    found.set(accountId, [...(found.get(accountId) ?? []), row.domain as string]);
  }
  return found;
}

/** Replaces the account's list and records the change, in the transaction of the change (which holds the account's lock). */
export async function replaceContactDomains(
  manager: EntityManager,
  change: { accountId: string; actorId: string; at: Date; previous: readonly string[]; domains: readonly string[] },
): Promise<void> {
  await changeRows(manager, sql`DELETE FROM "account_contact_domains" WHERE "accountId" = ${change.accountId}`);
  for (const domain of change.domains) {
    await changeRows(manager, sql`INSERT INTO "account_contact_domains" ("accountId", "domain") VALUES (${change.accountId}, ${domain})`);
  }
  const at = storedValue(manager, AccountSettingChange, "at", change.at);
  const event = await eventSequence(manager, change.accountId, AccountEventKind.SETTINGS, { actorId: change.actorId });
  await changeRows(
    manager,
    sql`INSERT INTO "account_setting_changes" ("accountId", "at", "actorId", "setting", "previousValue", "newValue", "eventSequence")
        VALUES (${change.accountId}, ${at}, ${change.actorId}, ${AccountSetting.ALLOWED_CONTACT_DOMAINS}, ${contactDomainsValue(change.previous)},
          ${contactDomainsValue(change.domains)}, ${event})`,
  );
}
