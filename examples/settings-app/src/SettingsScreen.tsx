// The "Company information" page of one account: its contacts as a form with one Save, what needs
// attention, and the history. The form keeps the version it was loaded with, and Save sends it as
// `expectedVersion`. A save over changes made elsewhere is refused (VERSION_CONFLICT): the screen reads
// the account and the changes since its version, merges edits to different slots and saves again by
// itself, and asks the user only about a slot both changed.
import { useEffect, useMemo, useState } from "react";
import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
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
  type PersonLabels,
  type RoleValue,
  type SlotChange,
} from "./form";
import { slotName, type FieldProblem } from "./i18n";
import type { SettingsAccountContactsFragment, SettingsPageQuery } from "./gql/graphql";
import { ChangesSinceQuery, HistoryQuery, PageQuery, ResendVerificationMutation, SaveContactsMutation } from "./operations";
import { useScreen } from "./screen";
import { ProblemList } from "./ProblemList";
import { HealthPanel } from "./HealthPanel";
import { actorName, HistoryPanel } from "./HistoryPanel";
import { PendingInvitations } from "./PendingInvitations";
import { ConflictNotice, type Conflict } from "./ConflictNotice";

type PageAccount = NonNullable<SettingsPageQuery["account"]>;

/** What the form was loaded from: the version Save sends back, and the values to compare against. */
interface Baseline {
  version: number;
  updatedAt: string;
  values: FormValues;
}

function baselineOf(account: SettingsAccountContactsFragment): Baseline {
  return { version: account.contactsVersion, updatedAt: account.updatedAt, values: formFromAccount(account) };
}

export interface MemberOption {
  userId: string;
  label: string;
  email: string;
}

function memberOptions(account: PageAccount): MemberOption[] {
  return account.members.edges.map(({ node }) => ({ userId: node.user.id, label: node.displayName ?? node.user.email, email: node.user.email }));
}

export function SettingsScreen({ accountId }: { accountId: string }) {
  const { messages, signOut } = useScreen();
  const client = useApolloClient();
  const { data, error, fetchMore } = useQuery(PageQuery, { variables: { accountId } });
  const account = data?.account ?? null;
  const [baseline, setBaseline] = useState<Baseline | null>(null);
  const [draft, setDraft] = useState<FormValues | null>(null);
  const [problems, setProblems] = useState<ApiProblem[]>([]);
  const [fieldProblems, setFieldProblems] = useState<ReadonlyMap<FieldKey, FieldProblem>>(new Map());
  const [saved, setSaved] = useState(false);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  /** After a save merged with changes made elsewhere: who made them, and what they were. */
  const [mergedWith, setMergedWith] = useState<{ actors: string[]; theirs: SlotChange[] } | null>(null);
  const [save, { loading: saving }] = useMutation(SaveContactsMutation);

  const loadProblems = useMemo(() => (error ? problemsOf(error) : []), [error]);
  const unauthenticated = [...loadProblems, ...problems].find((problem) => problem.code === "UNAUTHENTICATED");
  useEffect(() => {
    if (unauthenticated) signOut(unauthenticated);
  }, [unauthenticated, signOut]);

  // The form starts from the account as first loaded; later cache updates do not move it (see Save).
  useEffect(() => {
    if (account && !baseline) {
      const loaded = baselineOf(account);
      setBaseline(loaded);
      setDraft(loaded.values);
    }
  }, [account, baseline]);

  // A picker must offer every member: read the remaining pages, 100 at a time.
  const membersPage = account?.members.pageInfo;
  useEffect(() => {
    if (membersPage?.hasNextPage && membersPage.endCursor) void fetchMore({ variables: { membersAfter: membersPage.endCursor } });
  }, [membersPage?.hasNextPage, membersPage?.endCursor, fetchMore]);

  const members = useMemo(() => (account ? memberOptions(account) : []), [account]);
  const labels = useMemo(() => (account ? labelsFrom(account, account.members.edges.map((edge) => edge.node)) : new Map<string, string>()), [account]);
  // The history and the health name people by address: show a member's name where one is known.
  const personOf = useMemo(() => {
    const names = new Map(members.map((member) => [member.email, member.label]));
    return (email: string) => names.get(email) ?? email;
  }, [members]);

  if (loadProblems.length > 0 && !account) return <ProblemList problems={loadProblems} />;
  if (data && !account) return <ProblemList problems={[{ code: "NOT_FOUND" }]} />;
  if (!account || !baseline || !draft) return <p className="loading">{messages.loading}</p>;

  const canEdit = account.viewerCanAdminister;
  const unsaved = changesBetween(baseline.values, draft, labels);

  const edit = (next: FormValues) => {
    setDraft(next);
    setSaved(false);
    setProblems([]);
    setFieldProblems(new Map());
  };

  /**
   * After VERSION_CONFLICT: reads the account as it is now and the changes since the form's version.
   * Edits to different slots are merged and saved again (at most a few rounds, as others may keep
   * saving); a slot both changed is put to the user.
   */
  const resolveConflict = async (from: Baseline, mine: FormValues, rounds: number) => {
    let fresh;
    let since;
    try {
      [fresh, since] = await Promise.all([
        client.query({ query: PageQuery, variables: { accountId }, fetchPolicy: "network-only" }),
        client.query({ query: ChangesSinceQuery, variables: { accountId, sinceVersion: from.version }, fetchPolicy: "network-only" }),
      ]);
    } catch (thrown) {
      setProblems(problemsOf(thrown));
      return;
    }
    const now = fresh.data?.account;
    if (!now) {
      setProblems([{ code: "NOT_FOUND" }]);
      return;
    }
    const allLabels = new Map([...labels, ...labelsFrom(now, now.members.edges.map((edge) => edge.node))]);
    const actors = [...new Set((since.data?.account?.contactHistory.nodes ?? []).map((change) => actorName(change.changedBy, personOf)))];
    const latest = baselineOf(now);
    const { merged, overlapping } = mergeForms(from.values, mine, latest.values);
    const theirs = changesBetween(from.values, latest.values, allLabels);
    if (overlapping.length === 0 && rounds > 0) {
      setBaseline(latest);
      setDraft(merged);
      await submit(latest, merged, rounds - 1, { actors, theirs });
      return;
    }
    const both = (changes: SlotChange[]) => changes.filter((change) => overlapping.includes(change.slot));
    setBaseline(latest);
    setDraft(merged);
    setConflict({ theirs: both(theirs), yours: both(changesBetween(from.values, mine, allLabels)), actors, latest, merged, mine, overlapping });
  };

  /** Saves `values` over `from`; `merged` says what others changed that this save was merged with. */
  const submit = async (from: Baseline, values: FormValues, rounds: number, merged: { actors: string[]; theirs: SlotChange[] } | null) => {
    const { input, fieldOf } = saveInput(account.id, from.version, values);
    let failure: unknown = null;
    try {
      const result = await save({ variables: { input }, refetchQueries: [HistoryQuery], errorPolicy: "all" });
      const savedAccount = result.data?.saveAccountContacts?.account;
      if (result.error || !savedAccount) failure = result.error ?? new Error("No account in the answer");
      else {
        const next = baselineOf(savedAccount);
        setBaseline(next);
        setDraft(next.values);
        setFieldProblems(new Map());
        setMergedWith(merged);
        setSaved(true);
        return;
      }
    } catch (thrown) {
      failure = thrown;
    }
    const found = problemsOf(failure);
    if (found.some((problem) => problem.code === "VERSION_CONFLICT")) {
      await resolveConflict(from, values, rounds);
      return;
    }
    const byField = new Map<FieldKey, FieldProblem>();
    for (const problem of found) {
      const key = problem.field ? fieldOf(problem.field) : null;
      if (key && problem.field) byField.set(key, fieldProblem(problem.field));
    }
    setFieldProblems(byField);
    setProblems(found);
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
    await submit(baseline, draft, MERGE_ROUNDS, null);
  };

  /** The user keeps their values for the slots both changed: saved over the contacts as they are now. */
  const keepMine = async () => {
    if (!conflict) return;
    const values = withSlots(conflict.merged, conflict.mine, conflict.overlapping);
    setConflict(null);
    setDraft(values);
    await submit(conflict.latest, values, MERGE_ROUNDS, { actors: conflict.actors, theirs: [] });
  };

  /** The user takes the other values for the slots both changed; their other edits stay in the form, unsaved. */
  const useTheirs = () => {
    if (!conflict) return;
    setBaseline(conflict.latest);
    setDraft(conflict.merged);
    setConflict(null);
    setProblems([]);
    setFieldProblems(new Map());
  };

  const fieldText = (key: FieldKey) => {
    const problem = fieldProblems.get(key);
    return problem ? messages.fields[problem] : null;
  };

  return (
    <>
      <div className="layout">
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
          {conflict && <ConflictNotice conflict={conflict} onKeepMine={() => void keepMine()} onUseTheirs={useTheirs} />}
          {saved && mergedWith && mergedWith.theirs.length > 0 && <MergedNotice merged={mergedWith} />}
          {!conflict && <ProblemList problems={problems} />}

          <PrimarySection draft={draft} members={members} labels={labels} disabled={!canEdit} problem={fieldText("primary")} onChange={edit} />
          <BillingSection draft={draft} members={members} labels={labels} disabled={!canEdit} problemOf={(row) => fieldText(`billing.${row}`)} onChange={edit} />
          <OtherContactsSection
            account={account}
            draft={draft}
            saved={baseline.values}
            members={members}
            labels={labels}
            disabled={!canEdit}
            problemOf={(role) => fieldText(`role.${role}`)}
            onChange={edit}
          />

          {canEdit && (
            <div className="save-bar">
              <span className="status" aria-live="polite">
                {saved ? messages.saved : unsaved.length > 0 ? messages.unsaved(unsaved.length) : ""}
              </span>
              <button type="button" disabled={unsaved.length === 0 || saving} onClick={() => edit(baseline.values)}>
                {messages.discard}
              </button>
              <button type="submit" className="primary" disabled={unsaved.length === 0 || saving || conflict !== null}>
                {saving ? messages.saving : messages.save}
              </button>
            </div>
          )}
        </form>
        <aside>
          <HealthPanel account={account} personOf={personOf} />
          {canEdit && <PendingInvitations accountId={accountId} />}
        </aside>
      </div>
      <HistoryPanel accountId={accountId} personOf={personOf} />
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
          <li key={change.slot}>{messages.change(slotName(messages, change.slot), change.before ?? messages.nobody, change.after ?? messages.nobody)}</li>
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
function MemberOptions({ members, current, labels, exclude = [] }: { members: MemberOption[]; current: string; labels: PersonLabels; exclude?: string[] }) {
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

function BillingSection({ draft, members, labels, disabled, problemOf, onChange }: SectionProps & { problemOf: (row: number) => string | null }) {
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
          <button type="button" id="billing-add" disabled={atLimit} aria-describedby="billing-add-reason" onClick={() => setRows([...rows, ""])}>
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
}: SectionProps & { account: PageAccount; saved: FormValues; problemOf: (role: KnownRole) => string | null }) {
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
        {value.kind === "outside" && <VerificationState role={role} account={account} email={value.email} canResend={!disabled} />}
        <FieldProblemText id={`${id}-problem`} text={problem} />
      </div>
    </div>
  );
}

/** Whether the owner of an outside address has confirmed it, as the server knows it now. */
function VerificationState({ role, account, email, canResend }: { role: KnownRole; account: PageAccount; email: string; canResend: boolean }) {
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
  const bound = state === "DECLINED" ? problems.find((problem) => problem.code === "ADDRESS_DECLINED" && (problem.retryAfterSeconds ?? 0) > 86_400) : undefined;
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
      // Asking a declined address again writes a history row: read the history again.
      const result = await resend({ variables: { input: { accountId: account.id, role } }, refetchQueries: state === "DECLINED" ? [HistoryQuery] : [], errorPolicy: "all" });
      if (result.error) setProblems(problemsOf(result.error));
      else setResent(true);
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

