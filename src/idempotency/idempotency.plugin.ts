import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from "@apollo/server";
import type { Database } from "../database";
import type { Caller } from "../context";
import { ErrorCode } from "../errors";
import { FALLBACK_LOCALE, translate, type Locale, type MessageKey } from "../i18n";
import { IdempotentRequest, requestFingerprint, storedKey } from "./idempotency.service";

/** The header, as Stripe names it. */
export const IDEMPOTENCY_HEADER = "idempotency-key";
/** Printable ASCII, as a header carries it; a UUID fits easily. */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;
/** How long a retry waits for the first request with its key to finish before it is told to come back. */
const IN_FLIGHT_WAIT_MS = 5_000;
/** How often a waiting retry looks for the first answer. */
const IN_FLIGHT_POLL_MS = 100;

/** Who may use a key: a signed-in user by their address; anonymous callers (confirmation links) share one space. */
function callerScope(caller: Caller): string | null {
  if (caller.kind === "identified") return `user:${caller.identity.email.toLowerCase()}`;
  if (caller.kind === "anonymous") return "anonymous";
  return null;
}

/** An answer of this plugin's own: one error with its code, in the request's language. */
function refusal(
  code: ErrorCode,
  key: MessageKey,
  status: number,
  locale: Locale,
  extensions: Record<string, unknown> = {},
): GraphQLResponse {
  const headers = new HeaderMap();
  if (typeof extensions.retryAfterSeconds === "number") headers.set("retry-after", String(extensions.retryAfterSeconds));
  return {
    http: { status, headers },
    body: { kind: "single", singleResult: { errors: [{ message: translate(locale, key), extensions: { code, ...extensions } }] } },
  };
}

export interface IdempotencySettings {
  /** How long keys are kept, in hours. */
  keyHours: number;
}

interface IdempotencyContext {
  caller: Caller;
  idempotency: IdempotentRequest | null;
  scope?: { locale?: Locale };
}

/**
 * Reads `Idempotency-Key` on mutations (src/idempotency/idempotency.service.ts): answers a retry from
 * the stored answer, refuses a key used for another request, and stores the answer of a request that
 * changed something. Keys older than `keyHours` are forgotten.
 */
export function idempotencyPlugin<TContext extends IdempotencyContext>(
  db: Database,
  settings: IdempotencySettings,
  log: (error: unknown) => void,
): ApolloServerPlugin<TContext> {
  const keptMs = settings.keyHours * 3600_000;
  return {
    async requestDidStart({ request }) {
      const key = request.http?.headers.get(IDEMPOTENCY_HEADER);
      if (key === undefined) return;
      let replayed = false;
      return {
        async responseForOperation({ operation, document, contextValue, request: graphqlRequest }) {
          if (operation.operation !== "mutation") return null;
          const locale = contextValue.scope?.locale ?? FALLBACK_LOCALE;
          if (!KEY_SHAPE.test(key)) {
            return refusal(ErrorCode.BAD_USER_INPUT, "BAD_USER_INPUT.idempotencyKeyInvalid", 400, locale, {
              invalidFields: [{ field: "Idempotency-Key", message: translate(locale, "BAD_USER_INPUT.idempotencyKeyInvalid") }],
            });
          }
          const caller = callerScope(contextValue.caller);
          if (caller === null) return null; // an invalid token: the mutation is refused as UNAUTHENTICATED
          const fingerprint = requestFingerprint(document, graphqlRequest.operationName, graphqlRequest.variables);
          const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
          for (;;) {
            const stored = await storedKey(db, caller, key, keptMs);
            if (!stored) break;
            if (stored.fingerprint !== fingerprint)
              return refusal(ErrorCode.IDEMPOTENCY_KEY_REUSED, "IDEMPOTENCY_KEY_REUSED.otherRequest", 422, locale);
            if (stored.response !== null) {
              replayed = true;
              return {
                http: { status: stored.status ?? 200, headers: new HeaderMap([["idempotent-replayed", "true"]]) },
                body: { kind: "single", singleResult: JSON.parse(stored.response) as Record<string, never> },
              };
            }
            // The first request with this key has committed a change and is still running, or stopped before it answered.
            if (Date.now() >= deadline)
              return refusal(ErrorCode.IDEMPOTENCY_KEY_IN_USE, "IDEMPOTENCY_KEY_IN_USE.running", 409, locale, { retryAfterSeconds: 1 });
            await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
          }
          // Apollo runs the operation on a copy of the context: the resolvers see this one.
          contextValue.idempotency = new IdempotentRequest(caller, key, fingerprint, keptMs);
          return null;
        },
        async willSendResponse({ response, contextValue }) {
          const idempotent = contextValue.idempotency;
          if (replayed || !idempotent?.claimed || response.body.kind !== "single") return;
          // The answer as this plugin sees it; the plugins after it shape it the same way again when it is replayed.
          const body = JSON.stringify(response.body.singleResult);
          // The change is kept whatever happens here; a retry then hears IDEMPOTENCY_KEY_IN_USE rather than running it again.
          await idempotent.storeAnswer(db, response.http.status ?? 200, body).catch(log);
        },
      };
    },
  };
}
