// Apollo Client for the API, configured as docs/frontend.md ("Apollo Client") describes: objects are
// cached by __typename and global id; connections merge their pages; value objects without an id
// stay inside their parent.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { relayStylePagination } from "@apollo/client/utilities";
import type { Language } from "./i18n";

export interface ClientSession {
  /** The bearer token, held in memory only; read on every request, so a new one applies at once. */
  token: () => string | null;
  /** Sent as Accept-Language, for a server that answers in the user's language. */
  language: () => Language;
}

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    possibleTypes: {
      Node: ["Account", "User", "AccountMember", "AccountInvitation", "ContactRole", "ContactVerification", "ContactChange", "AccountSettingChange", "MemberChange", "NotificationDelivery", "WebhookEndpoint", "WebhookDelivery"],
      ContactChangeActor: ["User", "ExternalContact"],
    },
    typePolicies: {
      Query: {
        fields: {
          accounts: relayStylePagination(),
        },
      },
      Account: {
        fields: {
          members: relayStylePagination(),
          // The changes since a version are a list of their own, not a page of the whole history.
          contactHistory: relayStylePagination(["sinceVersion"]),
        },
      },
      // One per account, selected by several operations: merge the copies, never replace.
      ContactHealth: { keyFields: false, merge: true },
      PageInfo: { keyFields: false, merge: true },
      ContactIssue: { keyFields: false },
    },
  });
}

export function createClient(apiUrl: string, session: ClientSession): ApolloClient {
  const headers = new SetContextLink((previous) => {
    const token = session.token();
    return {
      headers: {
        ...previous.headers,
        "accept-language": session.language(),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    };
  });
  return new ApolloClient({
    link: ApolloLink.from([headers, new HttpLink({ uri: apiUrl })]),
    cache: createCache(),
  });
}
