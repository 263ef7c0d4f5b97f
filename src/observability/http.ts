import http from "node:http";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import express, { type RequestHandler, type Response } from "express";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";
import { bindRequestScope, type Logger, type RequestScope } from "./logger";
import type { Metrics } from "./metrics";
import { negotiateLocale } from "../i18n";
import type { ConnectionSettings } from "../config";
import { createHttpServer } from "../security/connections";

/** An incoming X-Request-Id is kept only if it is a short token of these characters; otherwise one is made. */
const SANE_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Operation names longer than this are cut in log lines. */
const LOGGED_NAME_LENGTH = 100;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** The code of the first error in a JSON body this server wrote itself (a refusal before GraphQL ran). */
function firstErrorCode(body: unknown): string | undefined {
  if (typeof body !== "string" || !body.startsWith("{")) return undefined;
  try {
    const code = (JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] }).errors?.[0]?.extensions?.code;
    return typeof code === "string" ? code : undefined;
  } catch {
    return undefined;
  }
}

/** Notes the error code of a response written outside Apollo's plugins: body-size and batching refusals, bad JSON. */
function noteRefusals(response: Response, scope: RequestScope): void {
  const send = response.send.bind(response);
  response.send = (body?: unknown) => {
    if (scope.outcome === undefined && response.statusCode >= 400) scope.outcome = firstErrorCode(body);
    return send(body);
  };
}

/** A response never finished means the client went away, whatever the server had meant to answer. */
function outcomeOf(scope: RequestScope, response: Response): string {
  if (!response.writableFinished) return "CLIENT_CLOSED_REQUEST";
  if (scope.outcome) return scope.outcome;
  return response.statusCode < 400 ? "OK" : `HTTP_${response.statusCode}`;
}

/**
 * Gives every GraphQL request an id (echoed in X-Request-Id), binds that request's scope to it (the
 * context carries it on), and when its response is done writes its one log line and records its metrics. The line
 * names the operation, outcome, status, duration and the caller's user id: never a header, a token
 * or anything from the body.
 */
export function trackGraphQLRequests(logger: Logger, metrics: Metrics | null): RequestHandler {
  return (request, response, next) => {
    const scope: RequestScope = {
      requestId: requestIdFrom(request.headers["x-request-id"]),
      locale: negotiateLocale(request.headers["accept-language"]),
    };
    response.setHeader("X-Request-Id", scope.requestId);
    // Error messages follow Accept-Language: a cache must not hand one language's answer to another.
    response.vary("Accept-Language");
    const started = performance.now();
    metrics?.requestStarted();
    noteRefusals(response, scope);
    response.once("close", () => {
      const durationMs = performance.now() - started;
      const outcome = outcomeOf(scope, response);
      metrics?.requestFinished(scope, outcome, durationMs / 1000);
      const line = {
        reqId: scope.requestId,
        operation: scope.operationName?.slice(0, LOGGED_NAME_LENGTH) ?? null,
        operationType: scope.operationType ?? null,
        outcome,
        status: response.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
        ...(scope.userId ? { userId: scope.userId } : {}),
      };
      if (response.statusCode >= 500) logger.warn(line, "GraphQL request");
      else logger.info(line, "GraphQL request");
    });
    bindRequestScope(request, scope);
    next();
  };
}

/**
 * Gives a page request an id and, when its response is done, writes one log line naming `loggedPath`
 * instead of the request's own path: a page whose path holds a secret (a confirmation token) logs it
 * redacted. Headers, query and body are never logged.
 */
export function trackPageRequests(logger: Logger, loggedPath: string): RequestHandler {
  return (request, response, next) => {
    const scope: RequestScope = { requestId: requestIdFrom(request.headers["x-request-id"]) };
    response.setHeader("X-Request-Id", scope.requestId);
    const started = performance.now();
    response.once("close", () => {
      const line = {
        reqId: scope.requestId,
        method: request.method,
        path: loggedPath,
        status: response.statusCode,
        outcome: response.writableFinished ? (response.statusCode < 400 ? "OK" : `HTTP_${response.statusCode}`) : "CLIENT_CLOSED_REQUEST",
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
      if (response.statusCode >= 500) logger.warn(line, "Page request");
      else logger.info(line, "Page request");
    });
    bindRequestScope(request, scope);
    next();
  };
}

/** Each GraphQL error's request, as the observability plugin saw it raised. */
const errorScopes = new WeakMap<object, RequestScope>();

/** The scope of the request whose operation raised `error`, for the error formatter (which gets no context). */
export function errorScope(error: unknown): RequestScope | undefined {
  return typeof error === "object" && error !== null ? errorScopes.get(error) : undefined;
}

/** Tells the request's scope which operation ran, who asked, and how it ended; ties its errors to it. */
export function observabilityPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const scope = contextValue.scope;
      if (!scope) return;
      return {
        async didResolveOperation({ operationName, operation, contextValue }) {
          scope.operationName = operationName ?? null;
          scope.operationType = operation?.operation;
          scope.signedIn = contextValue.caller.kind === "identified";
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) errorScopes.set(error, scope);
        },
        async willSendResponse({ response, contextValue }) {
          const errors = response.body.kind === "single" ? response.body.singleResult.errors : response.body.initialResult.errors;
          const code = errors?.[0]?.extensions?.code;
          scope.outcome = !errors?.length ? "OK" : typeof code === "string" ? code : "INTERNAL_SERVER_ERROR";
          if (contextValue.viewer) scope.userId = contextValue.viewer.id;
        },
      };
    },
  };
}

/** Compares without revealing, through timing, how much of the token was right (or its length). */
function sameToken(given: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** `GET /metrics` in Prometheus's text format; with a token, only to `Authorization: Bearer <token>`. */
export function metricsRoute(metrics: Metrics, token: string | null): RequestHandler {
  return async (request, response, next) => {
    if (token !== null) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1] ?? "";
      if (!sameToken(given, token)) {
        response
          .status(401)
          .set("WWW-Authenticate", 'Bearer realm="metrics"')
          .type("text/plain")
          .send("Send Authorization: Bearer <METRICS_TOKEN>.\n");
        return;
      }
    }
    try {
      const text = await metrics.render();
      response.set("Cache-Control", "no-store").type(metrics.contentType).send(text);
    } catch (error) {
      next(error);
    }
  };
}

/** The listener METRICS_PORT names: `/metrics` without a token, nothing else. */
export function createMetricsServer(metrics: Metrics, connections: ConnectionSettings): http.Server {
  const app = express();
  app.disable("x-powered-by");
  app.get("/metrics", metricsRoute(metrics, null));
  return createHttpServer(app, connections);
}

/** Closes the metrics listener when Apollo stops, so the process's shutdown (and each test's) covers it. */
export function closeWithApollo(server: http.Server): ApolloServerPlugin<Context> {
  return {
    async serverWillStart() {
      return {
        async serverWillStop() {
          if (!server.listening) return;
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
  };
}

/** What a client is told to wait before trying again during a database outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * A request that got nothing but SERVICE_UNAVAILABLE (no root field answered) is answered 503 with
 * Retry-After, as GraphQL over HTTP allows, so load balancers and monitoring see the outage. An answer
 * holding any data (a mutation that was saved before a later one failed) keeps 200.
 */
export function outageStatusPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const { errors, data } = response.body.singleResult;
          if (!errors?.length || !errors.every((error) => error.extensions?.code === "SERVICE_UNAVAILABLE")) return;
          if (data && Object.values(data).some((value) => value !== null)) return;
          response.http.status = 503;
          response.http.headers.set("retry-after", String(OUTAGE_RETRY_AFTER_SECONDS));
        },
      };
    },
  };
}

/** Records each request to a page (not the API) in `contact_points_page_request_duration_seconds`. */
export function trackPageMetrics(metrics: Metrics, page: string): RequestHandler {
  return (request, response, next) => {
    const started = performance.now();
    response.once("close", () =>
      metrics.pageRequestFinished(
        page,
        request.method,
        response.writableFinished ? response.statusCode : 499,
        (performance.now() - started) / 1000,
      ),
    );
    next();
  };
}
