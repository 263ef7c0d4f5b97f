// Must stay the first import: it refuses an unsupported Node.js before any dependency can fail in its own way.
import "./node-version";
import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { ConfigError, loadConfig } from "./config";
import { Database } from "./database";
import { createApp } from "./app";
import { DEMO_ADMIN, seedDemoData } from "./seed";
import { signToken } from "./auth/tokens";
import { startDeliveryWorker } from "./outbox/delivery.worker";

/** After the grace period for requests, how long closing the database may take before the process gives up. */
const CLEAN_UP_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.jwtSecretIsDevelopmentDefault) {
    console.warn("AUTH_JWT_SECRET is not set: using the development secret. Never do this in production.");
  }
  const db = await Database.open({ databaseUrl: config.databaseUrl, postgres: config.database });
  await db.duringStartUp(async () => {
    const applied = await db.migrate();
    if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);
    if (config.seedDemoData && (await seedDemoData(db))) console.log("Loaded the demo accounts into the empty database.");
  });

  const app = await createApp(config, db);
  await new Promise<void>((resolve) => app.httpServer.listen(config.port, config.host, resolve));
  const { port } = app.httpServer.address() as AddressInfo;
  const url = `http://${config.host}:${port}/graphql`;
  console.log(`contact-points is listening on ${url}`);
  const delivery = startDeliveryWorker(db, config.delivery);
  if (config.seedDemoData) {
    const token = await signToken(config.jwtSecret, DEMO_ADMIN, "30d");
    console.log(`Demo admin (${DEMO_ADMIN.email}) token, valid 30 days:\n\nAuthorization: Bearer ${token}\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing in-flight requests, then stopping.`);
    const force = setTimeout(() => {
      console.error("Shutdown did not finish in time; exiting.");
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
    console.error(`Cannot start: ${error.message}`);
  } else {
    console.error("Cannot start:", error);
  }
  process.exit(1);
});
