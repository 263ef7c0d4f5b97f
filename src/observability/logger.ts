import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type DestinationStream, type Logger } from "pino";
import type { LogLevel } from "../config";
import type { Locale } from "../i18n";

export type { Logger } from "pino";

/** What the service knows about the GraphQL request being served, for its log line and its metrics. */
export interface RequestScope {
  requestId: string;
  operationName?: string | null;
  operationType?: string;
  /** The caller sent a valid token. */
  signedIn?: boolean;
  /** `extensions.code` of the first error, or OK. */
  outcome?: string;
  userId?: string;
  /** The language errors are answered in, from Accept-Language. */
  locale?: Locale;
}

const requests = new AsyncLocalStorage<RequestScope>();

/** Runs `work` (and everything it starts) as part of the request `scope`: log lines written meanwhile carry its id. */
export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return requests.run(scope, work);
}

/** The request being served, when there is one. */
export function currentRequest(): RequestScope | undefined {
  return requests.getStore();
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
const REDACTED_PATHS = ["authorization", "*.authorization", "headers.authorization", "*.headers.authorization", "token", "*.token", "password", "*.password"];

/**
 * One JSON object per line: `level` as a word, `time` as ISO-8601, `reqId` on every line written while a
 * request is served. Writes are synchronous, so nothing is lost when the process exits right after.
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
      mixin: () => {
        const request = requests.getStore();
        return request ? { reqId: request.requestId } : {};
      },
    },
    stream,
  );
}
