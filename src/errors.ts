import { GraphQLEnumType, GraphQLError, Kind, type GraphQLErrorOptions, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { ApolloServerPlugin, BaseContext } from "@apollo/server";
import { ArgumentValidationError } from "type-graphql";
import type { ValidationError } from "class-validator";
import { FALLBACK_LOCALE, message, renderMessage, translate, type Locale, type Message, type MessageKey, type Params } from "./i18n";

/** The error codes of the API; every error a client sees carries one in `extensions.code`. */
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
  /** The owner of an outside address said it is not theirs: nothing more is sent to it. */
  ADDRESS_DECLINED = "ADDRESS_DECLINED",
  /** A webhook endpoint's URL points where this service does not send: not https, or an internal address. */
  WEBHOOK_URL_REFUSED = "WEBHOOK_URL_REFUSED",
  /** An outside contact address whose domain the account's allow-list (Account.allowedContactDomains) leaves out. */
  CONTACT_DOMAIN_NOT_ALLOWED = "CONTACT_DOMAIN_NOT_ALLOWED",
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
  // Idempotency-Key (src/idempotency).
  IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED",
  IDEMPOTENCY_KEY_IN_USE = "IDEMPOTENCY_KEY_IN_USE",
  // Sent by graphql-js and Apollo Server for requests that never reach a resolver.
  GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED",
  BAD_REQUEST = "BAD_REQUEST",
  OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE",
  PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED",
  // Trusted documents (src/security/trusted-documents.ts).
  PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND",
  TRUSTED_DOCUMENT_REQUIRED = "TRUSTED_DOCUMENT_REQUIRED",
}

const BUG = "A bug in the client: fix the request (regenerate types from schema.graphql).";

/**
 * What each code means to a screen, and the extensions it brings: the descriptions of the schema's
 * `ErrorCode` enum. A code without an entry does not compile.
 */
export const ERROR_CODE_GUIDE: Record<ErrorCode, string> = {
  UNAUTHENTICATED:
    "HTTP 401. No token, or a bad, expired or over-long one (the message says which). Send the user to sign in again, then retry.",
  NOT_FOUND:
    "The id names nothing the caller may see: the object does not exist, the caller is not a member of its account, or the id is malformed (all answered alike). `account(id:)` and `node(id:)` answer null beside it. Extensions: `invalidFields` when the id came in a mutation's input. Say the page does not exist or is no longer accessible; leave it.",
  FORBIDDEN:
    "A MEMBER tried something that needs ADMIN. Hide or disable the control (Account.viewerRole); if it still happens, show the message and reload.",
  BAD_USER_INPUT:
    "Invalid input. Extensions: `invalidFields: [{ field, message }]`, `field` a path such as `input.roleContacts.0.email`. Show each message next to its field.",
  BILLING_CONTACT_LIMIT:
    "A fourth billing contact. Extensions: `limit` (3), `invalidFields` (`input.billingContactUserIds` or `input.userId`). Say to remove one first; disable Add at the limit.",
  PRIMARY_CONTACT_REQUIRED:
    "Removing the member who is the primary contact, or the primary contact leaving. Extensions: `invalidFields` (`input.userId`) when removing. Ask for another primary contact first, or offer `reassignTo`.",
  LAST_ADMIN:
    "Removing, demoting or leaving as the last admin. Extensions: `invalidFields` (`input.userId` or `input.role`) unless the caller is leaving. Ask to make someone else an admin first.",
  INVITATION_PENDING:
    "The chosen person was invited and has not accepted yet, so they can hold no contact slot. Extensions: `invalidFields` naming the field that chose them. Show them as invited; offer the slot once they accept.",
  VERSION_CONFLICT:
    "Someone changed the contacts since the form was loaded (a stale `expectedVersion`). Extensions: `currentVersion`, `invalidFields` (`input.expectedVersion`). Reload, show what changed, and let the user apply their change again.",
  ADDRESS_DECLINED:
    'The owner of the role\'s outside address answered "This is not me", so nothing more is sent to it (asking it to confirm again is refused). Extensions: `invalidFields` (`input.role`). Show that the address was declined; offer another address (setting the same one again asks anew).',
  WEBHOOK_URL_REFUSED:
    "A webhook endpoint's URL was refused: not https://, carrying a user name or password, not resolving, or resolving to a loopback, private, link-local or other internal address. Extensions: `invalidFields` (`input.url`). Show the message next to the URL; the receiver needs a public HTTPS address.",
  CONTACT_DOMAIN_NOT_ALLOWED:
    "An outside address for a role whose domain is not on the account's list (Account.allowedContactDomains; matched exactly, so a subdomain must be listed itself). Nothing was saved. Extensions: `invalidFields` (`input.email` or `input.roleContacts.N.email`; `input.role` from resendContactVerification, for an address held since before the list). Show the message next to the address and the allowed domains; ask for an address at one of them, or a member.",
  INTERNAL_SERVER_ERROR:
    "Something unexpected; no internals are included. Say something went wrong; a retry is safe. Quote the X-Request-Id response header when reporting it.",
  SERVICE_UNAVAILABLE:
    "The database cannot store or read right now (full disk, lost connection). Nothing was saved unless the error has `changeSaved: true`. Say to try again in a moment; a retry is safe.",
  QUERY_TOO_DEEP: `HTTP 400. The operation nests deeper than the server allows. ${BUG}`,
  TOO_MANY_ALIASES: `HTTP 400. The operation uses more aliases than the server allows. ${BUG}`,
  TOO_MANY_DIRECTIVES: `HTTP 400. The operation uses more directives than the server allows. ${BUG}`,
  QUERY_TOO_COMPLEX: `HTTP 400. The operation asks for too much at once; page with first/after. ${BUG}`,
  TOO_MANY_INTROSPECTIONS: `HTTP 400. A second __schema or __type in one request from a caller without a valid token. ${BUG}`,
  QUERY_TOO_LARGE: `HTTP 400. The operation has more tokens than the server allows. ${BUG}`,
  BATCHING_NOT_SUPPORTED: `HTTP 400. A JSON array of operations; send one operation per request. ${BUG}`,
  PAYLOAD_TOO_LARGE: `HTTP 413. The request body is larger than the server accepts. ${BUG}`,
  RATE_LIMITED:
    "HTTP 429. Too many changes in a short time, or more mail than an account's or address's cap allows. Extensions: `retryAfterSeconds` (also the Retry-After header). Wait that long, then retry; for mail caps say when it can be sent. " +
    "Over WebSocket, without `retryAfterSeconds`: the socket already runs as many subscriptions as it may; complete one first.",
  IDEMPOTENCY_KEY_REUSED:
    "HTTP 422. The Idempotency-Key was already used by this caller for a different request (other document, operation or variables). Nothing ran. A bug in the client: use a new key for each new change, and the same key only to retry the same request.",
  IDEMPOTENCY_KEY_IN_USE:
    "HTTP 409. A request with this Idempotency-Key has saved a change and has not answered yet (still running, or stopped before it could). Nothing ran again. Extensions: `retryAfterSeconds`. Do not send the change under a new key: reload to see it, or retry with the same key later.",
  GRAPHQL_PARSE_FAILED: `HTTP 400. The document is not valid GraphQL. ${BUG}`,
  GRAPHQL_VALIDATION_FAILED: `HTTP 400. The document does not match the schema. ${BUG}`,
  BAD_REQUEST: `HTTP 400. The request is malformed: broken JSON, no query, or a mutation sent with GET. ${BUG}`,
  OPERATION_RESOLUTION_FAILURE: `HTTP 400. The document holds several operations and operationName names none of them. ${BUG}`,
  PERSISTED_QUERY_NOT_SUPPORTED: `HTTP 400. The server keeps no persisted queries; send the whole document. ${BUG}`,
  PERSISTED_QUERY_NOT_FOUND: `HTTP 400. The documentId (or persistedQuery hash) names no trusted document of this server: the client was built from another manifest than the server was deployed with. Deploy them together. ${BUG}`,
  TRUSTED_DOCUMENT_REQUIRED:
    "HTTP 400. The server runs only its trusted documents (TRUSTED_DOCUMENTS=only) and the request sent a document's text that is not one of them. Build the client with persisted documents and send their ids; use a server that accepts text (GraphiQL, development) to explore.",
};

/** The schema's `ErrorCode` enum, made from ErrorCode and ERROR_CODE_GUIDE (no field returns it: it types `extensions.code`). */
export function errorCodeEnum(): GraphQLEnumType {
  return new GraphQLEnumType({
    name: "ErrorCode",
    description:
      "Every `extensions.code` an error from this server can carry, each with what a screen should do and the extensions it brings. Messages are for people and follow Accept-Language; switch on the code, and keep a default branch: codes may be added.",
    values: Object.fromEntries(Object.values(ErrorCode).map((code) => [code, { value: code, description: ERROR_CODE_GUIDE[code] }])),
  });
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
  [ErrorCode.PERSISTED_QUERY_NOT_FOUND]: 400,
  [ErrorCode.TRUSTED_DOCUMENT_REQUIRED]: 400,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: 422,
  [ErrorCode.IDEMPOTENCY_KEY_IN_USE]: 409,
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
    const headers =
      typeof extra.retryAfterSeconds === "number" ? { headers: new Map([["retry-after", String(extra.retryAfterSeconds)]]) } : {};
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
      extensions.invalidFields = this.invalidFields.map((entry) => ({
        field: fieldPrefix + entry.field,
        message: renderMessage(locale, entry.message),
      }));
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
  return typeof describe === "function"
    ? (describe as ConstraintMessage)(error.value, error.property)
    : message("BAD_USER_INPUT.invalidField", { field: error.property });
}

function describeValidation(errors: ValidationError[], prefix: string, locale: Locale): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = `${prefix}${error.property}`;
    const own = Object.keys(error.constraints ?? {}).map((constraint) => ({
      field,
      message: renderMessage(locale, constraintMessage(error, constraint)),
    }));
    return [...own, ...describeValidation(error.children ?? [], `${field}.`, locale)];
  });
}

/** Whether every failure in `errors`, nested ones included, is an id that names no object (IsGlobalId's `namesNothing`). */
function onlyIdsOfNothing(errors: ValidationError[]): boolean {
  const verdicts = (error: ValidationError): boolean[] => [
    ...Object.keys(error.constraints ?? {}).map(
      (constraint) => (error.contexts?.[constraint] as { namesNothing?: unknown } | undefined)?.namesNothing === true,
    ),
    ...(error.children ?? []).flatMap(verdicts),
  ];
  const all = errors.flatMap(verdicts);
  return all.length > 0 && all.every(Boolean);
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
      // Ids that are not ids of the expected type name nothing: NOT_FOUND, as an id of nothing is answered.
      const onlyIds = Array.isArray(failures) && onlyIdsOfNothing(failures as ValidationError[]);
      return {
        ...base,
        message: text,
        extensions: {
          code: onlyIds ? ErrorCode.NOT_FOUND : ErrorCode.BAD_USER_INPUT,
          invalidFields: invalid.length ? invalid : [{ field: prefix ? "input" : "", message: text }],
        },
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
export function savedChangesPlugin<TContext extends BaseContext>(
  localeOf: (context: TContext) => Locale = () => FALLBACK_LOCALE,
): ApolloServerPlugin<TContext> {
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
