// The screens' operations, from examples/*.graphql and examples/fragments.graphql. Fields the baseline
// does not model (contact health, verification states) are left out.
export const CONTACT_USER = "fragment ContactUser on User { id email name }";
export const CONTACT_FRAGMENTS = `
${CONTACT_USER}
fragment AccountContactsFields on Account {
  id name viewerRole contactsVersion updatedAt
  primaryContact { ...ContactUser }
  billingContacts { ...ContactUser }
  roleContacts { id role email isExternal user { ...ContactUser } updatedAt updatedBy { ...ContactUser } }
}`;
export const SETTINGS_QUERY = `query AccountContacts($accountId: ID!) { account(id: $accountId) { ...AccountContactsFields } }${CONTACT_FRAGMENTS}`;
/** The settings query of an outside benchmark (60 accounts × 10 members): contacts and the first 50 members. */
export const OUTSIDE_SETTINGS_QUERY = `query Settings($accountId: ID!) { account(id: $accountId) {
  id name
  primaryContact { id email name }
  billingContacts { id email name }
  roleContacts { role email user { id email name } }
  members(first: 50) { totalCount edges { node { role user { id email name } } } }
} }`;
/** The settings screen's header: what it shows before the contact panels load. */
export const SETTINGS_HEADER_QUERY = `query AccountHeader($accountId: ID!) { account(id: $accountId) {
  id name viewerRole viewerCanAdminister contactsVersion updatedAt primaryContact { ...ContactUser }
} }
${CONTACT_USER}`;
export const CONSOLE_QUERY = `{ accounts(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { node { id primaryContact { email } billingContacts { email } roleContacts { user { email } } members(first: 10) { edges { node { user { email } } } } } } } }`;
export const MY_ACCOUNTS_QUERY = `query MyAccounts($first: Int = 20, $after: String) {
  viewer { ...ContactUser }
  accounts(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name viewerRole } } }
}
${CONTACT_USER}`;
export const MEMBER_PICKER_QUERY = `query MemberPicker($accountId: ID!, $first: Int = 50, $after: String) { account(id: $accountId) {
  id
  members(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id role displayName user { ...ContactUser contactSlots(accountId: $accountId) } } }
  }
} }
${CONTACT_USER}`;
export const CONTACT_HISTORY_QUERY = `query ContactHistory($accountId: ID!, $first: Int = 20, $after: String) { account(id: $accountId) {
  id
  contactHistory(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id at slot action previousEmail newEmail version
      changedBy { __typename ... on User { ...ContactUser } ... on ExternalContact { email } }
      previousUser { id } newUser { id }
    } }
  }
} }
${CONTACT_USER}`;
export const NODE_QUERY = `query AccountNode($id: ID!) { node(id: $id) { __typename id ... on Account { name contactsVersion primaryContact { ...ContactUser } } } }
${CONTACT_USER}`;
export const NODES_QUERY = `query Refetch($ids: [ID!]!) { nodes(ids: $ids) {
  __typename id
  ... on Account { name contactsVersion }
  ... on User { email userName: name }
  ... on AccountMember { memberRole: role displayName user { id } }
  ... on ContactRole { role email isExternal }
} }`;
export const RECIPIENTS_QUERY = `query NotificationRecipients($accountId: ID!, $category: NotificationCategory!) { account(id: $accountId) {
  id notificationRecipients(category: $category) { email user { ...ContactUser } reasons }
} }
${CONTACT_USER}`;
export const DELIVERIES_QUERY = `query NotificationDeliveries($accountId: ID!, $first: Int = 20, $after: String) { account(id: $accountId) {
  id
  notificationDeliveries(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id kind category email subject state skipReason attempts lastError createdAt sentAt } }
  }
} }`;
export const INVITATIONS_QUERY = `query PendingInvitations($accountId: ID!) { account(id: $accountId) {
  id
  invitations(first: 20) { totalCount nodes { id email displayName role invitedAt expiresAt expired invitedBy { id email } } }
  memberHistory(first: 20) { nodes { id at action email previousRole newRole actor { id email } } }
} }`;
// Writes ask only for the new version: the case measures the write, not the settings read above.
export const SET_PRIMARY = `mutation SetPrimaryContact($input: SetPrimaryContactInput!) { setPrimaryContact(input: $input) { account { id contactsVersion } } }`;
export const ADD_BILLING = `mutation AddBillingContact($input: AddBillingContactInput!) { addBillingContact(input: $input) { account { id contactsVersion } } }`;
export const REMOVE_BILLING = `mutation RemoveBillingContact($input: RemoveBillingContactInput!) { removeBillingContact(input: $input) { account { id contactsVersion } } }`;
