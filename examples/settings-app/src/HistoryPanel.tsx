// The history of the account's contact slots, newest first, a page at a time (Apollo's
// relayStylePagination merges the pages). It is read once: rows written since, by this user's saves or
// by others (live updates), are added at the top from the answers and events that carry them.
import { useQuery } from "@apollo/client/react";
import { problemsOf } from "./errors";
import type { SettingsChangedByFragment } from "./gql/graphql";
import { slotName, type Messages } from "./i18n";
import { historyRows, type HistoryRow } from "./live";
import { HistoryQuery } from "./operations";
import { ProblemList } from "./ProblemList";
import { useScreen } from "./screen";

export const HISTORY_PAGE = 10;

function describeChange(messages: Messages, change: HistoryRow, personOf: (email: string) => string): string {
  const before = change.previousEmail === null ? null : personOf(change.previousEmail);
  const after = change.newEmail === null ? null : personOf(change.newEmail);
  switch (change.action) {
    case "ADD":
      return messages.history.added(after ?? "");
    case "REMOVE":
      return messages.history.removed(before ?? "");
    case "SET":
      return messages.history.set(before, after ?? "");
    case "CLEAR":
      return messages.history.cleared(before);
    case "DECLINED":
      return messages.history.declined(before ?? "");
    case "VERIFIED":
      return messages.history.verified(before ?? "");
    default:
      return `${change.action}: ${before ?? "–"} → ${after ?? "–"}`;
  }
}

/** Who made a change: a member by name (or address), or an outside address as it is. */
export function actorName(actor: SettingsChangedByFragment, personOf: (email: string) => string): string {
  if (actor.__typename === "User") return actor.name ?? personOf(actor.email);
  if (actor.__typename === "ExternalContact") return actor.email;
  return "?";
}

export function HistoryPanel({
  accountId,
  added,
  personOf,
}: {
  accountId: string;
  added: readonly HistoryRow[];
  personOf: (email: string) => string;
}) {
  const { messages } = useScreen();
  const { data, error, fetchMore, loading } = useQuery(HistoryQuery, {
    variables: { accountId, first: HISTORY_PAGE },
    notifyOnNetworkStatusChange: true,
  });
  const history = data?.account?.contactHistory;
  const { rows, addedCount } = historyRows(added, history?.edges.map((edge) => edge.node) ?? []);
  return (
    <section className="card history" aria-labelledby="history-heading">
      <h3 id="history-heading">{messages.history.heading}</h3>
      {error && <ProblemList problems={problemsOf(error)} />}
      {history && <p className="hint count">{messages.history.count(history.totalCount + addedCount)}</p>}
      {history && rows.length === 0 && <p className="empty">{messages.history.none}</p>}
      {history && rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{messages.history.when}</th>
              <th scope="col">{messages.history.who}</th>
              <th scope="col">{messages.history.what}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((node) => (
              <tr key={node.id} data-slot={node.slot} data-action={node.action}>
                <td>{messages.dateTime(node.at)}</td>
                <td>{actorName(node.changedBy, personOf)}</td>
                <td>
                  <strong>{slotName(messages, node.slot)}</strong>: {describeChange(messages, node, personOf)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {history?.pageInfo.hasNextPage && (
        <button
          type="button"
          className="link"
          disabled={loading}
          onClick={() => void fetchMore({ variables: { after: history.pageInfo.endCursor } })}
        >
          {messages.history.more}
        </button>
      )}
    </section>
  );
}
