// The history panel: every change to the account's contact slots, newest first, paged forwards into
// older changes through a Relay @connection on `contactHistory`.
import { graphql, usePaginationFragment } from "react-relay";
import type { ContactHistoryPanel_account$key } from "./__generated__/ContactHistoryPanel_account.graphql";

const fragment = graphql`
  fragment ContactHistoryPanel_account on Account
  @refetchable(queryName: "ContactHistoryPanelPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" }) {
    id
    contactHistory(first: $count, after: $cursor) @connection(key: "ContactHistoryPanel_contactHistory") {
      totalCount
      edges {
        node {
          id
          at
          slot
          action
          previousEmail
          newEmail
          version
          changedBy {
            __typename
            ... on User {
              id
              email
            }
            ... on ExternalContact {
              email
            }
          }
        }
      }
    }
  }
`;

export function ContactHistoryPanel({ account }: { account: ContactHistoryPanel_account$key }) {
  const { data, loadNext, hasNext, isLoadingNext, refetch } = usePaginationFragment(fragment, account);
  return (
    <section>
      <h2>History ({data.contactHistory.totalCount})</h2>
      <button onClick={() => refetch({}, { fetchPolicy: "network-only" })}>Show the latest</button>
      <ol>
        {data.contactHistory.edges.map(({ node }) => (
          <li key={node.id}>
            {node.at}: {node.changedBy.__typename === "%other" ? "?" : node.changedBy.email} {node.action} {node.slot}{" "}
            {node.previousEmail ?? "—"} → {node.newEmail ?? "—"}
          </li>
        ))}
      </ol>
      {hasNext ? (
        <button disabled={isLoadingNext} onClick={() => loadNext(20)}>
          Older changes
        </button>
      ) : null}
    </section>
  );
}
