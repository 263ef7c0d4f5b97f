// Another admin's changes, as they arrive (Subscription.accountChanged): what each one does to the form
// this user may be editing, what the screen says about it, and the history rows it adds. Plain
// functions, kept apart from React like form.ts, whose three-way merge they apply as soon as a change
// arrives instead of when Save is refused.
import type { SettingsAccountChangedSubscription, SettingsChangedByFragment, SettingsHistoryRowFragment } from "./gql/graphql";
import { ROLES, changesBetween, mergeForms, withSlots, type FormValues, type SlotKey } from "./form";

export type AccountChangedEvent = SettingsAccountChangedSubscription["accountChanged"];
export type HistoryRow = SettingsHistoryRowFragment;
/** Who made a change; null when the server names nobody. */
export type Actor = SettingsChangedByFragment | null;

/** The contacts as saved at one version: what a form's edits are measured from, and Save's expectedVersion. */
export interface Baseline {
  version: number;
  updatedAt: string;
  values: FormValues;
}

/** A slot another admin changed while this user had an unsaved edit of it, and who changed it. */
export interface Contested {
  slot: SlotKey;
  by: Actor;
}

/** The form: the saved contacts it starts from, the user's values, and the slots they must choose for. */
export interface FormState {
  baseline: Baseline;
  draft: FormValues;
  contested: Contested[];
}

const SLOT_ORDER: readonly SlotKey[] = ["PRIMARY", "BILLING", ...ROLES];

function slotsThatDiffer(a: FormValues, b: FormValues): Set<SlotKey> {
  return new Set(changesBetween(a, b, new Map()).map((change) => change.slot));
}

/**
 * The form after the contacts were saved elsewhere as `latest`: slots only the other admin changed take
 * their values, slots only this user changed keep this user's, and a slot both changed keeps this user's
 * value and is contested until they choose, named with who changed it (`by`, per slot). `baseline`
 * becomes `latest`, so the next Save sends its version. A version the form already has (its own save,
 * an older event) changes nothing.
 */
export function formAfterChange(state: FormState, latest: Baseline, by: (slot: SlotKey) => Actor): FormState {
  if (latest.version <= state.baseline.version) return state;
  const { merged, overlapping } = mergeForms(state.baseline.values, state.draft, latest.values);
  const draft = withSlots(merged, state.draft, overlapping);
  const next = { baseline: latest, draft, contested: [] as Contested[] };
  const earlier = state.contested.filter((entry) => !overlapping.includes(entry.slot));
  const contested = [...earlier, ...overlapping.map((slot) => ({ slot, by: by(slot) }))];
  return { ...next, contested: openContests({ ...next, contested }) };
}

/** The contested slots whose value the user has not made equal to the saved one since, in the form's order. */
export function openContests(state: FormState): Contested[] {
  const differ = slotsThatDiffer(state.baseline.values, state.draft);
  return state.contested.filter((entry) => differ.has(entry.slot)).sort((a, b) => SLOT_ORDER.indexOf(a.slot) - SLOT_ORDER.indexOf(b.slot));
}

/** "Keep mine": the user's values stay, unsaved, to be saved over the latest version. */
export function keepMine(state: FormState): FormState {
  return { ...state, contested: [] };
}

/** "Use theirs": the contested slots take the saved values; the user's other edits stay. */
export function useTheirs(state: FormState): FormState {
  const slots = state.contested.map((entry) => entry.slot);
  return { ...state, draft: withSlots(state.draft, state.baseline.values, slots), contested: [] };
}

/** What a change was about, in the order the screen names it. */
export interface ChangeSummary {
  sequence: number;
  at: string;
  by: Actor;
  /** The contact slots it changed, in the form's order; a slot this screen does not know comes last, as it is. */
  slots: string[];
  members: boolean;
  settings: boolean;
}

export function summaryOf(event: AccountChangedEvent): ChangeSummary {
  const slots = [...new Set(event.changes.map((change) => change.slot as string))];
  const rank = (slot: string) => {
    const index = (SLOT_ORDER as readonly string[]).indexOf(slot);
    return index < 0 ? SLOT_ORDER.length : index;
  };
  return {
    sequence: event.sequence,
    at: event.at,
    by: event.changedBy ?? null,
    slots: slots.sort((a, b) => rank(a) - rank(b)),
    members: event.memberChanges.length > 0 || event.kinds.includes("MEMBERS"),
    settings: event.settingChanges.length > 0 || event.kinds.includes("SETTINGS"),
  };
}

/**
 * History rows added since the panel was read (from saves and events), newest first: each row once,
 * by id, ordered by the version it produced; `incoming` is oldest first, as the API sends it.
 */
export function addRows(existing: readonly HistoryRow[], incoming: readonly HistoryRow[]): HistoryRow[] {
  const known = new Set(existing.map((row) => row.id));
  const fresh = [...incoming].reverse().filter((row) => !known.has(row.id) && known.add(row.id));
  const version = (row: HistoryRow) => row.version ?? -1;
  return [...fresh, ...existing].sort((a, b) => version(b) - version(a));
}

/** The rows the panel shows: those added since it was read, then the rows it read, each once. */
export function historyRows(added: readonly HistoryRow[], read: readonly HistoryRow[]): { rows: HistoryRow[]; addedCount: number } {
  const readIds = new Set(read.map((row) => row.id));
  const onlyAdded = added.filter((row) => !readIds.has(row.id));
  return { rows: [...onlyAdded, ...read], addedCount: onlyAdded.length };
}
