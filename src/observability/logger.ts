import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config";
import type { RequestScope } from "../common/request-scope";

export type { Logger } from "pino";

export type { RequestScope };

/**
 * Each HTTP request's scope, kept on the request object rather than in an AsyncLocalStorage: that
 * would put a hook on every promise the process makes. Code that logs for a request passes its id.
 */
const scopes = new WeakMap<object, RequestScope>();

/** Makes `scope` the one `requestScope(request)` answers for this request. */
export function bindRequestScope(request: object, scope: RequestScope): void {
  scopes.set(request, scope);
}

/** The scope of a request the tracking middleware saw; undefined for others. */
export function requestScope(request: object): RequestScope | undefined {
  return scopes.get(request);
}

/** Nested causes logged at most; a cycle of causes must not loop. */
const MAX_CAUSES = 3;

/**
 * An error as a log line shows it: its kind, message, code and stack, and its causes. Other own
 * properties are left out: TypeORM's query errors carry the statement's parameters, which may hold
 * anything a caller sent.
 */
export function serializeError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.constructor.name,
    message: error.message,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    stack: error.stack,
    ...(error.cause !== undefined && depth < MAX_CAUSES ? { cause: serializeError(error.cause, depth + 1) } : {}),
  };
}

/**
 * Credentials a log line must never carry, should a caller ever pass an object that holds them.
 * Request lines are built field by field, so this is a second line of defence.
 */
const REDACTED_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "token",
  "*.token",
  "password",
  "*.password",
];

/**
 * One JSON object per line: `level` as a word, `time` as ISO-8601, `reqId` on the lines written for a
 * request (their callers pass it). Writes are synchronous, so nothing is lost when the process exits right after.
 */
export function createLogger(level: LogLevel, destination: DestinationStream | 1 | 2 = 1): Logger {
  const stream = typeof destination === "number" ? pino.destination({ dest: destination, sync: true }) : destination;
  return pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    stream,
  );
}
