// The contact slots of one account. The fragment is @refetchable: Relay generates
// AccountContactsPanelRefetchQuery, which fetches the account again through `Query.node(id:)` (every
// Account implements Node), so "Reload" needs no query of its own.
import { graphql, useMutation, useRefetchableFragment } from "react-relay";
import type { AccountContactsPanel_account$key } from "./__generated__/AccountContactsPanel_account.graphql";
import type { AccountContactsPanelSetPrimaryContactMutation } from "./__generated__/AccountContactsPanelSetPrimaryContactMutation.graphql";
import type { AccountContactsPanelSetRoleContactMutation } from "./__generated__/AccountContactsPanelSetRoleContactMutation.graphql";

const fragment = graphql`
  fragment AccountContactsPanel_account on Account
  @refetchable(queryName: "AccountContactsPanelRefetchQuery") {
    id
    viewerRole
    contactsVersion
    updatedAt
    primaryContact {
      id
      email
      name
    }
    billingContacts {
      id
      email
      name
    }
    roleContacts {
      id
      role
      email
      isExternal
      user {
        id
        email
        name
      }
      verification {
        id
        state
        requestedAt
        verifiedAt
      }
    }
    contactHealth {
      needsAttention
      missingRoles
      billingContactsFree
      issues {
        slot
        email
        kind
      }
    }
  }
`;

// Every mutation takes one `input` and answers with a payload; selecting the panel's fragment on the
// payload's `account` updates the panel from the response (the store merges records by id).
const setPrimaryContactMutation = graphql`
  mutation AccountContactsPanelSetPrimaryContactMutation($input: SetPrimaryContactInput!) {
    setPrimaryContact(input: $input) {
      account {
        ...AccountContactsPanel_account
      }
    }
  }
`;

const setRoleContactMutation = graphql`
  mutation AccountContactsPanelSetRoleContactMutation($input: SetRoleContactInput!) {
    setRoleContact(input: $input) {
      account {
        ...AccountContactsPanel_account
      }
    }
  }
`;

export function AccountContactsPanel({ account }: { account: AccountContactsPanel_account$key }) {
  const [data, refetch] = useRefetchableFragment(fragment, account);
  const [setPrimaryContact, settingPrimary] = useMutation<AccountContactsPanelSetPrimaryContactMutation>(setPrimaryContactMutation);
  const [setRoleContact] = useMutation<AccountContactsPanelSetRoleContactMutation>(setRoleContactMutation);
  const canEdit = data.viewerRole === "ADMIN";

  const makePrimary = (userId: string) =>
    setPrimaryContact({
      variables: { input: { accountId: data.id, userId, expectedVersion: data.contactsVersion } },
      // VERSION_CONFLICT: someone else changed the contacts; reload them and let the user try again.
      onError: () => refetch({}, { fetchPolicy: "network-only" }),
    });

  const setSecurityEmail = (email: string) => setRoleContact({ variables: { input: { accountId: data.id, role: "SECURITY", email } } });

  return (
    <section>
      <button onClick={() => refetch({}, { fetchPolicy: "network-only" })}>Reload</button>
      <p>Primary contact: {data.primaryContact.name ?? data.primaryContact.email}</p>
      <ul>
        {data.billingContacts.map((user) => (
          <li key={user.id}>{user.email}</li>
        ))}
      </ul>
      <ul>
        {data.roleContacts.map((contact) => (
          <li key={contact.id}>
            {contact.role}: {contact.email}
            {contact.verification?.state === "PENDING" ? " (waiting for confirmation)" : null}
            {canEdit && contact.user ? (
              <button disabled={settingPrimary} onClick={() => makePrimary(contact.user!.id)}>
                Make primary
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {canEdit ? <button onClick={() => setSecurityEmail("security@partner.example")}>Use partner security</button> : null}
    </section>
  );
}
