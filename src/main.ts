// Must stay the first import: it refuses an unsupported Node.js before any dependency can fail in its own way.
import "./node-version";
import "reflect-metadata";
import type http from "node:http";
import net, { type AddressInfo } from "node:net";
import ms from "ms";
import { ConfigError, describeDatabase, loadConfig, type Config } from "./config";
import { Database, MIGRATIONS } from "./database";
import { createApp } from "./app";
import { DEMO_ADMIN, seedDemoData } from "./seed";
import { startDeliveryWorker } from "./notifications/delivery.worker";
import { startWebhookWorker } from "./webhooks/webhook.worker";
import { loggedErrorText } from "./notifications/delivery-errors";
import { demoTokenDecision, demoTokenLifetimeSeconds, signDemoToken } from "./graphiql/demo-token";
import { Outbox } from "./notifications/outbox.service";
import { createLogger, type Logger } from "./observability/logger";
import { SERVICE_VERSION } from "./observability/version";
import { logMigrationStep } from "./migrations/support/progress";

/** After the grace period for requests, how long closing the database may take before the process gives up. */
const CLEAN_UP_MS = 5_000;

/** A failure to start is one JSON line on stderr, whatever LOG_LEVEL says; the rest of the log goes to stdout. */
const startFailure: Logger = createLogger("fatal", 2);
let logger: Logger = startFailure;

/** A listen failure in the operator's words: which setting to change. */
function listenError(error: unknown, host: string, port: number, portSetting: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "EADDRINUSE":
      return new ConfigError(`${portSetting}=${port}: another process already listens on ${host}:${port}.`);
    case "EADDRNOTAVAIL":
      return new ConfigError(`HOST=${host} is not an address of this machine.`);
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
      return new ConfigError(`HOST=${host} is neither an IP address nor a name that resolves.`);
    case "EACCES":
      return new ConfigError(`${portSetting}=${port}: this user may not listen on ${host}:${port} (ports below 1024 need privileges).`);
    default:
      return new ConfigError(
        `Cannot listen on ${host}:${port} (${portSetting}): ${error instanceof Error ? error.message : String(error)}`,
      );
  }
}

function listen(server: http.Server | net.Server, port: number, host: string, portSetting: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: unknown) => reject(listenError(error, host, port, portSetting));
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}

/** Refuses a port in use or a bad HOST before migrations change the database; the real listen still checks again. */
async function checkCanListen(port: number, host: string, portSetting: string): Promise<void> {
  if (port === 0) return;
  const probe = net.createServer();
  await listen(probe, port, host, portSetting);
  await new Promise((resolve) => probe.close(resolve));
}

/** Opens the database, naming the file or server in the error when it cannot. */
async function openDatabase(config: Config): Promise<Database> {
  const { driver, database } = describeDatabase(config.databaseUrl);
  try {
    return await Database.open({ databaseUrl: config.databaseUrl, postgres: config.database });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const code = (error as NodeJS.ErrnoException).code;
    if (driver === "sqlite" && typeof code === "string" && /^(SQLITE_|E[A-Z]+$)/.test(code)) {
      throw new ConfigError(
        `Cannot open the SQLite database file ${database} (DATABASE_URL): ${reason}. It must be a file, or not exist yet, in a folder this user may create and write.`,
      );
    }
    if (driver === "postgres") throw new ConfigError(`Cannot open the PostgreSQL database ${database} (DATABASE_URL): ${reason}`);
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger(config.logLevel);
  if (config.jwtSecretIsDevelopmentDefault) {
    logger.warn(
      "AUTH_JWT_SECRET is not set: using the development secret, which is published. Never do this where other machines reach the server.",
    );
  }
  await checkCanListen(config.port, config.host, "PORT");
  if (config.metrics.port !== null) await checkCanListen(config.metrics.port, config.host, "METRICS_PORT");
  const { driver, database } = describeDatabase(config.databaseUrl);
  const driverName = driver === "sqlite" ? "SQLite" : "PostgreSQL";
  logger.info(
    { version: SERVICE_VERSION, nodeEnv: config.nodeEnv, driver, database },
    `Starting contact-points ${SERVICE_VERSION} (NODE_ENV=${config.nodeEnv}) on ${driverName} ${database}`,
  );
  const outbox = Outbox.fromConfig(config);
  const db = await openDatabase(config);
  await db.duringStartUp(async () => {
    const applied = await db.migrate(logMigrationStep(logger));
    if (applied.length) logger.info(`Applied migrations: ${applied.join(", ")}`);
    // Demo data only goes into a database whose schema this start created, never into one that existed before.
    const created = applied.length === MIGRATIONS.length;
    if (config.seedDemoData && created && (await seedDemoData(db, outbox, config.defaultLocale))) {
      logger.info("Loaded the demo accounts into the new database.");
    }
  });

  const app = await createApp(config, db, undefined, logger);
  await listen(app.httpServer, config.port, config.host, "PORT");
  if (app.metricsServer) {
    await listen(app.metricsServer, config.metrics.port!, config.host, "METRICS_PORT");
    logger.info(`Metrics are served on http://${config.host}:${config.metrics.port}/metrics`);
  }
  const { port } = app.httpServer.address() as AddressInfo;
  const url = `http://${config.host}:${port}/graphql`;
  logger.info(
    { version: SERVICE_VERSION, nodeEnv: config.nodeEnv, driver, database },
    `contact-points ${SERVICE_VERSION} is listening on ${url} (NODE_ENV=${config.nodeEnv}, ${driverName} ${database})`,
  );
  logger.info(
    `Verification mail links to ${config.verificationLinkUrl ? `${config.verificationLinkUrl}?token=…` : `${app.outbox.links.publicUrl()}/verify/…`}`,
  );
  const delivery = startDeliveryWorker(db, config.delivery, outbox.tokens, (message, error) =>
    logger.warn(error === undefined ? {} : { err: error }, message),
  );
  logger.info(`Outgoing mail goes to ${delivery.transport.description}.`);
  const webhooks = startWebhookWorker(db, config.webhooks, (message, error) =>
    logger.warn(error === undefined ? {} : { err: error }, message),
  );
  if (config.webhooks.allowPrivateAddresses) {
    logger.warn(
      "WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true: webhook endpoints may point at this machine and its private network. Use it for tests only.",
    );
  }
  // A warning, not a refusal: mail waits in the outbox until the server answers.
  delivery.transport.verify().then(
    () => logger.info(`Checked: ${delivery.transport.description} accepts mail.`),
    (error: unknown) =>
      logger.warn(
        `Mail cannot be handed to ${delivery.transport.description} now (${loggedErrorText(error)}); messages wait in the outbox and are tried again.`,
      ),
  );
  const demo = await demoTokenDecision(config, db, app.httpServer.address());
  if (demo.offered) {
    // Plain text for the person at the terminal: a token has no place in the JSON log records.
    const lifetime = ms(demoTokenLifetimeSeconds(config) * 1000, { long: true });
    console.log(`Demo admin (${DEMO_ADMIN.email}) token, valid ${lifetime}:\n\nAuthorization: Bearer ${await signDemoToken(config)}\n`);
  } else {
    if (config.seedDemoData) logger.info(`No demo admin token: ${demo.reason}.`);
    logger.info("Every request needs a bearer token; `npm run token -- --email you@example.com` prints one signed with AUTH_JWT_SECRET.");
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(
      `${signal} received: /readyz answers 503, requests are still served for ${config.shutdownDrainMs / 1000} s (SHUTDOWN_DRAIN_SECONDS), then in-flight requests finish and the process stops.`,
    );
    const force = setTimeout(
      () => {
        logger.error("Shutdown did not finish in time; exiting.");
        process.exit(1);
      },
      config.shutdownDrainMs + config.shutdownGraceMs + CLEAN_UP_MS,
    );
    force.unref();
    // Load balancers that probe /readyz stop sending; those that do not are answered with `Connection: close`.
    await app.drain.drain(config.shutdownDrainMs);
    // Stops accepting; in-flight requests get up to SHUTDOWN_GRACE_MS, then their connections are closed.
    const cut = await app.drain.close(config.shutdownGraceMs);
    if (cut > 0) logger.warn(`Closed ${cut} connection(s) still open after SHUTDOWN_GRACE_MS.`);
    await app.apollo.stop();
    await delivery.stop();
    await webhooks.stop();
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  // A setting the server cannot use needs no stack; anything else is a bug worth one.
  if (error instanceof ConfigError) {
    startFailure.fatal(`Cannot start: ${error.message}`);
  } else {
    startFailure.fatal({ err: error }, `Cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
