import http from "node:http";
import type { ConnectionSettings } from "../config";

/**
 * An HTTP server that cuts clients sending slowly (headers, then the whole body, each against a
 * deadline rather than an idle timer, so a byte every few seconds does not keep a connection) and
 * holds at most `maxConnections` at once: past that, a new connection is closed as it arrives.
 */
export function createHttpServer(listener: http.RequestListener, settings: ConnectionSettings): http.Server {
  const server = http.createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      // Node checks the two deadlines above on this timer (30 s by default, which would double a short one).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(settings.headersTimeoutMs / 4))),
    },
    listener,
  );
  server.timeout = settings.idleTimeoutMs;
  server.maxConnections = settings.maxConnections;
  return server;
}
