// Shown when Save was refused with VERSION_CONFLICT: what someone else changed since the form was
// loaded, what this user had changed, and a way to start again from the contacts as they are now.
import type { FormValues, SlotChange } from "./form";
import { slotName } from "./i18n";
import { useScreen } from "./screen";

export interface Conflict {
  theirs: SlotChange[];
  yours: SlotChange[];
  /** Who made the changes since the form was loaded, from the history. */
  actors: string[];
  /** The contacts as they are now, for Reload. */
  latest: { version: number; updatedAt: string; values: FormValues };
}

export function ConflictNotice({ conflict, onReload }: { conflict: Conflict; onReload: () => void }) {
  const { messages } = useScreen();
  const line = (change: SlotChange) => messages.change(slotName(messages, change.slot), change.before ?? messages.nobody, change.after ?? messages.nobody);
  return (
    <div className="conflict" role="alert" data-code="VERSION_CONFLICT">
      <h3>{messages.conflict.heading}</h3>
      <p>
        {messages.conflict.explanation} <span className="code">VERSION_CONFLICT</span>
      </p>
      <h4>{messages.conflict.theirs}</h4>
      {conflict.theirs.length > 0 ? (
        <ul className="theirs">
          {conflict.theirs.map((change) => (
            <li key={change.slot}>{line(change)}</li>
          ))}
        </ul>
      ) : (
        <p>{messages.conflict.none}</p>
      )}
      {conflict.actors.length > 0 && <p className="hint">{messages.conflict.changedBy(conflict.actors.join(", "))}</p>}
      {conflict.yours.length > 0 && (
        <>
          <h4>{messages.conflict.yours}</h4>
          <ul className="yours">
            {conflict.yours.map((change) => (
              <li key={change.slot}>{line(change)}</li>
            ))}
          </ul>
        </>
      )}
      <p>
        <button type="button" className="primary" onClick={onReload}>
          {messages.conflict.reload}
        </button>{" "}
        <span className="hint">{messages.conflict.reloadHint}</span>
      </p>
    </div>
  );
}
