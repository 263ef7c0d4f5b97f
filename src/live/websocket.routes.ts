import type http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { useServer, type Extra } from "graphql-ws/use/ws";
import { CloseCode, type SubscribePayload } from "graphql-ws";
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Config } from "../config";
import type { Database } from "../database";
import { Context, type Caller } from "../context";
import type { CreateLoaders } from "../loaders";
import type { VerifiedTokens } from "../auth/token-cache";
import { createErrorFormatter, DomainError, type ErrorKey, type ErrorLogger } from "../errors";
import { negotiateLocale, type Locale } from "../i18n";
import type { Outbox } from "../notifications/outbox.service";
import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";
import type { Readiness } from "../observability/probes";
import { identifyCaller } from "../security/callers";
import { exceedsTokenLimit, limitValidationRules, MAX_VALIDATION_ERRORS } from "../security/limits";
import { guardDocument, publicMutations } from "../security/document-guard";
import { checkCost, measureOperation } from "../security/cost";
import { resolveTrustedDocument, type RequestBody, type TrustedDocuments } from "../security/trusted-documents";
import { AccountFeed } from "./account-feed.service";
import { PostgresListener } from "./postgres-listener.service";

/** Where the GraphQL over WebSocket protocol (graphql-ws) is served: the HTTP endpoint's own path. */
export const WEBSOCKET_PATH = "/graphql";

/** Closed for too many sockets of one caller: a policy violation, which graphql-ws clients do not retry. */
export const TOO_MANY_SOCKETS = 1008;
/** setTimeout's longest wait; a token's `exp` further off is waited for in steps. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** What this module keeps per socket, beside graphql-ws's own context. */
interface SocketState {
  caller: Caller | null;
  /** The person counted against WS_MAX_SOCKETS_PER_CALLER, once authenticated. */
  counted: string | null;
  expiry: NodeJS.Timeout | null;
  locale: Locale;
  clientAddress: string;
}

type SocketExtra = Extra & { state?: SocketState };

/** The live-update side of the server: counts for metrics, and the shutdown that closes every socket politely. */
export interface LiveUpdates {
  readonly sockets: number;
  readonly subscriptions: number;
  /** Closes every socket with 1001 (going away), then the PostgreSQL listener. */
  close(): Promise<void>;
  /** Closes everything when Apollo stops (the test servers' way to stop). */
  plugin: ApolloServerPlugin<Context>;
}

/**
 * Whether a WebSocket upgrade may go ahead, by its Origin: absent (not a browser, which HTTP allows
 * too), the server's own origin (GraphiQL on this server), or one CORS_ORIGINS lists ("*": any).
 */
export function originAllowed(request: http.IncomingMessage, corsOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (corsOrigins.includes("*") || corsOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
}

/** A validation or parse error as a client reads it: graphql-js's own get the code Apollo gives them over HTTP. */
function withCode(error: GraphQLError, code: string): GraphQLError {
  const extensions = error.extensions as Record<string, unknown>;
  extensions.code ??= code;
  return error;
}

export interface LiveUpdateDependencies {
  config: Config;
  db: Database;
  /** Makes each operation's loaders, as for HTTP requests. */
  createLoaders: CreateLoaders;
  schema: GraphQLSchema;
  tokens: VerifiedTokens;
  outbox: Outbox;
  logger: Logger;
  reportError: ErrorLogger;
  metrics: Metrics | null;
  readiness: Readiness;
  /** The deployed manifests' documents, when TRUSTED_DOCUMENTS is not off: subscribe messages obey them as HTTP requests do. */
  trusted: TrustedDocuments | null;
}

/**
 * Serves `Subscription` over WebSocket on the HTTP server's `/graphql`: the upgrade is checked (path,
 * Origin, not while draining), `connection_init` must carry a valid bearer token (4403 otherwise, and
 * when the token expires), every subscribe goes through the same document checks as an HTTP request,
 * and each socket and caller holds a bounded number of subscriptions and sockets.
 */
export function mountLiveUpdates(httpServer: http.Server, deps: LiveUpdateDependencies): LiveUpdates {
  const { config, db, createLoaders, schema, tokens, outbox, logger, reportError, metrics, readiness, trusted } = deps;
  const limits = config.live;
  const feed = new AccountFeed(db, {
    resumeLimit: limits.resumeMaxEvents,
    onError: (error) => logger.warn({ err: error }, "Reading account events for subscribers failed; trying again."),
  });
  const listener =
    db.driver === "postgres"
      ? new PostgresListener(db, feed, { warn: (text) => logger.warn(text), info: (text) => logger.info(text) })
      : null;
  const listening = listener
    ?.start()
    .catch((error: unknown) => logger.warn({ err: error }, "The PostgreSQL listener for live updates could not start."));
  const socketsByCaller = new Map<string, number>();
  const mutations = publicMutations();
  const validationRules = [...specifiedRules, ...limitValidationRules(config.limits, "websocket")];
  const delivered = metrics?.observeLiveUpdates(() => ({ sockets: server.clients.size, subscriptions: feed.subscriptions }));

  const server = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    let path: string;
    try {
      path = new URL(request.url ?? "/", "http://localhost").pathname;
    } catch {
      path = "";
    }
    if (path !== WEBSOCKET_PATH) return refuseUpgrade(socket, 404, "Not Found");
    if (readiness.isDraining) return refuseUpgrade(socket, 503, "Service Unavailable");
    if (!originAllowed(request, config.corsOrigins)) return refuseUpgrade(socket, 403, "Forbidden");
    // The HTTP idle timeout is for requests; graphql-ws's keep-alive pings watch the socket from now on.
    (socket as { setTimeout?: (ms: number) => void }).setTimeout?.(0);
    server.handleUpgrade(request, socket, head, (webSocket) => server.emit("connection", webSocket, request));
  };
  httpServer.on("upgrade", onUpgrade);

  const stateOf = (extra: SocketExtra): SocketState => {
    extra.state ??= {
      caller: null,
      counted: null,
      expiry: null,
      locale: negotiateLocale(extra.request.headers["accept-language"]),
      clientAddress: extra.request.socket.remoteAddress ?? "unknown",
    };
    return extra.state;
  };

  const formatterFor = (state: SocketState) => {
    const format = createErrorFormatter(reportError, () => ({ requestId: "", locale: state.locale }));
    return (errors: readonly GraphQLError[]): GraphQLFormattedError[] => errors.map((error) => format(error.toJSON(), error));
  };

  /** The checks an HTTP request passes before it runs, in the same order: size, guard, validation, cost. */
  const checkSubscribe = (
    state: SocketState,
    payload: SubscribePayload,
  ): { document: DocumentNode; errors?: never } | { errors: GraphQLError[] } => {
    if (trusted && config.trustedDocuments.mode !== "off") {
      // `{ query: "", documentId }` (or extensions.persistedQuery) names a manifest's document, as over HTTP.
      const resolved = resolveTrustedDocument(trusted, config.trustedDocuments.mode, payload as RequestBody);
      if (resolved.refusal) return { errors: [new DomainError(resolved.refusal as ErrorKey)] };
      (payload as { query: string }).query = String(resolved.query);
    }
    if (exceedsTokenLimit(payload.query, config.limits.maxTokens))
      return { errors: [new DomainError("QUERY_TOO_LARGE.tooManyTokens", { max: config.limits.maxTokens })] };
    let document: DocumentNode;
    try {
      document = parse(payload.query, { noLocation: false });
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [withCode(error, "GRAPHQL_PARSE_FAILED")] };
      throw error;
    }
    const refusal = guardDocument(document, state.caller!, mutations, config.limits);
    if (refusal) return { errors: [refusal] };
    const invalid = validate(schema, document, validationRules, { maxErrors: MAX_VALIDATION_ERRORS });
    if (invalid.length > 0) return { errors: invalid.map((error) => withCode(error, "GRAPHQL_VALIDATION_FAILED")) };
    // Without one, graphql-ws answers that it cannot tell which operation to run.
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return { document };
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
    if (coerced.errors) return { errors: coerced.errors.map((error) => withCode(error, "BAD_USER_INPUT")) };
    try {
      const measured = measureOperation(schema, document, operation, payload.variables ?? {});
      if (measured) checkCost(measured.cost, config.limits.maxCost);
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
    return { document };
  };

  const disposable = useServer<Record<string, unknown>, { state?: SocketState }>(
    {
      schema,
      onConnect: async (ctx) => {
        const state = stateOf(ctx.extra);
        // GraphiQL sends its Headers editor as the payload: `Authorization`, capitalised.
        const params = ctx.connectionParams ?? {};
        const authorization = params[Object.keys(params).find((key) => key.toLowerCase() === "authorization") ?? "authorization"];
        const caller = await identifyCaller(tokens, typeof authorization === "string" ? authorization : undefined);
        if (caller.kind !== "identified") return false;
        const person = caller.identity.email;
        const open = socketsByCaller.get(person) ?? 0;
        if (open >= limits.maxSocketsPerCaller) {
          ctx.extra.socket.close(TOO_MANY_SOCKETS, "Too many sockets for this caller");
          return false;
        }
        socketsByCaller.set(person, open + 1);
        state.counted = person;
        state.caller = caller;
        const socket: WebSocket = ctx.extra.socket;
        const expiresAtMs = (caller.expiresAt ?? 0) * 1000;
        const arm = () => {
          const left = expiresAtMs - Date.now();
          state.expiry = setTimeout(
            () => (left > LONGEST_TIMER_MS ? arm() : socket.close(CloseCode.Forbidden, "Forbidden: the token has expired")),
            Math.max(0, Math.min(left, LONGEST_TIMER_MS)),
          );
          state.expiry.unref();
        };
        arm();
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        const state = stateOf(ctx.extra);
        // graphql-ws has already reserved this subscription's id.
        // Refusals go out through onError, which words them as HTTP answers are worded.
        if (Object.keys(ctx.subscriptions).length > limits.maxSubscriptionsPerSocket) {
          return [new DomainError("RATE_LIMITED.tooManySubscriptions", { max: limits.maxSubscriptionsPerSocket })];
        }
        const checked = checkSubscribe(state, payload);
        if (checked.errors) return checked.errors;
        const context = new Context(db, createLoaders, state.caller!, outbox, state.clientAddress, config.defaultLocale);
        context.accountFeed = feed;
        const args: ExecutionArgs = {
          schema,
          document: checked.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: context,
        };
        return args;
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        // A client that does not read would make the server hold every event for it.
        const socket: WebSocket = ctx.extra.socket;
        if (socket.bufferedAmount > limits.maxUnsentBytes) {
          socket.close(TOO_MANY_SOCKETS, "The client reads too slowly");
          return;
        }
        if (!result.errors) {
          delivered?.eventDelivered();
          return;
        }
        return { ...result, errors: formatterFor(stateOf(ctx.extra))(result.errors) };
      },
      onError: (ctx, _id, _payload, errors) => formatterFor(stateOf(ctx.extra))(errors),
      onClose: (ctx) => {
        const state = ctx.extra.state;
        if (!state) return;
        if (state.expiry) clearTimeout(state.expiry);
        if (state.counted) {
          const open = (socketsByCaller.get(state.counted) ?? 1) - 1;
          if (open > 0) socketsByCaller.set(state.counted, open);
          else socketsByCaller.delete(state.counted);
          state.counted = null;
        }
      },
    },
    server,
  );

  // After useServer's own listener: a client's protocol error (an oversized message, a bad frame) is
  // closed by ws with its code (1009, 1002); graphql-ws would print it to stderr as an internal error.
  server.on("connection", (socket: WebSocket) => {
    // Every message costs work (a subscribe reads the account's events); a socket sends at most
    // WS_MAX_MESSAGES_PER_SECOND on average, ten seconds' worth at once, or it is closed (1008).
    const capacity = limits.maxMessagesPerSecond * 10;
    let allowance = capacity;
    let checkedAt = Date.now();
    socket.prependListener("message", () => {
      const now = Date.now();
      allowance = Math.min(capacity, allowance + ((now - checkedAt) / 1000) * limits.maxMessagesPerSecond);
      checkedAt = now;
      allowance -= 1;
      if (allowance < 0 && socket.readyState === socket.OPEN) socket.close(TOO_MANY_SOCKETS, "Too many messages");
    });
    socket.removeAllListeners("error");
    socket.on("error", (error) => logger.debug({ err: error }, "A WebSocket client broke the protocol; the socket is closed."));
  });

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      httpServer.off("upgrade", onUpgrade);
      // Each client is told 1001 (going away) and completes its subscriptions; graphql-ws clients reconnect elsewhere.
      await disposable.dispose();
      feed.close();
      await listening;
      await listener?.close();
    })());

  return {
    get sockets() {
      return server.clients.size;
    },
    get subscriptions() {
      return feed.subscriptions;
    },
    close,
    plugin: {
      async serverWillStart() {
        return {
          async drainServer() {
            await close();
          },
        };
      },
    },
  };
}
