// The console's audit trail of one account, in the order things happened. `contactHistory` is newest
// first, so the trail reads it backwards: `last: 20` is the account's first 20 changes, and each
// `loadPrevious` brings the next later ones (the page before `startCursor`, in list order).
import { graphql, usePaginationFragment } from "react-relay";
import type { AuditTrail_account$key } from "./__generated__/AuditTrail_account.graphql";

const fragment = graphql`
  fragment AuditTrail_account on Account
  @refetchable(queryName: "AuditTrailPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" }) {
    id
    contactHistory(last: $count, before: $cursor) @connection(key: "AuditTrail_contactHistory") {
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

export function AuditTrail({ account }: { account: AuditTrail_account$key }) {
  const { data, loadPrevious, hasPrevious, isLoadingPrevious } = usePaginationFragment(fragment, account);
  const oldestFirst = [...data.contactHistory.edges].reverse();
  return (
    <section>
      <h2>Audit trail ({data.contactHistory.totalCount} changes)</h2>
      <ol>
        {oldestFirst.map(({ node }) => (
          <li key={node.id}>
            {node.at}: {node.changedBy.__typename === "%other" ? "?" : node.changedBy.email} {node.action} {node.slot}
          </li>
        ))}
      </ol>
      {hasPrevious ? (
        <button disabled={isLoadingPrevious} onClick={() => loadPrevious(20)}>
          Later changes
        </button>
      ) : null}
    </section>
  );
}
