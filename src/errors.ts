import { GraphQLError, Kind, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { ApolloServerPlugin } from "@apollo/server";
import { ArgumentValidationError } from "type-graphql";
import type { ValidationError } from "class-validator";

/** The error codes of the contract; every error a client sees carries one in `extensions.code`. */
export enum ErrorCode {
  UNAUTHENTICATED = "UNAUTHENTICATED",
  NOT_FOUND = "NOT_FOUND",
  FORBIDDEN = "FORBIDDEN",
  BAD_USER_INPUT = "BAD_USER_INPUT",
  BILLING_CONTACT_LIMIT = "BILLING_CONTACT_LIMIT",
  PRIMARY_CONTACT_REQUIRED = "PRIMARY_CONTACT_REQUIRED",
  LAST_ADMIN = "LAST_ADMIN",
  VERSION_CONFLICT = "VERSION_CONFLICT",
  INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR",
  /** The database could not serve the request (full disk, I/O error, lost connection); a write kept nothing. */
  SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE",
  // Request limits (src/security): refused before any resolver runs.
  QUERY_TOO_DEEP = "QUERY_TOO_DEEP",
  TOO_MANY_ALIASES = "TOO_MANY_ALIASES",
  TOO_MANY_DIRECTIVES = "TOO_MANY_DIRECTIVES",
  QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX",
  TOO_MANY_INTROSPECTIONS = "TOO_MANY_INTROSPECTIONS",
  QUERY_TOO_LARGE = "QUERY_TOO_LARGE",
  BATCHING_NOT_SUPPORTED = "BATCHING_NOT_SUPPORTED",
  PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE",
  RATE_LIMITED = "RATE_LIMITED",
}

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.QUERY_TOO_DEEP]: 400,
  [ErrorCode.TOO_MANY_ALIASES]: 400,
  [ErrorCode.TOO_MANY_DIRECTIVES]: 400,
  [ErrorCode.QUERY_TOO_COMPLEX]: 400,
  [ErrorCode.TOO_MANY_INTROSPECTIONS]: 400,
  [ErrorCode.QUERY_TOO_LARGE]: 400,
  [ErrorCode.BATCHING_NOT_SUPPORTED]: 400,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
};

/** A failure the client caused or can act on: its message is shown to the user as it is. */
export class DomainError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    const status = HTTP_STATUS[code];
    // A client told how long to wait hears it the standard way too.
    const headers = typeof extra.retryAfterSeconds === "number" ? { headers: new Map([["retry-after", String(extra.retryAfterSeconds)]]) } : {};
    super(message, { extensions: { code, ...extra, ...(status ? { http: { status, ...headers } } : {}) } });
  }
}

/**
 * The database could not serve a request: a full disk, an I/O error, a lost connection. For a write,
 * nothing of it was kept: its transaction was rolled back (or, on PostgreSQL, found not to have
 * committed). Either may be retried; `/healthz` reports a writer that keeps failing.
 */
export class DatabaseUnavailableError extends Error {
  constructor(
    readonly during: "read" | "write",
    cause: unknown,
  ) {
    super(`The database could not serve a ${during}.`, { cause });
  }
}

export const notFound = (what = "account") =>
  new DomainError(ErrorCode.NOT_FOUND, `No ${what} with that id exists, or you are not a member of it.`);

/**
 * Invalid input, always in one shape: `extensions.invalidFields: [{ field, message }]`. `field` is the
 * argument's path as the resolver sees it (`userId`); for a mutation the formatter makes it the path
 * from the operation (`input.userId`).
 */
export const badInput = (message: string, field: string) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, { invalidFields: [{ field, message }] });

function describeValidation(errors: ValidationError[], prefix: string): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...describeValidation(error.children ?? [], `${field}.`)];
  });
}

function capitalise(sentence: string): string {
  const text = sentence.charAt(0).toUpperCase() + sentence.slice(1);
  return text.endsWith(".") ? text : `${text}.`;
}

export type ErrorLogger = (error: unknown) => void;

/** Apollo wraps an error a validation rule reports in its own ValidationError; the domain error is its cause. */
function domainCause(error: unknown): unknown {
  const wrapped = error instanceof GraphQLError && !(error instanceof DomainError) && error.originalError instanceof DomainError;
  return wrapped ? error.originalError : error;
}

/** `input.` when the error comes from a field with an `input` argument (a mutation): its fields are paths in it. */
function inputPrefix(error: unknown): string {
  const node = error instanceof GraphQLError ? error.nodes?.[0] : undefined;
  return node?.kind === Kind.FIELD && node.arguments?.some((argument) => argument.name.value === "input") ? "input." : "";
}

/**
 * Apollo's formatError: domain errors and GraphQL's own request errors pass through; class-validator
 * failures become BAD_USER_INPUT listing the fields; anything else is logged and masked.
 */
export function createErrorFormatter(log: ErrorLogger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = domainCause(unwrapResolverError(error));
    const base = { locations: formatted.locations, path: formatted.path };
    const prefix = inputPrefix(error);
    if (original instanceof ArgumentValidationError) {
      // A validator that throws (a lone UTF-16 surrogate can) leaves no list of failures behind.
      const failures = original.extensions.validationErrors;
      const invalid = Array.isArray(failures) ? describeValidation(failures as ValidationError[], prefix) : [];
      const first = invalid[0];
      const message = first ? capitalise(first.message) : "The input is not valid.";
      return {
        ...base,
        message,
        extensions: { code: ErrorCode.BAD_USER_INPUT, invalidFields: invalid.length ? invalid : [{ field: prefix ? "input" : "", message }] },
      };
    }
    if (original instanceof DatabaseUnavailableError) {
      log(original.cause);
      const message =
        original.during === "write"
          ? "Nothing was saved: the database cannot store changes right now. Try again in a moment."
          : "The database did not answer. Try again in a moment.";
      return { ...base, message, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
    }
    if (original instanceof DomainError) {
      const { http: _http, ...extensions } = original.extensions as Record<string, unknown>;
      if (Array.isArray(extensions.invalidFields)) {
        extensions.invalidFields = (extensions.invalidFields as { field: string; message: string }[]).map((entry) => ({
          ...entry,
          field: prefix + entry.field,
        }));
      }
      return { ...base, message: original.message, extensions };
    }
    // graphql-js and Apollo's own request errors (parse, validation, variable coercion) carry a code
    // and a message written for the client; an Error thrown anywhere else is a bug and is masked.
    const code = formatted.extensions?.code;
    const isRequestError = original instanceof GraphQLError && typeof code === "string" && code !== ErrorCode.INTERNAL_SERVER_ERROR;
    if (isRequestError) return { ...base, message: formatted.message, extensions: { code } };
    log(original);
    return {
      ...base,
      message: "Something went wrong on our side. Please try again.",
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

/**
 * Tells a client when a change was kept although its answer carries an error. Every mutation commits
 * inside its root field's resolver, so an error below a root mutation field (a field of its payload,
 * read back after the commit) never means the change failed: it is marked `extensions.changeSaved` and
 * its message says not to send the change again.
 */
export function savedChangesPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, response }) {
          if (operation?.operation !== "mutation" || response.body.kind !== "single") return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          response.body.singleResult.errors = errors.map((error) =>
            (error.path?.length ?? 0) > 1
              ? {
                  ...error,
                  message: `The change was saved, but reading it back failed: reload instead of sending it again. (${error.message})`,
                  extensions: { ...error.extensions, changeSaved: true },
                }
              : error,
          );
        },
      };
    },
  };
}
