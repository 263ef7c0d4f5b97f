// What other admins changed while the screen is open: a line per change ("Grace Hopper changed the
// billing contacts"), and, when one of them changed a slot this user is editing, a notice that says so
// before Save and offers the same choice as a refused save's conflict (ConflictNotice.tsx).
import { changesBetween, type FormValues, type PersonLabels } from "./form";
import { slotName, type Messages } from "./i18n";
import { actorName } from "./HistoryPanel";
import type { Actor, ChangeSummary, Contested } from "./live";
import { useScreen } from "./screen";

function who(messages: Messages, actor: Actor, personOf: (email: string) => string): string {
  return actor ? actorName(actor, personOf) : messages.live.someone;
}

export function RecentChanges({ changes, personOf }: { changes: readonly ChangeSummary[]; personOf: (email: string) => string }) {
  const { messages } = useScreen();
  const lines = changes
    .map((change) => {
      const what = [
        ...change.slots.map((slot) => (messages.live.slotObject as Record<string, string | undefined>)[slot] ?? slot),
        ...(change.members ? [messages.live.members] : []),
        ...(change.settings ? [messages.live.settings] : []),
      ];
      return { change, what };
    })
    .filter(({ what }) => what.length > 0);
  return (
    <ul className="live-changes" aria-live="polite">
      {lines.map(({ change, what }) => (
        <li key={change.sequence} data-sequence={change.sequence}>
          <span className="what">{messages.live.changed(who(messages, change.by, personOf), what)}</span>{" "}
          <span className="hint">{messages.dateTime(change.at)}</span>
        </li>
      ))}
    </ul>
  );
}

export function ContestedNotice({
  contested,
  theirs,
  yours,
  labels,
  personOf,
  onKeepMine,
  onUseTheirs,
}: {
  contested: readonly Contested[];
  /** The contacts as saved now. */
  theirs: FormValues;
  /** The user's form. */
  yours: FormValues;
  labels: PersonLabels;
  personOf: (email: string) => string;
  onKeepMine: () => void;
  onUseTheirs: () => void;
}) {
  const { messages } = useScreen();
  const values = new Map(changesBetween(theirs, yours, labels).map((change) => [change.slot, change]));
  return (
    <div className="conflict live-conflict" role="alert">
      <h3>{messages.live.heading}</h3>
      <ul className="both">
        {contested.map(({ slot, by }) => {
          const value = values.get(slot);
          return (
            <li key={slot} data-slot={slot}>
              {messages.live.contested(
                slotName(messages, slot),
                who(messages, by, personOf),
                value?.before ?? messages.nobody,
                value?.after ?? messages.nobody,
              )}
            </li>
          );
        })}
      </ul>
      <p className="hint">{messages.live.explanation}</p>
      <p>
        <button type="button" className="primary" onClick={onKeepMine}>
          {messages.conflict.keepMine}
        </button>{" "}
        <button type="button" onClick={onUseTheirs}>
          {messages.conflict.reload}
        </button>
      </p>
    </div>
  );
}
