// Every operation the screen sends, typed by GraphQL Code Generator (src/gql/, from `graphql(...)` below).
// The save's payload selects the same account fields the page loads, so Apollo Client's normalised
// cache updates every part of the screen from the mutation's own answer.
import { graphql } from "./gql";

export const ContactUserFields = graphql(`
  fragment SettingsContactUser on User {
    id
    email
    # The person's own name from their sign-in; null until they have signed in with one.
    name
  }
`);

export const AccountContactsFields = graphql(`
  fragment SettingsAccountContacts on Account {
    id
    name
    viewerRole
    # Sent back as expectedVersion: a save over changes this form has not seen is refused.
    contactsVersion
    # The server's own rule for who may change the account; the screen never guesses from viewerRole.
    viewerCanAdminister
    updatedAt
    primaryContact {
      ...SettingsContactUser
    }
    billingContacts {
      ...SettingsContactUser
    }
    roleContacts {
      id
      role
      email
      isExternal
      user {
        ...SettingsContactUser
      }
      verification {
        id
        state
        requestedAt
        verifiedAt
      }
    }
    # Every filled slot as a row: the phone and title its contact has for it.
    contacts {
      slot
      position
      email
      phone
      title
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
`);

/** The account switcher: who is signed in, and the accounts they belong to. */
export const AccountsQuery = graphql(`
  query SettingsAccounts {
    viewer {
      ...SettingsContactUser
    }
    accounts(first: 100) {
      totalCount
      edges {
        cursor
        node {
          id
          name
          viewerRole
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

/** The page itself: the account's contacts and the members who can hold them. */
export const PageQuery = graphql(`
  query SettingsPage($accountId: ID!, $membersAfter: String) {
    account(id: $accountId) {
      ...SettingsAccountContacts
      # Live updates start after this event (accountChanged's afterSequence).
      eventSequence
      members(first: 100, after: $membersAfter) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            id
            role
            # This account's name for the member until they sign in with their own.
            displayName
            user {
              ...SettingsContactUser
            }
          }
        }
      }
    }
  }
`);

/** The history panel, newest first, a page at a time. */
export const HistoryQuery = graphql(`
  query SettingsHistory($accountId: ID!, $first: Int!, $after: String) {
    account(id: $accountId) {
      id
      contactHistory(first: $first, after: $after) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            ...SettingsHistoryRow
          }
        }
      }
    }
  }
`);

/** One row of the history panel: read with the panel, and added to it from a save's answer or a live event. */
export const HistoryRowFields = graphql(`
  fragment SettingsHistoryRow on ContactChange {
    id
    at
    slot
    action
    previousEmail
    newEmail
    # The contactsVersion the change produced: rows added later are ordered by it.
    version
    changedBy {
      ...SettingsChangedBy
    }
  }
`);

/** Who made a change: a member, or the owner of an outside address confirming or declining it. */
export const ChangedByFields = graphql(`
  fragment SettingsChangedBy on ContactChangeActor {
    __typename
    ... on User {
      ...SettingsContactUser
    }
    ... on ExternalContact {
      email
    }
  }
`);

/** After VERSION_CONFLICT: the changes made since the version the form was loaded with, to merge with. */
export const ChangesSinceQuery = graphql(`
  query SettingsChangesSince($accountId: ID!, $sinceVersion: Int!) {
    account(id: $accountId) {
      id
      contactHistory(first: 100, sinceVersion: $sinceVersion) {
        totalCount
        nodes {
          id
          version
          slot
          action
          changedBy {
            ...SettingsChangedBy
          }
        }
      }
    }
  }
`);

/** The one Save: every slot at once, refused with VERSION_CONFLICT if the contacts changed since the form loaded. */
export const SaveContactsMutation = graphql(`
  mutation SettingsSaveContacts($input: SaveAccountContactsInput!) {
    saveAccountContacts(input: $input) {
      account {
        ...SettingsAccountContacts
      }
      # Added to the history panel as they are, without reading the history again.
      changes {
        ...SettingsHistoryRow
      }
    }
  }
`);

/** "Send the confirmation again" beside an outside address that is still waiting, or "Ask again" after its owner declined. */
export const ResendVerificationMutation = graphql(`
  mutation SettingsResendVerification($input: ResendContactVerificationInput!) {
    resendContactVerification(input: $input) {
      account {
        ...SettingsAccountContacts
      }
      changes {
        ...SettingsHistoryRow
      }
    }
  }
`);

/**
 * Every committed change of the account, as it happens, after the event `afterSequence` (the page's
 * `eventSequence`, then the last event seen). `account` selects what the page shows, so Apollo
 * Client's cache updates the screen from the event itself.
 */
export const AccountChangedSubscription = graphql(`
  subscription SettingsAccountChanged($accountId: ID!, $afterSequence: Int) {
    accountChanged(accountId: $accountId, afterSequence: $afterSequence) {
      sequence
      contactsVersion
      kinds
      at
      # Too many events were missed to replay them: read the account again and subscribe from its eventSequence.
      reloadRequired
      changedBy {
        ...SettingsChangedBy
      }
      account {
        ...SettingsAccountContacts
        eventSequence
      }
      changes {
        ...SettingsHistoryRow
      }
      memberChanges {
        id
        action
        email
      }
      settingChanges {
        id
        setting
      }
    }
  }
`);
