// Shown when Save was refused with VERSION_CONFLICT and someone else changed a slot this user changed
// too (edits to different slots are merged and saved without asking): per slot, their value and this
// user's, and a choice between them.
import type { FormValues, SlotChange, SlotKey } from "./form";
import { slotName } from "./i18n";
import { useScreen } from "./screen";

export interface Conflict {
  /** The slots both changed, with their value (`before` is unused) … */
  theirs: SlotChange[];
  /** … and this user's. */
  yours: SlotChange[];
  /** Who made the changes since the form was loaded, from the history since its version. */
  actors: string[];
  /** The contacts as they are now. */
  latest: { version: number; updatedAt: string; values: FormValues };
  /** Theirs, with this user's changes to every other slot already applied. */
  merged: FormValues;
  /** This user's form as it was when Save was pressed. */
  mine: FormValues;
  overlapping: SlotKey[];
}

export function ConflictNotice({
  conflict,
  onKeepMine,
  onUseTheirs,
}: {
  conflict: Conflict;
  onKeepMine: () => void;
  onUseTheirs: () => void;
}) {
  const { messages } = useScreen();
  const yours = new Map(conflict.yours.map((change) => [change.slot, change.after]));
  return (
    <div className="conflict" role="alert" data-code="VERSION_CONFLICT">
      <h3>{messages.conflict.heading}</h3>
      <p>
        {messages.conflict.explanation} <span className="code">VERSION_CONFLICT</span>
      </p>
      <ul className="both">
        {conflict.theirs.map((change) => (
          <li key={change.slot} data-slot={change.slot}>
            {messages.conflict.theirsAndYours(
              slotName(messages, change.slot),
              change.after ?? messages.nobody,
              yours.get(change.slot) ?? messages.nobody,
            )}
          </li>
        ))}
      </ul>
      {conflict.actors.length > 0 && <p className="hint">{messages.conflict.changedBy(conflict.actors.join(", "))}</p>}
      <p>
        <button type="button" className="primary" onClick={onKeepMine}>
          {messages.conflict.keepMine}
        </button>{" "}
        <button type="button" onClick={onUseTheirs}>
          {messages.conflict.reload}
        </button>{" "}
        <span className="hint">{messages.conflict.reloadHint}</span>
      </p>
    </div>
  );
}
