// The account's members, paged forwards (`first`/`after`) through a Relay @connection.
// `usePaginationFragment` needs the fragment to be @refetchable: Relay generates
// MemberListPaginationQuery, which reads the next page through `Query.node(id:)`.
import { graphql, useMutation, usePaginationFragment } from "react-relay";
import { ConnectionHandler } from "relay-runtime";
import type { MemberList_account$key } from "./__generated__/MemberList_account.graphql";
import type { MemberListAddMemberMutation } from "./__generated__/MemberListAddMemberMutation.graphql";
import type { MemberListRemoveMemberMutation } from "./__generated__/MemberListRemoveMemberMutation.graphql";

const fragment = graphql`
  fragment MemberList_account on Account
  @refetchable(queryName: "MemberListPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    id
    members(first: $count, after: $cursor) @connection(key: "MemberList_members") {
      totalCount
      edges {
        node {
          id
          role
          joinedAt
          displayName
          user {
            id
            email
          }
        }
      }
    }
  }
`;

// The payload's `member` (an AccountMember, a Node) is appended to the connection on the screen; an
// existing member whose role changed is updated in place (same id), not added twice. Someone new is
// only invited (`accepted: false`): show them as invited; the server lists them once they accept.
const addMemberMutation = graphql`
  mutation MemberListAddMemberMutation($input: AddAccountMemberInput!, $connections: [ID!]!) {
    addAccountMember(input: $input) {
      member @appendNode(connections: $connections, edgeTypeName: "AccountMemberEdge") {
        id
        role
        accepted
        joinedAt
        displayName
        user {
          id
          email
        }
      }
      account {
        id
        contactsVersion
      }
    }
  }
`;

// `account` is null when the viewer removed themselves: leave the screen then. Otherwise the
// removed member's edge is dropped from the connection by its user's id (see the updater below).
const removeMemberMutation = graphql`
  mutation MemberListRemoveMemberMutation($input: RemoveAccountMemberInput!) {
    removeAccountMember(input: $input) {
      removedUserId
      account {
        id
        contactsVersion
      }
    }
  }
`;

export function MemberList({ account }: { account: MemberList_account$key }) {
  const { data, loadNext, hasNext, isLoadingNext } = usePaginationFragment(fragment, account);
  const [addMember] = useMutation<MemberListAddMemberMutation>(addMemberMutation);
  const [removeMember] = useMutation<MemberListRemoveMemberMutation>(removeMemberMutation);
  const connectionId = ConnectionHandler.getConnectionID(data.id, "MemberList_members");

  const add = (email: string) => addMember({ variables: { input: { accountId: data.id, email }, connections: [connectionId] } });

  const remove = (userId: string) =>
    removeMember({
      variables: { input: { accountId: data.id, userId } },
      updater: (store, response) => {
        const connection = store.get(connectionId);
        const removed = response?.removeAccountMember.removedUserId;
        for (const edge of connection?.getLinkedRecords("edges") ?? []) {
          const node = edge?.getLinkedRecord("node");
          if (connection && node && node.getLinkedRecord("user")?.getDataID() === removed) {
            ConnectionHandler.deleteNode(connection, node.getDataID());
          }
        }
      },
    });

  return (
    <section>
      <h2>Members ({data.members.totalCount})</h2>
      <ul>
        {data.members.edges.map(({ node }) => (
          <li key={node.id}>
            {node.displayName ?? node.user.email} ({node.role})<button onClick={() => remove(node.user.id)}>Remove</button>
          </li>
        ))}
      </ul>
      {hasNext ? (
        <button disabled={isLoadingNext} onClick={() => loadNext(50)}>
          More members
        </button>
      ) : null}
      <button onClick={() => add("grace@example.com")}>Add Grace</button>
    </section>
  );
}
