// Must stay the first import: it refuses an unsupported Node.js before any dependency can fail in its own way.
import "./node-version";
import "reflect-metadata";
import type http from "node:http";
import type { AddressInfo } from "node:net";
import ms from "ms";
import { ConfigError, loadConfig } from "./config";
import { Database } from "./database";
import { createApp } from "./app";
import { DEMO_ADMIN, seedDemoData } from "./seed";
import { startDeliveryWorker } from "./notifications/delivery.worker";
import { demoTokenDecision, demoTokenLifetimeSeconds, signDemoToken } from "./graphiql/demo-token";
import { Outbox } from "./notifications/outbox.service";
import { createLogger, type Logger } from "./observability/logger";

/** After the grace period for requests, how long closing the database may take before the process gives up. */
const CLEAN_UP_MS = 5_000;

/** Until LOG_LEVEL is read, a failure to start is written to stderr. */
let logger: Logger = createLogger("info", 2);

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig();
  logger = createLogger(config.logLevel);
  if (config.jwtSecretIsDevelopmentDefault) {
    logger.warn("AUTH_JWT_SECRET is not set: using the development secret. Never do this in production.");
  }
  const outbox = Outbox.fromConfig(config);
  const db = await Database.open({ databaseUrl: config.databaseUrl, postgres: config.database });
  await db.duringStartUp(async () => {
    const applied = await db.migrate();
    if (applied.length) logger.info(`Applied migrations: ${applied.join(", ")}`);
    if (config.seedDemoData && (await seedDemoData(db, outbox, config.defaultLocale))) logger.info("Loaded the demo accounts into the empty database.");
  });

  const app = await createApp(config, db, undefined, logger);
  await new Promise<void>((resolve) => app.httpServer.listen(config.port, config.host, resolve));
  if (app.metricsServer) {
    await listen(app.metricsServer, config.metrics.port!, config.host);
    logger.info(`Metrics are served on http://${config.host}:${config.metrics.port}/metrics`);
  }
  const { port } = app.httpServer.address() as AddressInfo;
  const url = `http://${config.host}:${port}/graphql`;
  logger.info(`contact-points is listening on ${url}`);
  logger.info(`Verification mail links to ${config.verificationLinkUrl ? `${config.verificationLinkUrl}?token=…` : `${app.outbox.links.publicUrl()}/verify/…`}`);
  if (config.production && config.publicUrl === null) {
    logger.warn("PUBLIC_URL is not set: verification mail links to the address this server listens on, which people outside may not reach.");
  }
  const delivery = startDeliveryWorker(db, config.delivery, outbox.tokens, (message, error) => logger.warn(error === undefined ? {} : { err: error }, message));
  logger.info(`Outgoing mail goes to ${delivery.transport.description}.`);
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
    logger.info(`${signal} received: finishing in-flight requests, then stopping.`);
    const force = setTimeout(() => {
      logger.error("Shutdown did not finish in time; exiting.");
      process.exit(1);
    }, config.shutdownGraceMs + CLEAN_UP_MS);
    force.unref();
    // Apollo's drain plugin stops accepting connections, lets in-flight requests finish for up to
    // SHUTDOWN_GRACE_MS, then closes the connections still open.
    await app.apollo.stop();
    await delivery.stop();
    await db.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    logger.fatal(`Cannot start: ${error.message}`);
  } else {
    logger.fatal({ err: error }, `Cannot start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
