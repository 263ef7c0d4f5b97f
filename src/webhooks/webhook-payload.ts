import type { Database } from "../database";
import { kindsOf, type AccountEvent, type AccountEventKind } from "../events/account-event.entity";
import { globalId } from "../common/global-id";
import { usersByIds } from "../users/user.queries";
import { historyOfEvent } from "./webhook.queries";

/** A user as a payload shows one: the global id the API gives, and the address. */
interface PayloadUser {
  id: string;
  email: string;
}

/** The body of a delivery: Standard Webhooks' `type`, `timestamp` and `data`. */
export interface WebhookPayload {
  type: AccountEventKind;
  timestamp: string;
  data: {
    accountId: string;
    sequence: number;
    contactsVersion: number;
    kinds: AccountEventKind[];
    changedBy: ({ __typename: "User" } & PayloadUser) | { __typename: "ExternalContact"; email: string } | null;
    changes: Record<string, unknown>[];
    memberChanges: Record<string, unknown>[];
    settingChanges: Record<string, unknown>[];
  };
}

/**
 * What an event is, in the API's words: its header from the change log and the history rows it heads
 * (contact, member and setting changes), with the fields and global ids the GraphQL API gives them.
 * Read when the delivery is made, from the rows the change committed: the same on every attempt.
 */
export async function eventData(db: Database, event: AccountEvent): Promise<Omit<WebhookPayload, "type">> {
  const { contactChanges, memberChanges, settingChanges } = await historyOfEvent(db, event.accountId, event.sequence);
  const userIds = new Set<string>();
  const note = (id: string | null) => id !== null && userIds.add(id);
  note(event.actorId);
  for (const change of contactChanges) [change.actorId, change.previousUserId, change.newUserId].forEach(note);
  for (const change of memberChanges) [change.actorId, change.memberId].forEach(note);
  for (const change of settingChanges) note(change.actorId);
  const users = new Map((userIds.size ? await usersByIds(db, [...userIds]) : []).map((user) => [user.id, user]));
  const user = (id: string | null): PayloadUser | null => {
    const found = id === null ? undefined : users.get(id);
    return found ? { id: globalId("User", found.id), email: found.email } : null;
  };
  const actor = user(event.actorId);
  return {
    timestamp: event.at.toISOString(),
    data: {
      accountId: globalId("Account", event.accountId),
      sequence: event.sequence,
      contactsVersion: event.contactsVersion,
      kinds: kindsOf(event),
      changedBy: actor
        ? { __typename: "User", ...actor }
        : event.actorEmail !== null
          ? { __typename: "ExternalContact", email: event.actorEmail }
          : null,
      changes: contactChanges.map((change) => ({
        id: globalId("ContactChange", change.sequence),
        at: change.at.toISOString(),
        version: change.version,
        slot: change.slot,
        action: change.action,
        previousEmail: change.previousEmail,
        newEmail: change.newEmail,
        previousUser: user(change.previousUserId),
        newUser: user(change.newUserId),
      })),
      memberChanges: memberChanges.map((change) => ({
        id: globalId("MemberChange", change.sequence),
        at: change.at.toISOString(),
        email: change.email,
        action: change.action,
        previousRole: change.previousRole,
        newRole: change.newRole,
        actor: user(change.actorId),
      })),
      settingChanges: settingChanges.map((change) => ({
        id: globalId("AccountSettingChange", change.sequence),
        at: change.at.toISOString(),
        setting: change.setting,
        previousValue: change.previousValue,
        newValue: change.newValue,
        actor: user(change.actorId),
      })),
    },
  };
}
