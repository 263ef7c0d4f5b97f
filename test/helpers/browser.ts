import path from "node:path";

/** Where the browser tests save their screenshots (git-ignored). */
export const ARTIFACTS = path.resolve(__dirname, "..", "..", "..", "test", "artifacts");

/** Debian's Chromium unless CHROMIUM_PATH names another. */
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Flags that keep Chromium from calling home: the browser tests assert that nothing leaves the machine. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  // As if the network were unplugged: no host name but the loopback servers' resolves.
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
];
