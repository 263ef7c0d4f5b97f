import type { IncomingMessage } from "node:http";
import net, { type AddressInfo } from "node:net";
import type { Config } from "../config";
import type { Database } from "../database";
import { signToken } from "../auth/tokens";
import { DEMO_ADMIN, demoDataLoaded } from "../seed";

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** 127.0.0.0/8, ::1, and IPv4 loopback written as IPv6 (::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string): boolean {
  const family = net.isIPv4(address) ? "ipv4" : net.isIPv6(address) ? "ipv6" : null;
  return family !== null && LOOPBACK.check(address, family);
}

/**
 * Whether a request's Host header names this machine. A page on another site that rebinds its own
 * name to 127.0.0.1 reaches the server with that name in Host, and must not be handed the token.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host || !URL.canParse(`http://${host}`)) return false;
  const hostname = new URL(`http://${host}`).hostname.replace(/^\[(.*)\]$/, "$1");
  return hostname === "localhost" || isLoopbackAddress(hostname);
}

/** Headers a reverse proxy adds: a request carrying one may have come from anywhere. */
const PROXY_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip"];

/**
 * Whether a browser's request for the page came straight from this machine: from a loopback
 * address, under a loopback name, and not through a proxy (which would reach us from loopback too).
 */
export function isLocalRequest(request: IncomingMessage): boolean {
  const remote = request.socket.remoteAddress;
  return (
    remote !== undefined &&
    isLoopbackAddress(remote) &&
    isLoopbackHost(request.headers.host) &&
    PROXY_HEADERS.every((name) => request.headers[name] === undefined)
  );
}

export type DemoTokenDecision = { offered: true } | { offered: false; reason: string };

/**
 * The demo admin's token opens every demo account to whoever holds it, so it is handed out only where
 * nobody else can reach the server and nothing real is at stake: asked for (DEMO_TOKEN, which config
 * refuses beside any sign of a proxy or a public address), NODE_ENV is development, the server listens
 * on a loopback address, and this database holds the demo data this server loaded into it.
 */
export async function demoTokenDecision(config: Config, db: Database, listening: AddressInfo | string | null): Promise<DemoTokenDecision> {
  if (!config.demoToken) return { offered: false, reason: "DEMO_TOKEN is off (npm start turns it on, for development on this machine)" };
  if (config.nodeEnv !== "development") return { offered: false, reason: `NODE_ENV is ${config.nodeEnv}, not development` };
  if (!config.seedDemoData) return { offered: false, reason: "demo data is off (SEED_DEMO_DATA)" };
  const address = listening !== null && typeof listening === "object" ? listening.address : null;
  if (address === null || !isLoopbackAddress(address)) {
    return { offered: false, reason: `the server listens on ${address ?? String(listening)}, which is not a loopback address` };
  }
  if (!(await demoDataLoaded(db)))
    return { offered: false, reason: "the data in this database was not loaded as demo data by this server" };
  return { offered: true };
}

/** How long the demo admin's token stays valid: a working day, and never beyond AUTH_JWT_MAX_LIFETIME. */
export function demoTokenLifetimeSeconds(config: Config): number {
  return Math.min(12 * 3600, config.jwtMaxLifetimeSeconds);
}

/** A token for the demo admin that this server's own rules accept. Only after `demoTokenDecision` offered it. */
export function signDemoToken(config: Config): Promise<string> {
  return signToken(config.jwtSecret, DEMO_ADMIN, `${demoTokenLifetimeSeconds(config)}s`, {
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
}
