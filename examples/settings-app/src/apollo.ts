// Apollo Client for the API, configured as docs/frontend.md ("Apollo Client") describes: objects are
// cached by __typename and global id; connections merge their pages; value objects without an id
// stay inside their parent. Queries and mutations go over HTTP, subscriptions over one WebSocket
// (the graphql-ws protocol) on the same path, signed in with the same token.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { SetContextLink } from "@apollo/client/link/context";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition, relayStylePagination } from "@apollo/client/utilities";
import { CloseCode, createClient as createWsClient } from "graphql-ws";
import { tap } from "rxjs";
import type { Language } from "./i18n";

export interface ClientSession {
  /** The bearer token, held in memory only; read on every request, so a new one applies at once. */
  token: () => string | null;
  /** Sent as Accept-Language, for a server that answers in the user's language. */
  language: () => Language;
  /** The API closed the live-update socket refusing the token (bad, or expired since): sign in again. */
  signInRefused: () => void;
}

function isCloseEvent(event: unknown): event is { code: number; reason: string } {
  return typeof event === "object" && event !== null && "code" in event && "reason" in event;
}

export function createCache(): InMemoryCache {
  return new InMemoryCache({
    possibleTypes: {
      Node: [
        "Account",
        "User",
        "AccountMember",
        "AccountInvitation",
        "ContactRole",
        "ContactVerification",
        "ContactChange",
        "AccountSettingChange",
        "MemberChange",
        "NotificationDelivery",
        "WebhookEndpoint",
        "WebhookDelivery",
      ],
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

/**
 * A subscription's context asks for it: after a lost connection, graphql-ws subscribes again with the
 * variables it was first given, so this link keeps the named variable at the last event's cursor and
 * the subscription resumes after the last event seen rather than from where it started.
 */
export interface ResumeContext {
  resume?: { variable: string; cursorOf: (data: unknown) => number | null };
}

function resumeLink(): ApolloLink {
  return new ApolloLink((operation, forward) => {
    const { resume } = operation.getContext() as ResumeContext;
    if (!resume) return forward(operation);
    // graphql-ws keeps this object and sends it again on each reconnection.
    const variables: Record<string, unknown> = { ...operation.variables };
    operation.variables = variables;
    return forward(operation).pipe(
      tap((result) => {
        const cursor = resume.cursorOf(result.data);
        if (cursor !== null) variables[resume.variable] = cursor;
      }),
    );
  });
}

/** The API's WebSocket address: the same host and path, ws: for http: and wss: for https:. */
export function webSocketUrl(apiUrl: string): string {
  const url = new URL(apiUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
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
  const webSocket = createWsClient({
    url: webSocketUrl(apiUrl),
    // Read at each (re)connection, so a new token applies to the next one.
    connectionParams: () => {
      const token = session.token();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    // A lost connection is tried again for as long as the page is open, with graphql-ws's randomised
    // back-off. A refused token (4403, also sent when it expires) is not: the user signs in again. The
    // socket is open only while a subscription is.
    retryAttempts: Infinity,
    shouldRetry: (event) => isCloseEvent(event) && event.code !== CloseCode.Forbidden,
    on: {
      closed: (event) => {
        if (isCloseEvent(event) && event.code === CloseCode.Forbidden) session.signInRefused();
      },
    },
  });
  const isSubscription = ({ query }: ApolloLink.Operation) => {
    const definition = getMainDefinition(query);
    return definition.kind === "OperationDefinition" && definition.operation === "subscription";
  };
  return new ApolloClient({
    link: ApolloLink.split(
      isSubscription,
      ApolloLink.from([resumeLink(), new GraphQLWsLink(webSocket)]),
      ApolloLink.from([headers, new HttpLink({ uri: apiUrl })]),
    ),
    cache: createCache(),
  });
}
