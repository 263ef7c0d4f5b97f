/*
 * The database invariants (a primary contact who is a member, at most three billing contacts who
 * are members, one holder per role), checked with SQL against the tables themselves, and the
 * history check: replaying every account's contact changes from the first gives exactly the
 * contact slots it has now, and each change's `previousEmail` is what the slot held before it.
 */

import sqlite3 from "sqlite3";
import { CONTACT_ROLE_ORDER } from "../../src/contacts/contact.enums";

export type SqlQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** Opens the SQLite file as the server left it (recovering its WAL) and runs `work` against it. */
export async function withSqliteFile<T>(file: string, work: (query: SqlQuery) => Promise<T>): Promise<T> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(opened)));
  });
  const query: SqlQuery = (sql) =>
    new Promise((resolve, reject) => db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows as Record<string, unknown>[]))));
  try {
    return await work(query);
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

export interface InvariantReport {
  accounts: number;
  historyRows: number;
  problems: string[];
}

interface SlotState {
  primary: string | null;
  billing: string[];
  roles: Record<string, string>;
}

const ROLE_SLOTS: readonly string[] = CONTACT_ROLE_ORDER;

export async function checkContactInvariants(query: SqlQuery): Promise<InvariantReport> {
  const problems: string[] = [];
  // Every slot is a row of contact_slots; a member's row carries that member's address.
  const slots = `SELECT s."accountId", s."slot", s."position", s."email", s."userId", u."email" AS "userEmail",
      (SELECT COUNT(*) FROM "account_members" m WHERE m."accountId" = s."accountId" AND m."userId" = s."userId") AS "isMember"
    FROM "contact_slots" s LEFT JOIN "users" u ON u."id" = s."userId"`;
  type SlotRow = {
    accountId: string;
    slot: string;
    position: number;
    email: string;
    userId: string | null;
    userEmail: string | null;
    isMember: number | string;
  };
  const primaries = (await query(`SELECT * FROM (${slots}) p WHERE p."slot" = 'PRIMARY'`)) as SlotRow[];
  const accounts = ((await query(`SELECT a."id" FROM "accounts" a`)) as { id: string }[]).map((account) => {
    const found = primaries.filter((row) => row.accountId === account.id);
    if (found.length > 1) problems.push(`${account.id}: ${found.length} primary contacts`);
    return { id: account.id, primaryEmail: found[0]?.userEmail ?? null, primaryIsMember: found[0]?.isMember ?? 0 };
  });
  const billing = (await query(`SELECT * FROM (${slots}) b WHERE b."slot" = 'BILLING' ORDER BY b."accountId", b."position"`)) as SlotRow[];
  const roles = ((await query(`SELECT * FROM (${slots}) r WHERE r."slot" NOT IN ('PRIMARY', 'BILLING')`)) as SlotRow[]).map((row) => ({
    ...row,
    role: row.slot,
  }));
  for (const row of [...primaries, ...billing, ...roles]) {
    if (row.userId !== null && row.email !== row.userEmail)
      problems.push(`${row.accountId}: ${row.slot} row holds ${row.email}, its member's address is ${row.userEmail}`);
  }
  const history = (await query(
    `SELECT "id", "accountId", "slot", "action", "previousEmail", "newEmail" FROM "contact_changes" ORDER BY "id"`,
  )) as {
    id: number;
    accountId: string;
    slot: string;
    action: string;
    previousEmail: string | null;
    newEmail: string | null;
  }[];

  const actual = new Map<string, SlotState>();
  for (const account of accounts) {
    if (!account.primaryEmail) problems.push(`${account.id}: no primary contact`);
    if (Number(account.primaryIsMember) !== 1) problems.push(`${account.id}: primary contact is not a member`);
    actual.set(account.id, { primary: account.primaryEmail, billing: [], roles: {} });
  }
  for (const row of billing) {
    const state = actual.get(row.accountId);
    if (!state) {
      problems.push(`${row.accountId}: billing contact of a missing account`);
      continue;
    }
    if (Number(row.isMember) !== 1) problems.push(`${row.accountId}: billing contact ${row.email} is not a member`);
    if (Number(row.position) !== state.billing.length) problems.push(`${row.accountId}: billing positions have a gap at ${row.position}`);
    if (state.billing.includes(row.email)) problems.push(`${row.accountId}: ${row.email} is a billing contact twice`);
    state.billing.push(row.email);
  }
  for (const [id, state] of actual) if (state.billing.length > 3) problems.push(`${id}: ${state.billing.length} billing contacts`);
  for (const row of roles) {
    const state = actual.get(row.accountId);
    if (!state) {
      problems.push(`${row.accountId}: role contact of a missing account`);
      continue;
    }
    if (row.role in state.roles) problems.push(`${row.accountId}: two ${row.role} contacts`);
    if (row.userId !== null && Number(row.isMember) !== 1)
      problems.push(`${row.accountId}: ${row.role} contact ${row.email} is not a member`);
    if (row.userId === null && row.role !== "SECURITY") problems.push(`${row.accountId}: external ${row.role} contact`);
    state.roles[row.role] = row.email;
  }

  const replayed = new Map<string, SlotState>();
  for (const change of history) {
    const state = replayed.get(change.accountId) ?? { primary: null, billing: [], roles: {} };
    replayed.set(change.accountId, state);
    const where = `${change.accountId} change ${change.id}`;
    if (change.slot === "PRIMARY" && change.action === "SET") {
      if (change.previousEmail !== state.primary)
        problems.push(`${where}: primary was ${state.primary}, history says ${change.previousEmail}`);
      state.primary = change.newEmail;
    } else if (change.slot === "BILLING" && change.action === "ADD") {
      if (state.billing.includes(change.newEmail!)) problems.push(`${where}: adds billing contact ${change.newEmail} twice`);
      state.billing.push(change.newEmail!);
    } else if (change.slot === "BILLING" && change.action === "REMOVE") {
      if (!state.billing.includes(change.previousEmail!))
        problems.push(`${where}: removes ${change.previousEmail}, who was not a billing contact`);
      state.billing = state.billing.filter((email) => email !== change.previousEmail);
    } else if (ROLE_SLOTS.includes(change.slot) && (change.action === "SET" || change.action === "CLEAR")) {
      const before = state.roles[change.slot] ?? null;
      if (change.previousEmail !== before) problems.push(`${where}: ${change.slot} was ${before}, history says ${change.previousEmail}`);
      if (change.action === "SET") state.roles[change.slot] = change.newEmail!;
      else delete state.roles[change.slot];
    } else if (ROLE_SLOTS.includes(change.slot) && change.action === "DECLINED") {
      const holder = state.roles[change.slot] ?? null;
      if (change.previousEmail !== holder || change.newEmail !== holder)
        problems.push(`${where}: ${change.slot} held by ${holder} declined as ${change.previousEmail}`);
    } else if (change.action === "DETAILS") {
      // A phone or title changed: the contact stays, so it must be the slot's contact as replayed.
      const holders =
        change.slot === "PRIMARY" ? [state.primary] : change.slot === "BILLING" ? state.billing : [state.roles[change.slot] ?? null];
      if (change.previousEmail !== change.newEmail || !holders.includes(change.newEmail))
        problems.push(`${where}: details of ${change.newEmail}, who does not hold ${change.slot}`);
    } else {
      problems.push(`${where}: unknown change ${change.slot} ${change.action}`);
    }
  }
  for (const [id, state] of actual) {
    const replay = replayed.get(id) ?? { primary: null, billing: [], roles: {} };
    const sortRoles = (roles: Record<string, string>) => JSON.stringify(Object.entries(roles).sort());
    if (replay.primary !== state.primary) problems.push(`${id}: history gives primary ${replay.primary}, the account has ${state.primary}`);
    if (JSON.stringify(replay.billing) !== JSON.stringify(state.billing)) {
      problems.push(`${id}: history gives billing ${replay.billing.join(",")}, the account has ${state.billing.join(",")}`);
    }
    if (sortRoles(replay.roles) !== sortRoles(state.roles))
      problems.push(`${id}: history gives roles ${sortRoles(replay.roles)}, the account has ${sortRoles(state.roles)}`);
  }
  for (const id of replayed.keys()) if (!actual.has(id)) problems.push(`${id}: history of a missing account`);
  problems.push(...(await checkChangeLog(query)));
  return { accounts: accounts.length, historyRows: history.length, problems };
}

/**
 * The change log against the history it heads: every history row belongs to an event of its account,
 * every event has history rows, each account's events are numbered 1, 2, 3… without a gap, and the
 * last one carries the account's contactsVersion.
 */
export async function checkChangeLog(query: SqlQuery): Promise<string[]> {
  const problems: string[] = [];
  const events = (await query(
    `SELECT "accountId", "sequence", "contactsVersion", "kinds" FROM "account_events" ORDER BY "accountId", "sequence"`,
  )) as {
    accountId: string;
    sequence: number;
    contactsVersion: number;
    kinds: string;
  }[];
  const known = new Set(events.map((event) => `${event.accountId}/${event.sequence}`));
  const headed = new Map<string, Set<string>>();
  for (const [table, kind] of [
    ["contact_changes", "account.contacts.changed"],
    ["member_changes", "account.members.changed"],
    ["account_setting_changes", "account.settings.changed"],
  ] as const) {
    const rows = (await query(`SELECT "id", "accountId", "eventSequence" FROM "${table}"`)) as {
      id: number;
      accountId: string;
      eventSequence: number | null;
    }[];
    for (const row of rows) {
      const key = `${row.accountId}/${row.eventSequence}`;
      if (row.eventSequence === null || !known.has(key)) problems.push(`${table} ${row.id}: belongs to no event (${key})`);
      else headed.set(key, (headed.get(key) ?? new Set()).add(kind));
    }
  }
  const versions = new Map(
    ((await query(`SELECT "id", "contactsVersion" FROM "accounts"`)) as { id: string; contactsVersion: number }[]).map((row) => [
      row.id,
      Number(row.contactsVersion),
    ]),
  );
  const last = new Map<string, { sequence: number; contactsVersion: number }>();
  for (const event of events) {
    const key = `${event.accountId}/${event.sequence}`;
    const expected = (last.get(event.accountId)?.sequence ?? 0) + 1;
    if (Number(event.sequence) !== expected) problems.push(`${key}: event after ${expected - 1}`);
    last.set(event.accountId, { sequence: Number(event.sequence), contactsVersion: Number(event.contactsVersion) });
    const kinds = [...(headed.get(key) ?? [])].sort().join(",");
    if (kinds !== event.kinds.split(",").sort().join(","))
      problems.push(`${key}: event says ${event.kinds}, its history rows are ${kinds || "none"}`);
  }
  for (const [accountId, event] of last) {
    if (versions.get(accountId) !== event.contactsVersion)
      problems.push(`${accountId}: last event has contactsVersion ${event.contactsVersion}, the account ${versions.get(accountId)}`);
  }
  return problems;
}
