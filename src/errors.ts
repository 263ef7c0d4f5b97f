import { GraphQLError, Kind, type GraphQLErrorOptions, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ArgumentValidationError } from "type-graphql";
import type { ValidationError } from "class-validator";
import { FALLBACK_LOCALE, message, renderMessage, translate, type Locale, type Message, type MessageKey, type Params } from "./i18n";

/** The error codes of the contract; every error a client sees carries one in `extensions.code`. */
export enum ErrorCode {
  UNAUTHENTICATED = "UNAUTHENTICATED",
  NOT_FOUND = "NOT_FOUND",
  FORBIDDEN = "FORBIDDEN",
  BAD_USER_INPUT = "BAD_USER_INPUT",
  BILLING_CONTACT_LIMIT = "BILLING_CONTACT_LIMIT",
  PRIMARY_CONTACT_REQUIRED = "PRIMARY_CONTACT_REQUIRED",
  LAST_ADMIN = "LAST_ADMIN",
  /** The chosen person is invited but has not accepted: show them as invited, and offer no slot until they accept. */
  INVITATION_PENDING = "INVITATION_PENDING",
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

/** A message key of an error code: `BAD_USER_INPUT.verificationTokenExpired` is a BAD_USER_INPUT. */
export type ErrorKey = Extract<MessageKey, `${ErrorCode}.${string}`>;

/** One refused input field and why, in words still to be rendered. */
export interface InvalidField {
  field: string;
  message: Message;
}

/**
 * A failure the client caused or can act on: its message is shown to the user as it is, in the
 * request's language. It carries the message key and parameters; `message` is the English text, for logs.
 */
export class DomainError extends GraphQLError {
  readonly code: ErrorCode;
  readonly text: Message;
  readonly invalidFields: InvalidField[] | undefined;

  constructor(key: ErrorKey, params: Params = {}, extra: Record<string, unknown> = {}, invalidFields?: InvalidField[]) {
    const code = key.slice(0, key.indexOf(".")) as ErrorCode;
    const status = HTTP_STATUS[code];
    // A client told how long to wait hears it the standard way too.
    const headers = typeof extra.retryAfterSeconds === "number" ? { headers: new Map([["retry-after", String(extra.retryAfterSeconds)]]) } : {};
    const english = invalidFields?.map((entry) => ({ field: entry.field, message: renderMessage(FALLBACK_LOCALE, entry.message) }));
    super(translate(FALLBACK_LOCALE, key, params), {
      extensions: { code, ...extra, ...(english ? { invalidFields: english } : {}), ...(status ? { http: { status, ...headers } } : {}) },
    });
    this.code = code;
    this.text = message(key, params);
    this.invalidFields = invalidFields;
  }

  /** The error's extensions as a client sees them, its messages in `locale`. */
  extensionsIn(locale: Locale, fieldPrefix: string): Record<string, unknown> {
    const { http: _http, ...extensions } = this.extensions as Record<string, unknown>;
    if (this.invalidFields) {
      extensions.invalidFields = this.invalidFields.map((entry) => ({ field: fieldPrefix + entry.field, message: renderMessage(locale, entry.message) }));
    }
    return extensions;
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

/** NOT_FOUND for an account, or for an object of another type (`User`, `ContactChange`). */
export const notFound = (type = "account") =>
  type === "account" ? new DomainError("NOT_FOUND.account") : new DomainError("NOT_FOUND.object", { type });

/**
 * Invalid input, always in one shape: `extensions.invalidFields: [{ field, message }]`. `field` is the
 * argument's path as the resolver sees it (`userId`); for a mutation the formatter makes it the path
 * from the operation (`input.userId`).
 */
export const badInput = (key: Extract<ErrorKey, `BAD_USER_INPUT.${string}`>, params: Params, field: string) =>
  new DomainError(key, params, {}, [{ field, message: message(key, params) }]);

/**
 * How an input validator puts a refusal in words: the decorators of the inputs pass one as their
 * class-validator `context`, and the formatter calls it with the refused value.
 */
export type ConstraintMessage = (value: unknown, property: string) => Message;

/** class-validator options that give a constraint its words in every language. */
export const worded = (describe: ConstraintMessage) => ({ context: { describe } });

function constraintMessage(error: ValidationError, constraint: string): Message {
  const describe = (error.contexts?.[constraint] as { describe?: unknown } | undefined)?.describe;
  return typeof describe === "function" ? (describe as ConstraintMessage)(error.value, error.property) : message("BAD_USER_INPUT.invalidField", { field: error.property });
}

function describeValidation(errors: ValidationError[], prefix: string, locale: Locale): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = Object.keys(error.constraints ?? {}).map((constraint) => ({ field, message: renderMessage(locale, constraintMessage(error, constraint)) }));
    return [...own, ...describeValidation(error.children ?? [], `${field}.`, locale)];
  });
}

/**
 * A request error graphql-js reports with its own code (a validation rule of ours, say) whose message
 * is ours to word: the formatter renders it in the request's language and keeps graphql-js's code.
 */
export class LocalisedRequestError extends GraphQLError {
  readonly text: Message;

  constructor(key: MessageKey, params: Params, options: GraphQLErrorOptions) {
    super(translate(FALLBACK_LOCALE, key, params), options);
    this.text = message(key, params);
  }
}

/** Logs an unexpected error; `requestId` names the request it happened in, when there is one. */
export type ErrorLogger = (error: unknown, requestId?: string) => void;

/** What the error formatter knows of the request an error belongs to. */
export interface ErrorScope {
  requestId: string;
  locale?: Locale;
}

/** Apollo wraps an error a validation rule reports in its own ValidationError; the domain error is its cause. */
function domainCause(error: unknown): unknown {
  const ours = (candidate: unknown) => candidate instanceof DomainError || candidate instanceof LocalisedRequestError;
  const wrapped = error instanceof GraphQLError && !ours(error) && ours(error.originalError);
  return wrapped ? error.originalError : error;
}

/** `input.` when the error comes from a field with an `input` argument (a mutation): its fields are paths in it. */
function inputPrefix(error: unknown): string {
  const node = error instanceof GraphQLError ? error.nodes?.[0] : undefined;
  return node?.kind === Kind.FIELD && node.arguments?.some((argument) => argument.name.value === "input") ? "input." : "";
}

/**
 * Apollo's formatError: domain errors and GraphQL's own request errors pass through; class-validator
 * failures become BAD_USER_INPUT listing the fields; anything else is logged and masked. The messages
 * this service words are rendered here, once, in the language of the request `scopeOf` names for the error.
 */
export function createErrorFormatter(log: ErrorLogger, scopeOf: (error: unknown) => ErrorScope | undefined = () => undefined) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const scope = scopeOf(error);
    const locale = scope?.locale ?? FALLBACK_LOCALE;
    const original = domainCause(unwrapResolverError(error));
    const base = { locations: formatted.locations, path: formatted.path };
    const prefix = inputPrefix(error);
    const code = formatted.extensions?.code;
    if (original instanceof ArgumentValidationError) {
      // A validator that throws (a lone UTF-16 surrogate can) leaves no list of failures behind.
      const failures = original.extensions.validationErrors;
      const invalid = Array.isArray(failures) ? describeValidation(failures as ValidationError[], prefix, locale) : [];
      const first = invalid[0];
      const text = first ? first.message : translate(locale, "BAD_USER_INPUT.invalidInput");
      return {
        ...base,
        message: text,
        extensions: { code: ErrorCode.BAD_USER_INPUT, invalidFields: invalid.length ? invalid : [{ field: prefix ? "input" : "", message: text }] },
      };
    }
    if (original instanceof DatabaseUnavailableError) {
      // Not logged per request: the outage's start and end are (src/observability/database-health.ts).
      const key = original.during === "write" ? "SERVICE_UNAVAILABLE.writeFailed" : "SERVICE_UNAVAILABLE.readFailed";
      return { ...base, message: translate(locale, key), extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
    }
    if (original instanceof DomainError) {
      return { ...base, message: renderMessage(locale, original.text), extensions: original.extensionsIn(locale, prefix) };
    }
    if (original instanceof LocalisedRequestError) {
      return { ...base, message: renderMessage(locale, original.text), extensions: { code } };
    }
    // graphql-js and Apollo's own request errors (parse, validation, variable coercion) carry a code
    // and a message written for the client; an Error thrown anywhere else is a bug and is masked.
    const isRequestError = original instanceof GraphQLError && typeof code === "string" && code !== ErrorCode.INTERNAL_SERVER_ERROR;
    if (isRequestError) return { ...base, message: formatted.message, extensions: { code } };
    log(original, scope?.requestId);
    return {
      ...base,
      message: translate(locale, "INTERNAL_SERVER_ERROR.unexpected"),
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
export function savedChangesPlugin<TContext extends BaseContext>(localeOf: (context: TContext) => Locale = () => FALLBACK_LOCALE): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, response, contextValue }) {
          if (operation?.operation !== "mutation" || response.body.kind !== "single") return;
          const errors = response.body.singleResult.errors;
          if (!errors) return;
          response.body.singleResult.errors = errors.map((error) =>
            (error.path?.length ?? 0) > 1
              ? {
                  ...error,
                  message: translate(localeOf(contextValue), "changeSaved.readBackFailed", { message: error.message }),
                  extensions: { ...error.extensions, changeSaved: true },
                }
              : error,
          );
        },
      };
    },
  };
}
