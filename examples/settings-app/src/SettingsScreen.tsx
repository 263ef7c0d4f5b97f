// The "Company information" page of one account: its contacts as a form with one Save, what needs
// attention, and the history. The form keeps the version it was loaded with, and Save sends it as
// `expectedVersion`. Changes other admins save arrive as they happen (Subscription.accountChanged):
// the form takes them into the slots this user has not edited and asks at once about a slot they have.
// A save over changes not seen yet is refused (VERSION_CONFLICT): the screen reads the account and the
// changes since its version, merges edits to different slots and saves again by itself, and asks the
// user only about a slot both changed.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useApolloClient, useMutation, useQuery, useSubscription } from "@apollo/client/react";
import { fieldProblem, problemsOf, type ApiProblem } from "./errors";
import {
  BILLING_LIMIT,
  ROLES,
  changesBetween,
  formFromAccount,
  mergeForms,
  withSlots,
  labelsFrom,
  missingAddresses,
  saveInput,
  type FieldKey,
  type FormValues,
  type KnownRole,
  type SlotKey,
  type PersonLabels,
  type RoleValue,
  type SlotChange,
} from "./form";
import { slotName, type FieldProblem } from "./i18n";
import type { SettingsAccountContactsFragment, SettingsPageQuery } from "./gql/graphql";
import {
  AccountChangedSubscription,
  ChangesSinceQuery,
  HistoryQuery,
  PageQuery,
  ResendVerificationMutation,
  SaveContactsMutation,
} from "./operations";
import type { ResumeContext } from "./apollo";
import {
  addRows,
  formAfterChange,
  keepMine as keepMineLive,
  openContests,
  summaryOf,
  useTheirs as useTheirsLive,
  type AccountChangedEvent,
  type Actor,
  type Baseline,
  type ChangeSummary,
  type FormState,
  type HistoryRow,
} from "./live";
import { ContestedNotice, RecentChanges } from "./LiveChanges";
import { useScreen } from "./screen";
import { ProblemList } from "./ProblemList";
import { HealthPanel } from "./HealthPanel";
import { actorName, HistoryPanel } from "./HistoryPanel";
import { PendingInvitations } from "./PendingInvitations";
import { ConflictNotice, type Conflict } from "./ConflictNotice";

type PageAccount = NonNullable<SettingsPageQuery["account"]>;

function baselineOf(account: SettingsAccountContactsFragment): Baseline {
  return { version: account.contactsVersion, updatedAt: account.updatedAt, values: formFromAccount(account) };
}

export interface MemberOption {
  userId: string;
  label: string;
  email: string;
}

function memberOptions(account: PageAccount): MemberOption[] {
  return account.members.edges.map(({ node }) => ({
    userId: node.user.id,
    label: node.displayName ?? node.user.email,
    email: node.user.email,
  }));
}

/** The newest changes others made while the screen is open, shown at the top. */
const RECENT_CHANGES = 3;

export function SettingsScreen({ accountId, viewerId }: { accountId: string; viewerId: string }) {
  const { messages, signOut } = useScreen();
  const client = useApolloClient();
  const { data, error, fetchMore } = useQuery(PageQuery, { variables: { accountId } });
  const account = data?.account ?? null;
  const [form, setForm] = useState<FormState | null>(null);
  const baseline = form?.baseline ?? null;
  const draft = form?.draft ?? null;
  const setBaseline = (next: Baseline) => setForm((state) => (state ? { ...state, baseline: next } : state));
  const setDraft = (next: FormValues) => setForm((state) => (state ? { ...state, draft: next } : state));
  /** History rows written since the panel read the history, from saves and live events. */
  const [addedRows, setAddedRows] = useState<HistoryRow[]>([]);
  const addHistory = useCallback((rows: readonly HistoryRow[]) => setAddedRows((existing) => addRows(existing, rows)), []);
  const [recent, setRecent] = useState<ChangeSummary[]>([]);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [fieldProblems, setFieldProblems] = useState<ReadonlyMap<FieldKey, FieldProblem>>(new Map());
  const [saved, setSaved] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  /** After a save merged with changes made elsewhere: who made them, and what they were. */
  const [mergedWith, setMergedWith] = useState<{ actors: string[]; theirs: SlotChange[] } | null>(null);
  const [save, { loading: saving }] = useMutation(SaveContactsMutation);
  const loadProblems = useMemo(() => (error ? problemsOf(error) : []), [error]);

  // The form starts from the account as first loaded; later cache updates move it only through a save
  // or a live event, which merge them with the user's edits.
  useEffect(() => {
    if (account && !form) {
      const loaded = baselineOf(account);
      setForm({ baseline: loaded, draft: loaded.values, contested: [] });
    }
  }, [account, form]);

  // Live updates, from the event the page was read at; after a lost connection the subscription
  // resumes after the last event seen (apollo.ts, ResumeContext).
  const [liveFrom, setLiveFrom] = useState<number | null>(null);
  const lastSequence = useRef(0);
  /** Who last changed each slot, from the events seen: a contested slot names them. */
  const slotActors = useRef(new Map<string, Actor>());
  /** The last event the screen has taken in, shown as data-event-sequence for whoever debugs it. */
  const [seen, setSeen] = useState<number | null>(null);
  useEffect(() => {
    if (account && liveFrom === null) {
      lastSequence.current = account.eventSequence;
      setSeen(account.eventSequence);
      setLiveFrom(account.eventSequence);
    }
  }, [account, liveFrom]);
  /** While a save is under way, or its conflict waits for the user, changes that arrive wait too. */
  const holding = useRef(false);
  const held = useRef<{ latest: Baseline; by: (slot: SlotKey) => Actor }[]>([]);
  const applyChange = useCallback((latest: Baseline, by: (slot: SlotKey) => Actor) => {
    if (holding.current) held.current.push({ latest, by });
    else setForm((state) => (state ? formAfterChange(state, latest, by) : state));
  }, []);
  const release = () => {
    holding.current = false;
    const waiting = held.current;
    held.current = [];
    if (waiting.length > 0)
      setForm((state) =>
        waiting.reduce<FormState | null>((current, { latest, by }) => (current ? formAfterChange(current, latest, by) : current), state),
      );
  };

  /**
   * Too many events were missed to send them again: read the account and the history again. The
   * subscription goes on after the sequence the event carries, and after a lost connection from there.
   */
  const reload = useCallback(async () => {
    try {
      const [fresh] = await Promise.all([
        client.query({ query: PageQuery, variables: { accountId }, fetchPolicy: "network-only" }),
        client.refetchQueries({ include: [HistoryQuery] }),
      ]);
      const now = fresh.data?.account;
      if (!now) return;
      setAddedRows([]);
      applyChange(baselineOf(now), (slot) => slotActors.current.get(slot) ?? null);
      lastSequence.current = Math.max(lastSequence.current, now.eventSequence);
      setSeen(lastSequence.current);
    } catch (thrown) {
      setProblems(problemsOf(thrown));
    }
  }, [client, accountId, applyChange]);

  const onEvent = useCallback(
    (event: AccountChangedEvent) => {
      if (event.reloadRequired) {
        void reload();
        return;
      }
      // A replay after reconnecting may repeat what was already seen.
      if (event.sequence <= lastSequence.current) return;
      lastSequence.current = event.sequence;
      setSeen(event.sequence);
      addHistory(event.changes);
      const summary = summaryOf(event);
      const byViewer = event.changedBy?.__typename === "User" && event.changedBy.id === viewerId;
      if (!byViewer) setRecent((shown) => [summary, ...shown].slice(0, RECENT_CHANGES));
      for (const slot of summary.slots) slotActors.current.set(slot, event.changedBy ?? null);
      // `account` is the account as it is now: when events are sent again after a reconnect, only the
      // one that produced its contactsVersion moves the form, once the events before it named their slots.
      if (event.contactsVersion === event.account.contactsVersion) {
        applyChange(baselineOf(event.account), (slot) => slotActors.current.get(slot) ?? event.changedBy ?? null);
      }
      // The pickers list members: read them again when they changed.
      if (summary.members) void client.refetchQueries({ include: [PageQuery] });
    },
    [addHistory, applyChange, client, reload, viewerId],
  );

  const resume: ResumeContext = {
    resume: {
      variable: "afterSequence",
      cursorOf: (result) => (result as { accountChanged?: { sequence: number } } | null)?.accountChanged?.sequence ?? null,
    },
  };
  const live = useSubscription(AccountChangedSubscription, {
    variables: { accountId, afterSequence: liveFrom },
    skip: liveFrom === null,
    context: resume,
    onData: ({ data: result }) => {
      if (result.data) onEvent(result.data.accountChanged);
    },
  });
  const liveProblems = useMemo(() => (live.error ? problemsOf(live.error) : []), [live.error]);
  const unauthenticated = [...loadProblems, ...problems, ...liveProblems].find((problem) => problem.code === "UNAUTHENTICATED");
  useEffect(() => {
    if (unauthenticated) signOut(unauthenticated);
  }, [unauthenticated, signOut]);

  // A picker must offer every member: read the remaining pages, 100 at a time.
  const membersPage = account?.members.pageInfo;
  useEffect(() => {
    if (membersPage?.hasNextPage && membersPage.endCursor) void fetchMore({ variables: { membersAfter: membersPage.endCursor } });
  }, [membersPage?.hasNextPage, membersPage?.endCursor, fetchMore]);

  const members = useMemo(() => (account ? memberOptions(account) : []), [account]);
  const labels = useMemo(
    () =>
      account
        ? labelsFrom(
            account,
            account.members.edges.map((edge) => edge.node),
          )
        : new Map<string, string>(),
    [account],
  );
  // The history and the health name people by address: show a member's name where one is known.
  const personOf = useMemo(() => {
    const names = new Map(members.map((member) => [member.email, member.label]));
    return (email: string) => names.get(email) ?? email;
  }, [members]);

  if (loadProblems.length > 0 && !account) return <ProblemList problems={loadProblems} />;
  if (data && !account) return <ProblemList problems={[{ code: "NOT_FOUND" }]} />;
  if (!account || !form || !baseline || !draft) return <p className="loading">{messages.loading}</p>;

  const canEdit = account.viewerCanAdminister;
  const unsaved = changesBetween(baseline.values, draft, labels);
  const contested = openContests(form);

  const edit = (next: FormValues) => {
    setDraft(next);
    setSaved(false);
    setProblems([]);
    setFieldProblems(new Map());
  };

  /**
   * After VERSION_CONFLICT: reads the account as it is now and the changes since the form's version.
   * Edits to different slots are merged and saved again (at most a few rounds, as others may keep
   * saving); a slot both changed is put to the user. True when the user was asked.
   */
  const resolveConflict = async (from: Baseline, mine: FormValues, rounds: number): Promise<boolean> => {
    let fresh;
    let since;
    try {
      [fresh, since] = await Promise.all([
        client.query({ query: PageQuery, variables: { accountId }, fetchPolicy: "network-only" }),
        client.query({ query: ChangesSinceQuery, variables: { accountId, sinceVersion: from.version }, fetchPolicy: "network-only" }),
      ]);
    } catch (thrown) {
      setProblems(problemsOf(thrown));
      return false;
    }
    const now = fresh.data?.account;
    if (!now) {
      setProblems([{ code: "NOT_FOUND" }]);
      return false;
    }
    const allLabels = new Map([
      ...labels,
      ...labelsFrom(
        now,
        now.members.edges.map((edge) => edge.node),
      ),
    ]);
    const actors = [...new Set((since.data?.account?.contactHistory.nodes ?? []).map((change) => actorName(change.changedBy, personOf)))];
    const latest = baselineOf(now);
    const { merged, overlapping } = mergeForms(from.values, mine, latest.values);
    const theirs = changesBetween(from.values, latest.values, allLabels);
    if (overlapping.length === 0 && rounds > 0) {
      setBaseline(latest);
      setDraft(merged);
      return submit(latest, merged, rounds - 1, { actors, theirs });
    }
    const both = (changes: SlotChange[]) => changes.filter((change) => overlapping.includes(change.slot));
    setBaseline(latest);
    setDraft(merged);
    setConflict({
      theirs: both(theirs),
      yours: both(changesBetween(from.values, mine, allLabels)),
      actors,
      latest,
      merged,
      mine,
      overlapping,
    });
    return true;
  };

  /**
   * Saves `values` over `from`; `merged` says what others changed that this save was merged with.
   * True when a conflict was put to the user.
   */
  const submit = async (
    from: Baseline,
    values: FormValues,
    rounds: number,
    merged: { actors: string[]; theirs: SlotChange[] } | null,
  ): Promise<boolean> => {
    const { input, fieldOf } = saveInput(account.id, from.version, values);
    let failure: unknown = null;
    try {
      const result = await save({ variables: { input }, errorPolicy: "all" });
      const payload = result.data?.saveAccountContacts;
      if (result.error || !payload) failure = result.error ?? new Error("No account in the answer");
      else {
        const next = baselineOf(payload.account);
        setForm({ baseline: next, draft: next.values, contested: [] });
        // The rows this save wrote go to the top of the history, which is not read again.
        addHistory(payload.changes);
        setFieldProblems(new Map());
        setMergedWith(merged);
        setSaved(true);
        return false;
      }
    } catch (thrown) {
      failure = thrown;
    }
    const found = problemsOf(failure);
    if (found.some((problem) => problem.code === "VERSION_CONFLICT")) {
      return resolveConflict(from, values, rounds);
    }
    const byField = new Map<FieldKey, FieldProblem>();
    for (const problem of found) {
      const key = problem.field ? fieldOf(problem.field) : null;
      if (key && problem.field) byField.set(key, fieldProblem(problem.field));
    }
    setFieldProblems(byField);
    setProblems(found);
    return false;
  };

  /** Runs a save; live changes wait until it ends, or until the user resolves the conflict it raised. */
  const whileSaving = async (run: () => Promise<boolean>) => {
    holding.current = true;
    let asked = false;
    try {
      asked = await run();
    } finally {
      if (!asked) release();
    }
  };

  const onSave = async () => {
    setProblems([]);
    setSaved(false);
    setMergedWith(null);
    const missing = missingAddresses(draft);
    if (missing.length > 0) {
      setFieldProblems(new Map(missing.map((role) => [`role.${role}` as FieldKey, "addressRequired" as FieldProblem])));
      return;
    }
    await whileSaving(() => submit(baseline, draft, MERGE_ROUNDS, null));
  };

  /** The user keeps their values for the slots both changed: saved over the contacts as they are now. */
  const keepMine = async () => {
    if (!conflict) return;
    const values = withSlots(conflict.merged, conflict.mine, conflict.overlapping);
    setConflict(null);
    setDraft(values);
    await whileSaving(() => submit(conflict.latest, values, MERGE_ROUNDS, { actors: conflict.actors, theirs: [] }));
  };

  /** The user takes the other values for the slots both changed; their other edits stay in the form, unsaved. */
  const useTheirs = () => {
    if (!conflict) return;
    setBaseline(conflict.latest);
    setDraft(conflict.merged);
    setConflict(null);
    setProblems([]);
    setFieldProblems(new Map());
    release();
  };

  const fieldText = (key: FieldKey) => {
    const problem = fieldProblems.get(key);
    return problem ? messages.fields[problem] : null;
  };

  return (
    <>
      <div className="layout" data-event-sequence={seen ?? undefined}>
        <form
          className="contacts"
          onSubmit={(event) => {
            event.preventDefault();
            void onSave();
          }}
          noValidate
        >
          <h2 className="account-name">{account.name}</h2>
          {!canEdit && <p className="notice">{messages.readOnly}</p>}
          <RecentChanges changes={recent} personOf={personOf} />
          {liveProblems.length > 0 && (
            <p className="live-stopped hint" data-code={liveProblems[0]!.code}>
              {messages.live.stopped}
            </p>
          )}
          {contested.length > 0 && (
            <ContestedNotice
              contested={contested}
              theirs={baseline.values}
              yours={draft}
              labels={labels}
              personOf={personOf}
              onKeepMine={() => setForm((state) => (state ? keepMineLive(state) : state))}
              onUseTheirs={() => setForm((state) => (state ? useTheirsLive(state) : state))}
            />
          )}
          {conflict && <ConflictNotice conflict={conflict} onKeepMine={() => void keepMine()} onUseTheirs={useTheirs} />}
          {saved && mergedWith && mergedWith.theirs.length > 0 && <MergedNotice merged={mergedWith} />}
          {!conflict && <ProblemList problems={problems} />}

          <PrimarySection
            draft={draft}
            members={members}
            labels={labels}
            disabled={!canEdit}
            problem={fieldText("primary")}
            onChange={edit}
          />
          <BillingSection
            draft={draft}
            members={members}
            labels={labels}
            disabled={!canEdit}
            problemOf={(row) => fieldText(`billing.${row}`)}
            onChange={edit}
          />
          <OtherContactsSection
            account={account}
            draft={draft}
            saved={baseline.values}
            members={members}
            labels={labels}
            disabled={!canEdit}
            problemOf={(role) => fieldText(`role.${role}`)}
            onChange={edit}
            onHistory={addHistory}
          />

          {canEdit && (
            <div className="save-bar">
              <span className="status" aria-live="polite">
                {saved ? messages.saved : unsaved.length > 0 ? messages.unsaved(unsaved.length) : ""}
              </span>
              <button type="button" disabled={unsaved.length === 0 || saving} onClick={() => edit(baseline.values)}>
                {messages.discard}
              </button>
              <button
                type="submit"
                className="primary"
                disabled={unsaved.length === 0 || saving || conflict !== null || contested.length > 0}
              >
                {saving ? messages.saving : messages.save}
              </button>
            </div>
          )}
        </form>
        <aside>
          <HealthPanel account={account} personOf={personOf} />
          <ContactDetailsPanel account={account} />
          {canEdit && <PendingInvitations accountId={accountId} />}
        </aside>
      </div>
      <HistoryPanel accountId={accountId} added={addedRows} personOf={personOf} />
    </>
  );
}

/** The server asks an address that declined again at most once in this many days (resendContactVerification). */
const ASK_AGAIN_DAYS = 30;

/** How many times Save merges and tries again when others keep saving in between. */
const MERGE_ROUNDS = 3;

/** After a save merged with changes others made meanwhile: what those were, and who made them. */
function MergedNotice({ merged }: { merged: { actors: string[]; theirs: SlotChange[] } }) {
  const { messages } = useScreen();
  return (
    <div className="merged notice" role="status">
      <p>{messages.conflict.merged(merged.actors.join(", "))}</p>
      <ul className="theirs">
        {merged.theirs.map((change) => (
          <li key={change.slot}>
            {messages.change(slotName(messages, change.slot), change.before ?? messages.nobody, change.after ?? messages.nobody)}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface SectionProps {
  draft: FormValues;
  members: MemberOption[];
  labels: PersonLabels;
  disabled: boolean;
  onChange: (next: FormValues) => void;
}

/** Options for a picker: every member, plus the current choice if it is not (or no longer) among them. */
function MemberOptions({
  members,
  current,
  labels,
  exclude = [],
}: {
  members: MemberOption[];
  current: string;
  labels: PersonLabels;
  exclude?: string[];
}) {
  const { messages } = useScreen();
  const offered = members.filter((member) => member.userId === current || !exclude.includes(member.userId));
  const missing = current !== "" && !members.some((member) => member.userId === current);
  return (
    <>
      {missing && <option value={current}>{labels.get(current) ?? current}</option>}
      {offered.map((member) => (
        <option key={member.userId} value={member.userId}>
          {messages.member(member.label, member.email)}
        </option>
      ))}
    </>
  );
}

function FieldProblemText({ id, text }: { id: string; text: string | null }) {
  return text ? (
    <p id={id} className="field-problem">
      {text}
    </p>
  ) : null;
}

/** Each filled slot's phone and title, as saved. */
function ContactDetailsPanel({ account }: { account: PageAccount }) {
  const { messages } = useScreen();
  return (
    <section className="card" aria-labelledby="details-heading">
      <h3 id="details-heading">{messages.details.heading}</h3>
      <dl className="contact-details">
        {account.contacts.map((contact) => (
          <div key={`${contact.slot}-${contact.position}`} data-slot={contact.slot}>
            <dt>
              {contact.slot === "%future added value" ? contact.slot : messages.slots[contact.slot]} · {contact.email}
            </dt>
            <dd>
              {messages.details.phone}: {contact.phone ?? messages.details.none}; {messages.details.title}:{" "}
              {contact.title ?? messages.details.none}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function PrimarySection({ draft, members, labels, disabled, problem, onChange }: SectionProps & { problem: string | null }) {
  const { messages } = useScreen();
  return (
    <section className="card" aria-labelledby="primary-heading">
      <h3 id="primary-heading">{messages.slots.PRIMARY}</h3>
      <p className="hint">{messages.primary.description}</p>
      <select
        id="primary"
        aria-labelledby="primary-heading"
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? "primary-problem" : undefined}
        value={draft.primaryContactUserId}
        disabled={disabled}
        onChange={(event) => onChange({ ...draft, primaryContactUserId: event.target.value })}
      >
        <MemberOptions members={members} current={draft.primaryContactUserId} labels={labels} />
      </select>
      <FieldProblemText id="primary-problem" text={problem} />
    </section>
  );
}

function BillingSection({
  draft,
  members,
  labels,
  disabled,
  problemOf,
  onChange,
}: SectionProps & { problemOf: (row: number) => string | null }) {
  const { messages } = useScreen();
  const rows = draft.billingContactUserIds;
  const atLimit = rows.length >= BILLING_LIMIT;
  const setRows = (next: string[]) => onChange({ ...draft, billingContactUserIds: next });
  return (
    <section className="card" aria-labelledby="billing-heading">
      <h3 id="billing-heading">{messages.slots.BILLING}</h3>
      <p className="hint">{messages.billing.description}</p>
      {rows.length === 0 && <p className="empty">{messages.billing.none}</p>}
      <ol className="billing-rows">
        {rows.map((userId, row) => {
          const problem = problemOf(row);
          return (
            <li key={row}>
              <select
                aria-label={`${messages.slots.BILLING} ${row + 1}`}
                aria-invalid={problem ? true : undefined}
                aria-describedby={problem ? `billing-problem-${row}` : undefined}
                value={userId}
                disabled={disabled}
                onChange={(event) => setRows(rows.map((id, index) => (index === row ? event.target.value : id)))}
              >
                <option value="" disabled>
                  {messages.selectUser}
                </option>
                <MemberOptions members={members} current={userId} labels={labels} exclude={rows.filter((_, index) => index !== row)} />
              </select>
              {!disabled && (
                <button type="button" className="link" onClick={() => setRows(rows.filter((_, index) => index !== row))}>
                  {messages.remove}
                </button>
              )}
              <FieldProblemText id={`billing-problem-${row}`} text={problem} />
            </li>
          );
        })}
      </ol>
      {!disabled && (
        <div className="add-another">
          <button
            type="button"
            id="billing-add"
            disabled={atLimit}
            aria-describedby="billing-add-reason"
            onClick={() => setRows([...rows, ""])}
          >
            + {messages.billing.addAnother}
          </button>
          {/* Why the button is disabled, said next to it rather than only in a tooltip. */}
          <p id="billing-add-reason" className="hint">
            {atLimit ? messages.billing.limitReason(BILLING_LIMIT) : messages.billing.free(BILLING_LIMIT - rows.length)}
          </p>
        </div>
      )}
    </section>
  );
}

function OtherContactsSection({
  account,
  draft,
  saved,
  members,
  labels,
  disabled,
  problemOf,
  onChange,
  onHistory,
}: SectionProps & {
  account: PageAccount;
  saved: FormValues;
  problemOf: (role: KnownRole) => string | null;
  onHistory: (rows: readonly HistoryRow[]) => void;
}) {
  const { messages } = useScreen();
  return (
    <section className="card" aria-labelledby="others-heading">
      <h3 id="others-heading">{messages.others.heading}</h3>
      <p className="hint">{messages.others.description}</p>
      {ROLES.map((role) => (
        <RoleRow
          key={role}
          role={role}
          account={account}
          value={draft.roles[role]}
          saved={saved.roles[role]}
          members={members}
          labels={labels}
          disabled={disabled}
          problem={problemOf(role)}
          onChange={(value) => onChange({ ...draft, roles: { ...draft.roles, [role]: value } })}
          onHistory={onHistory}
        />
      ))}
    </section>
  );
}

function pickerValue(value: RoleValue): string {
  return value.kind === "member" ? value.userId : value.kind === "outside" ? "outside" : "";
}

function RoleRow({
  role,
  account,
  value,
  saved,
  members,
  labels,
  disabled,
  problem,
  onChange,
  onHistory,
}: {
  role: KnownRole;
  account: PageAccount;
  value: RoleValue;
  saved: RoleValue;
  members: MemberOption[];
  labels: PersonLabels;
  disabled: boolean;
  problem: string | null;
  onChange: (value: RoleValue) => void;
  onHistory: (rows: readonly HistoryRow[]) => void;
}) {
  const { messages } = useScreen();
  const id = `role-${role}`;
  const outsideAllowed = role === "SECURITY";
  const choose = (picked: string) => {
    if (picked === "") onChange({ kind: "nobody" });
    else if (picked === "outside") onChange({ kind: "outside", email: saved.kind === "outside" ? saved.email : "" });
    else onChange({ kind: "member", userId: picked });
  };
  return (
    <div className="role-row" data-role={role}>
      <label htmlFor={id}>{slotName(messages, role)}</label>
      <div className="role-inputs">
        <select
          id={id}
          value={pickerValue(value)}
          disabled={disabled}
          aria-invalid={problem && value.kind !== "outside" ? true : undefined}
          aria-describedby={problem ? `${id}-problem` : undefined}
          onChange={(event) => choose(event.target.value)}
        >
          <option value="">{messages.nobody}</option>
          <MemberOptions members={members} current={value.kind === "member" ? value.userId : ""} labels={labels} />
          {outsideAllowed && <option value="outside">{messages.others.outsideOption}</option>}
        </select>
        {value.kind === "outside" && (
          <input
            id={`${id}-email`}
            type="email"
            aria-label={`${slotName(messages, role)}: ${messages.others.outsideAddress}`}
            placeholder={messages.others.outsideAddress}
            autoComplete="off"
            value={value.email}
            disabled={disabled}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-problem` : undefined}
            onChange={(event) => onChange({ kind: "outside", email: event.target.value })}
          />
        )}
        {value.kind === "outside" && (
          <VerificationState role={role} account={account} email={value.email} canResend={!disabled} onHistory={onHistory} />
        )}
        <FieldProblemText id={`${id}-problem`} text={problem} />
      </div>
    </div>
  );
}

/** Whether the owner of an outside address has confirmed it, as the server knows it now. */
function VerificationState({
  role,
  account,
  email,
  canResend,
  onHistory,
}: {
  role: KnownRole;
  account: PageAccount;
  email: string;
  canResend: boolean;
  onHistory: (rows: readonly HistoryRow[]) => void;
}) {
  const { messages } = useScreen();
  const [resend, { loading }] = useMutation(ResendVerificationMutation);
  const [resent, setResent] = useState(false);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const contact = account.roleContacts.find((entry) => entry.role === role);
  const verification = contact?.isExternal && contact.email === email.trim().toLowerCase() ? contact.verification : null;
  if (!verification) {
    return (
      <p className="verification unsaved" data-state="UNSAVED">
        {messages.verification.afterSave}
      </p>
    );
  }
  const state = verification.state;
  // A refusal to ask a declined address again says when it may be asked next, in days.
  const bound =
    state === "DECLINED"
      ? problems.find((problem) => problem.code === "ADDRESS_DECLINED" && (problem.retryAfterSeconds ?? 0) > 86_400)
      : undefined;
  const tooSoon = bound ? Math.ceil(bound.retryAfterSeconds! / 86_400) : null;
  const label = state === "PENDING" || state === "VERIFIED" || state === "DECLINED" ? messages.verification[state] : state;
  const when =
    state === "VERIFIED" && verification.verifiedAt
      ? messages.verification.verified(messages.dateTime(verification.verifiedAt))
      : messages.verification.requested(messages.dateTime(verification.requestedAt));
  const sendAgain = async () => {
    setProblems([]);
    setResent(false);
    try {
      const result = await resend({ variables: { input: { accountId: account.id, role } }, errorPolicy: "all" });
      if (result.error) setProblems(problemsOf(result.error));
      else {
        // Asking a declined address again writes a history row: it goes to the top of the history.
        onHistory(result.data?.resendContactVerification?.changes ?? []);
        setResent(true);
      }
    } catch (thrown) {
      setProblems(problemsOf(thrown));
    }
  };
  return (
    <div className="verification" data-state={state}>
      <span className={`badge ${state.toLowerCase()}`}>{label}</span> <span className="hint">{when}</span>
      {state === "PENDING" && canResend && (
        <button type="button" className="link" disabled={loading} onClick={() => void sendAgain()}>
          {messages.verification.resend}
        </button>
      )}
      {state === "DECLINED" && canResend && (
        <>
          <button type="button" className="link ask-again" disabled={loading} onClick={() => void sendAgain()}>
            {messages.verification.askAgain}
          </button>
          <span className="hint"> {messages.verification.askAgainHint(ASK_AGAIN_DAYS)}</span>
        </>
      )}
      {resent && <span className="hint"> {messages.verification.resent}</span>}
      {tooSoon !== null ? (
        <p className="problem" data-code="ADDRESS_DECLINED">
          {messages.verification.askedAgainTooSoon(tooSoon)}
        </p>
      ) : (
        <ProblemList problems={problems} />
      )}
    </div>
  );
}
