import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";

/*
 * What both benchmarks (bench/run.ts and bench/peer/compare.ts) share: their settings, the servers
 * they start and measure, and the requests they send.
 */

/** The project's root (this file runs from dist/bench/). */
const ROOT = path.resolve(__dirname, "..", "..");

/** The user every benchmark signs in as. */
export const VIEWER_EMAIL = "console.admin@bench.example";

export type Body = { query: string; variables?: Record<string, unknown> };

/** A whole-number setting from the environment, at least `min`, or `fallback` when unset. */
export function setting(name: string, fallback: number, min: number): number {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${value}".`);
  return parsed;
}

/** Progress goes to stderr, so stdout holds only the results. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** One GraphQL request; anything but a 200 without errors throws. Resolves to `data`. */
export async function post(url: string, token: string | null, body: Body): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  const json = (await response.json()) as { errors?: unknown; data?: Record<string, unknown> };
  if (response.status !== 200 || json.errors) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(json).slice(0, 500)}`);
  return json.data!;
}

/** A server the benchmarks started as a child process, and the URL it said it listens on. */
export interface Server {
  name: string;
  url: string;
  process: ChildProcess;
}

/**
 * Starts `command args` in the project's root with `env` added, and resolves once it prints
 * "listening on <url>"; its output is drained from then on, so a chatty server never blocks on a full pipe.
 */
export function startServer(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off("data", onData);
        child.stdout!.resume();
        resolve({ name, url: match[1]!, process: child });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => fail(new Error(`${name} exited with code ${code} before it was ready:\n${output}`)));
  });
}

/** SIGTERM, then SIGKILL if it has not exited within 15 s. */
export async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => server.process.once("exit", () => resolve()));
  server.process.kill("SIGTERM");
  const timer = setTimeout(() => server.process.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

/** CPU seconds (user + system) a process has used, from /proc; 0 where /proc cannot say. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Statements the service sends per request: its /metrics counter over `count` requests built by `next`, sent one at a time. */
export async function statementsPerRequest(
  service: Server,
  metricsToken: string,
  token: string,
  next: () => Body,
  count: number,
): Promise<number> {
  const counted = async () => {
    const response = await fetch(new URL("/metrics", service.url), { headers: { authorization: `Bearer ${metricsToken}` } });
    const match = /^contact_points_database_statements_total\{[^}]*\} (\d+)/m.exec(await response.text());
    if (!match) throw new Error("The service's /metrics has no contact_points_database_statements_total.");
    return Number(match[1]);
  };
  // Reading /metrics costs statements of its own (the outbox gauges): measured, and taken off.
  const first = await counted();
  const before = await counted();
  const scrape = before - first;
  for (let request = 0; request < count; request++) await post(service.url, token, next());
  return ((await counted()) - before - scrape) / count;
}
