import "reflect-metadata";
import http from "node:http";
import express, { type ErrorRequestHandler, type Express } from "express";
import cors from "cors";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import type { Config } from "./config";
import type { Database } from "./database";
import { Context, type Caller } from "./context";
import { accountScreenPlugin } from "./accounts/account-screen.planner";
import { VerifiedTokens } from "./auth/token-cache";
import { identifyCaller } from "./security/callers";
import { createErrorFormatter, DatabaseUnavailableError, savedChangesPlugin, type ErrorLogger } from "./errors";
import { createSchema } from "./schema";
import { ACCOUNT_SCREEN_FIELDS, createLoaders } from "./modules";
import { CompiledExecution } from "./common/compiled-execution";
import { limitValidationRules, MAX_VALIDATION_ERRORS, requestGuard } from "./security/limits";
import { createMutationRateLimiter } from "./security/rate-limit";
import { securityPlugin } from "./security/security.plugin";
import { idempotencyPlugin } from "./idempotency/idempotency.plugin";
import { mountGraphiQL } from "./graphiql/graphiql.routes";
import { Outbox } from "./notifications/outbox.service";
import { mountConfirmationPage } from "./verification/confirmation-page.routes";
import { mountInvitationPage } from "./members/invitation-page.routes";
import { createLogger, requestScope, type Logger } from "./observability/logger";
import { FALLBACK_LOCALE, negotiateLocale, translate, type Locale } from "./i18n";
import { Metrics } from "./observability/metrics";
import {
  closeWithApollo,
  createMetricsServer,
  errorScope,
  metricsRoute,
  observabilityPlugin,
  outageStatusPlugin,
  trackGraphQLRequests,
  trackPageMetrics,
} from "./observability/http";
import { createHttpServer } from "./security/connections";
import { TrustedDocuments, trustedDocumentsMiddleware } from "./security/trusted-documents";
import { closeConnectionsWhileDraining, HttpDrain, livenessRoute, Readiness, readinessRoute } from "./observability/probes";
import { DatabaseHealth } from "./observability/database-health";
import { CONFIRMATION_PATH } from "./verification/confirmation-links";
import { mountLiveUpdates, type LiveUpdates } from "./live/websocket.routes";

export interface App {
  express: Express;
  httpServer: http.Server;
  apollo: ApolloServer<Context>;
  schema: GraphQLSchema;
  /** Runs the queries and mutations Apollo has checked: compiled by graphql-jit, cached per document. */
  execution: CompiledExecution;
  /** Where this server queues mail; the seed and the delivery worker use the same rules. */
  outbox: Outbox;
  /** The METRICS_PORT listener, not yet listening; null without METRICS_PORT. Closed when Apollo stops. */
  metricsServer: http.Server | null;
  /** What `/readyz` answers; fails from the start of a shutdown. */
  readiness: Readiness;
  /** The shutdown's drain period and polite close of the HTTP listener (main.ts). */
  drain: HttpDrain;
  /** Subscriptions over WebSocket on /graphql; closed with the HTTP listener and when Apollo stops. */
  live: LiveUpdates;
}

/** Errors raised before GraphQL runs (body too large, broken JSON) answered in GraphQL's error shape; the unexpected ones are logged. */
const httpErrors =
  (log: ErrorLogger): ErrorRequestHandler =>
  (error: { status?: number; type?: string }, request, response, next) => {
    if (response.headersSent) return next(error);
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) log(error, requestScope(request)?.requestId);
    const key =
      status === 413 ? "PAYLOAD_TOO_LARGE.bodyTooLarge" : status === 500 ? "INTERNAL_SERVER_ERROR.unexpected" : "BAD_REQUEST.invalidJson";
    const message = translate(negotiateLocale(request.headers["accept-language"]), key);
    response.status(status).json({ errors: [{ message, extensions: { code: key.slice(0, key.indexOf(".")) } }] });
  };

/** The language of the request, as trackGraphQLRequests read it from Accept-Language. */
const requestLocale = (context: Context): Locale => context.scope?.locale ?? FALLBACK_LOCALE;

/** What the cors middleware answers: no origin, any origin ("*", so never with credentials), or the listed ones. */
function corsOrigin(origins: string[]): false | "*" | string[] {
  if (origins.length === 0) return false;
  return origins.includes("*") ? "*" : origins;
}

/**
 * The HTTP server with the GraphQL API on it, ready to `listen`. Used by main.ts and by the tests.
 * Unexpected errors go to `logger` (with the request's id) and to `log`, if given.
 */
export async function createApp(
  config: Config,
  db: Database,
  log?: ErrorLogger,
  logger: Logger = createLogger(config.logLevel),
): Promise<App> {
  const schema = await createSchema();
  const trusted = config.trustedDocuments.mode === "off" ? null : TrustedDocuments.load(config.trustedDocuments.manifests, schema);
  const app = express();
  app.disable("x-powered-by");
  // Only the proxies TRUST_PROXY names may say who the client is (X-Forwarded-For); by default nobody.
  app.set("trust proxy", config.trustProxy);
  const httpServer = createHttpServer(app, config.connections);
  const tokens = new VerifiedTokens(config);
  const outbox = Outbox.fromConfig(config, () => {
    const address = httpServer.address();
    return address !== null && typeof address === "object" ? address.port : null;
  });
  const reportError: ErrorLogger = (error, requestId) => {
    logger.error(requestId === undefined ? { err: error } : { err: error, reqId: requestId }, "Unexpected error");
    log?.(error, requestId);
  };
  const health = new DatabaseHealth(db, logger);
  const readiness = new Readiness(db, config.readiness);
  const drain = new HttpDrain(httpServer, readiness);
  const metrics = config.metrics.token !== null || config.metrics.port !== null ? new Metrics(db, logger, health) : null;
  const metricsServer = metrics && config.metrics.port !== null ? createMetricsServer(metrics, config.connections) : null;
  const mutationRateLimiter = createMutationRateLimiter(config, db, logger, metrics);
  const live = mountLiveUpdates(httpServer, {
    config,
    db,
    createLoaders,
    schema,
    tokens,
    outbox,
    logger,
    reportError,
    metrics,
    readiness,
    trusted,
  });
  drain.closers.push(live.close);
  const execution = new CompiledExecution(schema);
  const apollo = new ApolloServer<Context>({
    // Queries and mutations run compiled (graphql-jit); Apollo still parses, validates and runs every plugin.
    gateway: execution.gateway(),
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: config.production,
    formatError: createErrorFormatter(reportError, errorScope),
    allowBatchedHttpRequests: false,
    // main.ts handles SIGTERM/SIGINT. Apollo's own handler would start stop() first, and a second
    // stop() during that one never returns; with PostgreSQL's pool keeping the process alive, it hangs.
    stopOnTerminationSignals: false,
    persistedQueries: false, // not used by our clients; one cache fewer for a caller to fill
    validationRules: limitValidationRules(config.limits),
    // Each validation error costs far more than the node it is about; ten say enough.
    validationOptions: { maxErrors: MAX_VALIDATION_ERRORS },
    plugins: [
      observabilityPlugin(),
      outageStatusPlugin(),
      {
        async serverWillStart() {
          return {
            async serverWillStop() {
              health.detach();
              metrics?.detach();
            },
          };
        },
      },
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      live.plugin,
      ...(metricsServer ? [closeWithApollo(metricsServer)] : []),
      ApolloServerPluginLandingPageDisabled(),
      // No field sets a cache hint, and the default plugin would wrap every field resolver to look for one.
      ApolloServerPluginCacheControlDisabled(),
      securityPlugin(config.limits, mutationRateLimiter, metrics),
      // Before savedChangesPlugin: the answer is stored as execution left it, and shaped again when replayed.
      idempotencyPlugin(db, { keyHours: config.idempotencyKeyHours }, reportError),
      savedChangesPlugin(requestLocale),
      accountScreenPlugin(config.singleStatementReads, ACCOUNT_SCREEN_FIELDS),
    ],
  });
  await apollo.start();

  // During a shutdown's drain period every answer closes its connection.
  app.use(closeConnectionsWhileDraining(readiness));
  app.get("/livez", livenessRoute);
  app.get("/readyz", readinessRoute(readiness));
  // 200 while the database answers reads and the writer can store changes; 503 otherwise, saying which.
  app.get("/healthz", async (_request, response) => {
    if (readiness.isDraining) {
      response.status(503).json({ status: "draining" });
      return;
    }
    let reads = true;
    try {
      await db.ping();
    } catch (error) {
      // An outage is logged when it starts and ends (DatabaseHealth); anything else is unexpected.
      if (!(error instanceof DatabaseUnavailableError)) reportError(error);
      reads = false;
    }
    const writer = await db.writerHealth(config.minFreeDiskBytes);
    if (reads && writer.ok) {
      response.json({ status: "ok" });
      return;
    }
    response.status(503).json({
      status: "unavailable",
      reads: reads ? "ok" : "failing",
      writes: writer.ok ? "ok" : "failing",
      ...(writer.failingSince ? { writesFailingSince: writer.failingSince.toISOString() } : {}),
      // Whether the disk is the cause, never how much room is left: anyone may ask.
      ...(writer.freeDiskBytes !== null && writer.freeDiskBytes < config.minFreeDiskBytes ? { lowDiskSpace: true } : {}),
    });
  });

  if (metrics && config.metrics.token !== null) app.get("/metrics", metricsRoute(metrics, config.metrics.token));
  if (config.graphiql) mountGraphiQL(app, config, db, httpServer);
  if (metrics) app.use(CONFIRMATION_PATH, trackPageMetrics(metrics, "confirmation"));
  mountConfirmationPage(app, { db, links: outbox.links, limiter: mutationRateLimiter, logger, reportError });
  mountInvitationPage(app, { db, links: outbox.links, limiter: mutationRateLimiter, logger, reportError });

  // Identified once per request: the request guard and the context both need the caller.
  const callers = new WeakMap<express.Request, Promise<Caller>>();
  const callerOf = (request: express.Request): Promise<Caller> => {
    let caller = callers.get(request);
    if (!caller) callers.set(request, (caller = identifyCaller(tokens, request.headers.authorization)));
    return caller;
  };
  app.use(
    "/graphql",
    // A browser app reads Retry-After on a 429, and the request id, only if they are exposed.
    cors({
      origin: corsOrigin(config.corsOrigins),
      credentials: false,
      maxAge: 600,
      exposedHeaders: ["Retry-After", "X-Request-Id", "Idempotent-Replayed"],
    }),
    trackGraphQLRequests(logger, metrics),
    express.json({ limit: config.bodyLimitBytes }),
    ...(trusted && config.trustedDocuments.mode !== "off" ? [trustedDocumentsMiddleware(trusted, config.trustedDocuments.mode)] : []),
    requestGuard(config.limits, callerOf),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        new Context(
          db,
          createLoaders,
          await callerOf(req),
          outbox,
          req.ip ?? req.socket.remoteAddress,
          config.defaultLocale,
          requestScope(req),
          config.webhooks,
        ),
    }),
  );
  app.use(httpErrors(reportError));
  return { express: app, httpServer, apollo, schema, execution, outbox, metricsServer, readiness, drain, live };
}
