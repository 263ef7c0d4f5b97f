// Turns whatever Apollo Client reports into the API's error codes, and a code into a sentence in the
// user's language. The server's English `message` is never shown: `extensions.code` says what happened.
import { CombinedGraphQLErrors, ServerError, ServerParseError } from "@apollo/client/errors";
import type { FieldProblem, Messages } from "./i18n";

/** One error as the API reports it (docs/frontend.md, "Errors"). */
export interface ApiProblem {
  code: string;
  /** For BAD_USER_INPUT: the input path of the refused field, e.g. `input.roleContacts.2.email`. */
  field?: string;
  retryAfterSeconds?: number;
  limit?: number;
  /** The mutation's change was committed; only reading its answer failed. */
  changeSaved?: boolean;
}

/** Codes that mean this screen sent something the server will never accept: a bug to fix here. */
const CLIENT_FAULTS = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PAYLOAD_TOO_LARGE",
  "QUERY_TOO_DEEP",
  "QUERY_TOO_COMPLEX",
  "QUERY_TOO_LARGE",
  "TOO_MANY_ALIASES",
  "TOO_MANY_DIRECTIVES",
  "TOO_MANY_INTROSPECTIONS",
  "BATCHING_NOT_SUPPORTED",
  "PERSISTED_QUERY_NOT_FOUND",
  "OPERATION_RESOLUTION_FAILURE",
]);

/** The screen's own code for "no answer at all". */
export const NETWORK = "NETWORK";

interface ErrorEntry {
  extensions?: Record<string, unknown> | null;
}

function fromEntries(entries: readonly ErrorEntry[]): ApiProblem[] {
  return entries.flatMap((entry) => {
    const extensions = entry.extensions ?? {};
    const code = typeof extensions.code === "string" ? extensions.code : "INTERNAL_SERVER_ERROR";
    const base: ApiProblem = { code };
    if (typeof extensions.retryAfterSeconds === "number") base.retryAfterSeconds = extensions.retryAfterSeconds;
    if (typeof extensions.limit === "number") base.limit = extensions.limit;
    if (extensions.changeSaved === true) base.changeSaved = true;
    const invalid = Array.isArray(extensions.invalidFields) ? (extensions.invalidFields as { field?: unknown }[]) : [];
    const fields = invalid.map((entry) => entry.field).filter((field): field is string => typeof field === "string");
    return fields.length > 0 ? fields.map((field) => ({ ...base, field })) : [base];
  });
}

/** The body of a non-2xx answer (401, 429, 413…): the API still sends its errors, each with a code. */
function fromHttpAnswer(status: number, bodyText: string, retryAfter: string | null): ApiProblem[] {
  try {
    const body = JSON.parse(bodyText) as { errors?: ErrorEntry[] };
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      return fromEntries(body.errors).map((problem) =>
        problem.retryAfterSeconds === undefined && retryAfter !== null && /^\d+$/.test(retryAfter)
          ? { ...problem, retryAfterSeconds: Number(retryAfter) }
          : problem,
      );
    }
  } catch {
    // Not JSON: a proxy's page, say. The status is all there is.
  }
  if (status === 401) return [{ code: "UNAUTHENTICATED" }];
  if (status === 429) return [{ code: "RATE_LIMITED" }];
  if (status === 503) return [{ code: "SERVICE_UNAVAILABLE" }];
  return [{ code: `HTTP_${status}` }];
}

/** Every problem in an error Apollo Client threw or returned, by code. */
export function problemsOf(error: unknown): ApiProblem[] {
  if (CombinedGraphQLErrors.is(error)) return fromEntries(error.errors);
  if (ServerError.is(error)) return fromHttpAnswer(error.statusCode, error.bodyText, error.response.headers.get("retry-after"));
  if (ServerParseError.is(error)) return fromHttpAnswer(error.statusCode, error.bodyText, null);
  // fetch() rejects with a TypeError when the server is down or CORS refuses the page's origin.
  return [{ code: NETWORK }];
}

/** The sentence for one problem, in the user's language. */
export function describeProblem(messages: Messages, problem: ApiProblem, apiUrl: string): string {
  const { errors } = messages;
  if (problem.changeSaved) return errors.changeSaved;
  switch (problem.code) {
    case "UNAUTHENTICATED":
    case "NOT_FOUND":
    case "FORBIDDEN":
    case "BAD_USER_INPUT":
    case "PRIMARY_CONTACT_REQUIRED":
    case "LAST_ADMIN":
    case "VERSION_CONFLICT":
    case "SERVICE_UNAVAILABLE":
    case "INTERNAL_SERVER_ERROR":
      return errors[problem.code];
    case "BILLING_CONTACT_LIMIT":
      return errors.BILLING_CONTACT_LIMIT(problem.limit ?? 3);
    case "RATE_LIMITED":
      return errors.RATE_LIMITED(problem.retryAfterSeconds ?? null);
    case NETWORK:
      return errors.network(apiUrl);
    default:
      return CLIENT_FAULTS.has(problem.code) ? errors.clientFault(problem.code) : errors.unknown(problem.code);
  }
}

/** What kind of value a refused input field holds, for the message shown next to it. */
export function fieldProblem(field: string): FieldProblem {
  if (/(^|\.)email$/.test(field)) return "invalidEmail";
  if (/(userId|UserIds(\.\d+)?)$/.test(field)) return "notMember";
  return "invalidValue";
}
