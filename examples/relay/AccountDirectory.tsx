// The console's account list, newest first. `accounts` lists the viewer's accounts oldest first, so the
// directory reads it backwards: `last`/`before` from the end, `loadPrevious` for older accounts.
// The fragment is on Query; @refetchable makes Relay generate AccountDirectoryPaginationQuery.
import { graphql, usePaginationFragment } from "react-relay";
import type { AccountDirectory_query$key } from "./__generated__/AccountDirectory_query.graphql";

const fragment = graphql`
  fragment AccountDirectory_query on Query
  @refetchable(queryName: "AccountDirectoryPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" }) {
    accounts(last: $count, before: $cursor) @connection(key: "AccountDirectory_accounts") {
      totalCount
      edges {
        node {
          id
          name
          viewerRole
          contactHealth {
            needsAttention
          }
        }
      }
    }
  }
`;

export function AccountDirectory({ query }: { query: AccountDirectory_query$key }) {
  const { data, loadPrevious, hasPrevious, isLoadingPrevious } = usePaginationFragment(fragment, query);
  // A backward page comes in list order (oldest first): show it reversed.
  const newestFirst = [...data.accounts.edges].reverse();
  return (
    <nav>
      <h2>Your accounts ({data.accounts.totalCount})</h2>
      <ul>
        {newestFirst.map(({ node }) => (
          <li key={node.id}>
            {node.name} ({node.viewerRole}){node.contactHealth.needsAttention ? " — needs attention" : null}
          </li>
        ))}
      </ul>
      {hasPrevious ? (
        <button disabled={isLoadingPrevious} onClick={() => loadPrevious(20)}>
          Older accounts
        </button>
      ) : null}
    </nav>
  );
}
