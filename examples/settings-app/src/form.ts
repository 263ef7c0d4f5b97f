// The settings form as plain values: read from an account, compared, and turned into the one
// `saveAccountContacts` input. Kept apart from React so the rules are easy to read in one place.
import type { ContactRoleKind, RoleContactEntryInput, SaveAccountContactsInput, SettingsAccountContactsFragment } from "./gql/graphql";

/**
 * The roles this screen shows, in ContactRoleKind order. A copy of the schema's enum on purpose: a
 * client is built against one schema and keeps working when the API adds a role (see `otherRoles`);
 * `satisfies` fails the type-check if a role listed here leaves the schema.
 */
export const ROLES = ["DECISION_MAKER", "IMPLEMENTATION", "SECURITY", "TECHNICAL_ADMIN"] as const satisfies readonly ContactRoleKind[];
export type KnownRole = (typeof ROLES)[number];

/**
 * The most billing contacts an account may have (the API answers BILLING_CONTACT_LIMIT past it). A copy
 * on purpose: the schema carries no constant, and the screen only uses it to stop offering a fourth row.
 */
export const BILLING_LIMIT = 3;

export type RoleValue = { kind: "nobody" } | { kind: "member"; userId: string } | { kind: "outside"; email: string };

export interface FormValues {
  primaryContactUserId: string;
  /** In the order added; "" is a row whose member is not chosen yet (left out when saving). */
  billingContactUserIds: string[];
  roles: Record<KnownRole, RoleValue>;
  /** Roles the API added after this screen was built: sent back as they are, so a save never clears them. */
  otherRoles: RoleContactEntryInput[];
}

/** Who is who, for showing a user id or an address: a member's name or address. */
export type PersonLabels = ReadonlyMap<string, string>;

function isKnownRole(role: string): role is KnownRole {
  return (ROLES as readonly string[]).includes(role);
}

export function formFromAccount(account: SettingsAccountContactsFragment): FormValues {
  const roles = Object.fromEntries(ROLES.map((role) => [role, { kind: "nobody" } as RoleValue])) as Record<KnownRole, RoleValue>;
  const otherRoles: RoleContactEntryInput[] = [];
  for (const contact of account.roleContacts) {
    const value: RoleValue = contact.user ? { kind: "member", userId: contact.user.id } : { kind: "outside", email: contact.email };
    if (isKnownRole(contact.role)) roles[contact.role] = value;
    else otherRoles.push(contact.user ? { role: contact.role, userId: contact.user.id } : { role: contact.role, email: contact.email });
  }
  return {
    primaryContactUserId: account.primaryContact.id,
    billingContactUserIds: account.billingContacts.map((user) => user.id),
    roles,
    otherRoles,
  };
}

/** Where each refusable field of the form sits in the input sent, so a refused `input.…` path finds its field. */
export type FieldKey = "primary" | `billing.${number}` | `role.${KnownRole}`;

export function saveInput(
  accountId: string,
  expectedVersion: number,
  values: FormValues,
): { input: SaveAccountContactsInput; fieldOf: (path: string) => FieldKey | null } {
  const billingRows = values.billingContactUserIds.map((userId, row) => ({ userId, row })).filter(({ userId }) => userId !== "");
  const roleContacts: { entry: RoleContactEntryInput; role: KnownRole | null }[] = [];
  for (const role of ROLES) {
    const value = values.roles[role];
    if (value.kind === "member") roleContacts.push({ entry: { role, userId: value.userId }, role });
    if (value.kind === "outside") roleContacts.push({ entry: { role, email: value.email.trim() }, role });
    // A role left out of the input stays as it is: clearing is said explicitly.
    if (value.kind === "nobody") roleContacts.push({ entry: { role, clear: true }, role });
  }
  for (const entry of values.otherRoles) roleContacts.push({ entry, role: null });
  const input: SaveAccountContactsInput = {
    accountId,
    expectedVersion,
    primaryContactUserId: values.primaryContactUserId,
    billingContactUserIds: billingRows.map(({ userId }) => userId),
    roleContacts: roleContacts.map(({ entry }) => entry),
  };
  const fieldOf = (path: string): FieldKey | null => {
    const parts = path.replace(/^input\./, "").split(".");
    if (parts[0] === "primaryContactUserId") return "primary";
    if (parts[0] === "billingContactUserIds") {
      const sent = billingRows[Number(parts[1])];
      return sent ? `billing.${sent.row}` : null;
    }
    if (parts[0] === "roleContacts") {
      const role = roleContacts[Number(parts[1])]?.role;
      return role ? `role.${role}` : null;
    }
    return null;
  };
  return { input, fieldOf };
}

/** Outside addresses left empty: the one thing checked before asking the server, which checks the rest. */
export function missingAddresses(values: FormValues): KnownRole[] {
  return ROLES.filter((role) => {
    const value = values.roles[role];
    return value.kind === "outside" && value.email.trim() === "";
  });
}

/** One slot that differs between two versions of the form, in words the screen can show. */
export interface SlotChange {
  slot: "PRIMARY" | "BILLING" | KnownRole;
  /** Who held the slot, by name or address; null when nobody did. */
  before: string | null;
  after: string | null;
}

function roleLabel(value: RoleValue, labels: PersonLabels): string | null {
  if (value.kind === "nobody") return null;
  if (value.kind === "outside") return value.email.trim().toLowerCase();
  return labels.get(value.userId) ?? value.userId;
}

function sameRole(a: RoleValue, b: RoleValue): boolean {
  if (a.kind === "member" && b.kind === "member") return a.userId === b.userId;
  if (a.kind === "outside" && b.kind === "outside") return a.email.trim().toLowerCase() === b.email.trim().toLowerCase();
  return a.kind === b.kind;
}

/** The slots that differ from `before` to `after`, in the form's order. */
export function changesBetween(before: FormValues, after: FormValues, labels: PersonLabels): SlotChange[] {
  const changes: SlotChange[] = [];
  const label = (userId: string) => labels.get(userId) ?? userId;
  if (before.primaryContactUserId !== after.primaryContactUserId) {
    changes.push({ slot: "PRIMARY", before: label(before.primaryContactUserId), after: label(after.primaryContactUserId) });
  }
  const billingBefore = before.billingContactUserIds.filter((id) => id !== "");
  const billingAfter = after.billingContactUserIds.filter((id) => id !== "");
  if (billingBefore.join() !== billingAfter.join()) {
    const list = (ids: string[]) => (ids.length ? ids.map(label).join(", ") : null);
    changes.push({ slot: "BILLING", before: list(billingBefore), after: list(billingAfter) });
  }
  for (const role of ROLES) {
    if (!sameRole(before.roles[role], after.roles[role])) {
      changes.push({ slot: role, before: roleLabel(before.roles[role], labels), after: roleLabel(after.roles[role], labels) });
    }
  }
  return changes;
}

/** Names for every user an account shows: its members, and whoever holds a slot. */
export function labelsFrom(
  account: SettingsAccountContactsFragment,
  members: readonly { displayName: string | null; user: { id: string; email: string; name: string | null } }[],
): Map<string, string> {
  const labels = new Map<string, string>();
  const users = [
    account.primaryContact,
    ...account.billingContacts,
    ...account.roleContacts.flatMap((contact) => (contact.user ? [contact.user] : [])),
  ];
  for (const user of users) labels.set(user.id, user.name ?? user.email);
  for (const member of members) labels.set(member.user.id, member.displayName ?? member.user.email);
  return labels;
}

/** A role this screen knows, from a value the API sent (which may be newer than the screen). */
export function knownRole(role: ContactRoleKind): KnownRole | null {
  return isKnownRole(role) ? role : null;
}

export type SlotKey = SlotChange["slot"];

/** `target` with the given slots taken from `source`. */
export function withSlots(target: FormValues, source: FormValues, slots: readonly SlotKey[]): FormValues {
  const next: FormValues = { ...target, roles: { ...target.roles } };
  for (const slot of slots) {
    if (slot === "PRIMARY") next.primaryContactUserId = source.primaryContactUserId;
    else if (slot === "BILLING") next.billingContactUserIds = source.billingContactUserIds.filter((id) => id !== "");
    else next.roles[slot] = source.roles[slot];
  }
  return next;
}

/**
 * A three-way merge of the form, slot by slot: what the user changed (`mine`) on top of what is saved
 * now (`theirs`), both measured from what the form was loaded with (`base`). A slot both changed to
 * different values is `overlapping`: only then is the user asked; `merged` keeps theirs for it.
 */
export function mergeForms(base: FormValues, mine: FormValues, theirs: FormValues): { merged: FormValues; overlapping: SlotKey[] } {
  const noLabels: PersonLabels = new Map();
  const changed = (from: FormValues, to: FormValues) => new Set(changesBetween(from, to, noLabels).map((change) => change.slot));
  const mineChanged = changed(base, mine);
  const theirsChanged = changed(base, theirs);
  const differ = changed(mine, theirs);
  const overlapping = [...mineChanged].filter((slot) => theirsChanged.has(slot) && differ.has(slot));
  const mineOnly = [...mineChanged].filter((slot) => !theirsChanged.has(slot));
  return { merged: withSlots(theirs, mine, mineOnly), overlapping };
}
