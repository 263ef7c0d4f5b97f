import fs from "node:fs";
import path from "node:path";

/*
 * Summarises V8 CPU profiles (`node --cpu-prof`, as `npm run bench` writes them with BENCH_CPU_PROF)
 * into self time by package (graphql, apollo, express, the database driver, typeorm, this project's
 * code, garbage collection…) and the functions with the most self time.
 *
 *   node dist/bench/profile.js <folder or .cpuprofile> [top functions, default 15] [--from <seconds>]
 *
 * Idle time is left out: shares are of the time the process was busy. `--from` skips the first
 * seconds of each profile (start-up: loading and compiling modules). Only the main thread is
 * sampled: sqlite3's statements run on libuv's thread pool and do not show here.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Packages that belong to one part of the stack, reported together. */
const GROUPS: [RegExp, string][] = [
  [/^graphql$/, "graphql"],
  [
    /^(@apollo\/.*|@as-integrations\/.*|@graphql-tools\/.*|graphql-query-complexity|@escape\.tech\/.*)$/,
    "apollo (and its GraphQL plugins)",
  ],
  [
    /^(express|router|body-parser|raw-body|cors|finalhandler|send|serve-static|on-finished|content-type|type-is|accepts|negotiator|mime-types|qs|iconv-lite|depd|vary|statuses|http-errors|path-to-regexp)$/,
    "express (and its HTTP middleware)",
  ],
  [/^sqlite3$/, "sqlite3"],
  [/^(pg|pg-protocol|pg-pool|pg-types|postgres-.*)$/, "pg"],
  [/^typeorm$/, "typeorm"],
  [/^(type-graphql|class-validator|reflect-metadata)$/, "type-graphql"],
  [/^dataloader$/, "dataloader"],
  [/^(pino|pino-std-serializers|sonic-boom|thread-stream)$/, "pino (logging)"],
  [/^prom-client$/, "prom-client (metrics)"],
  [/^jose$/, "jose (tokens)"],
];

function packageOf(url: string): string | null {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(url);
  return match ? match[1]! : null;
}

/** The part of the stack a frame belongs to. */
function groupOf(frame: ProfileNode["callFrame"]): string {
  if (frame.functionName === "(garbage collector)") return "GC";
  if (frame.functionName === "(program)") return "V8 and native code (program)";
  if (frame.functionName === "(idle)") return "(idle)";
  const url = frame.url;
  const pkg = packageOf(url);
  if (pkg) return GROUPS.find(([pattern]) => pattern.test(pkg))?.[1] ?? `other packages: ${pkg}`;
  if (/\/dist\/src\//.test(url)) return "our code (dist/src)";
  if (url.startsWith("node:")) return "Node.js core (http, net, streams, timers)";
  if (url === "") return "V8 built-ins and native bindings (JSON, promises, socket writes…)";
  return `other: ${url}`;
}

/** Packages with less than this share of busy time are reported as one line. */
const MINOR_SHARE = 0.005;

function summarise(file: string, top: number, fromSeconds: number): string {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let elapsedUs = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    elapsedUs += delta;
    if (elapsedUs >= fromSeconds * 1e6) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const groups = new Map<string, number>();
  const functions = new Map<string, { group: string; us: number }>();
  let busy = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const group = groupOf(frame);
    if (group === "(idle)") continue;
    busy += us;
    groups.set(group, (groups.get(group) ?? 0) + us);
    const where = frame.url ? `${packageOf(frame.url) ?? path.basename(frame.url)}:${frame.lineNumber + 1}` : "";
    const key = `${frame.functionName || "(anonymous)"}${where ? ` (${where})` : ""}`;
    const entry = functions.get(key) ?? { group, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  for (const [group, us] of [...groups]) {
    if (group.startsWith("other packages: ") && us < MINOR_SHARE * busy) {
      groups.delete(group);
      groups.set("other packages (each < 0.5 %)", (groups.get("other packages (each < 0.5 %)") ?? 0) + us);
    }
  }
  const share = (us: number) => `${((100 * us) / busy).toFixed(1)} %`;
  const sorted = <T extends [string, number]>(entries: T[]) => entries.sort((a, b) => b[1] - a[1]);
  return [
    `### ${path.basename(file)}: ${(busy / 1e6).toFixed(1)} s busy from ${fromSeconds} s to ${(elapsedUs / 1e6).toFixed(1)} s`,
    "",
    "| part of the stack | self time | share of busy time |",
    "| --- | ---: | ---: |",
    ...sorted([...groups]).map(([group, us]) => `| ${group} | ${(us / 1e6).toFixed(2)} s | ${share(us)} |`),
    "",
    `| top ${top} functions by self time | part | share |`,
    "| --- | --- | ---: |",
    ...[...functions]
      .sort((a, b) => b[1].us - a[1].us)
      .slice(0, top)
      .map(([name, { group, us }]) => `| \`${name}\` | ${group} | ${share(us)} |`),
    "",
  ].join("\n");
}

const args = process.argv.slice(2);
const fromAt = args.indexOf("--from");
const fromSeconds = fromAt >= 0 ? Number(args.splice(fromAt, 2)[1]) : 0;
const [target, topArg] = args;
if (!target || !Number.isFinite(fromSeconds)) {
  console.error("usage: node dist/bench/profile.js <folder or .cpuprofile> [top] [--from <seconds>]");
  process.exit(2);
}
const top = Number(topArg ?? 15);
const files = fs.statSync(target).isDirectory()
  ? fs
      .readdirSync(target)
      .filter((name) => name.endsWith(".cpuprofile"))
      .map((name) => path.join(target, name))
  : [target];
if (files.length === 0) throw new Error(`No .cpuprofile in ${target}.`);
for (const file of files) console.log(summarise(file, top, fromSeconds));
