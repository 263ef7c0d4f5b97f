/**
 * Refuses to start on a Node.js the service does not support, with one line instead of whatever a
 * dependency would throw. `main.ts` imports this module before anything else, so it must import nothing
 * and use no language feature an old Node lacks.
 */

/**
 * The oldest supported release of each Node.js line; any later line is supported too. jose 6 is an
 * ES module that the compiled CommonJS loads with `require()`: Node.js allows that from 20.19 on, and
 * on the 22 line from 22.12, which still prints an ExperimentalWarning at every start (so do 23.0 to 23.4,
 * an end-of-life line). Node 21 never did.
 */
export const OLDEST_SUPPORTED_NODE = ["20.19.0", "22.13.0"] as const;

/** The same as a semver range, exactly as `engines.node` in package.json states it. */
export const SUPPORTED_NODE_RANGE = OLDEST_SUPPORTED_NODE.map((oldest, index, all) =>
  index < all.length - 1 ? `^${oldest}` : `>=${oldest}`,
).join(" || ");

type Version = [major: number, minor: number, patch: number];

function parse(version: string): Version | null {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function isOlder(running: Version, than: Version): boolean {
  for (let index = 0; index < running.length; index++) {
    if (running[index] !== than[index]) return running[index] < than[index];
  }
  return false;
}

/** Why the service cannot run on this Node.js version (as in `process.versions.node`), in one line; null when it can. */
export function unsupportedNodeReason(version: string): string | null {
  const running = parse(version);
  if (running) {
    const lines = OLDEST_SUPPORTED_NODE.map((oldest) => parse(oldest)!);
    const newestLine = lines[lines.length - 1]!;
    const ownLine = lines.find((oldest) => oldest[0] === running[0]);
    const supported = running[0] > newestLine[0] || (ownLine !== undefined && !isOlder(running, ownLine));
    if (supported) return null;
  }
  const wanted = OLDEST_SUPPORTED_NODE.map((oldest, index, all) =>
    index < all.length - 1 ? `${oldest} or a later ${oldest.split(".")[0]}.x` : `${oldest} or newer`,
  ).join(", or ");
  return `Cannot start: contact-points needs Node.js ${wanted} (22 or 24 LTS recommended); this is Node.js ${version || "of an unknown version"}.`;
}

const reason = unsupportedNodeReason(process.versions.node);
if (reason !== null) {
  console.error(reason);
  process.exit(1);
}
