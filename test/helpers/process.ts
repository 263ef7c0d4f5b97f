import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
export const MAIN = path.join(ROOT, "dist", "src", "main.js");

let scratch: string | undefined;

/**
 * Where a server a test starts keeps its database and mail unless the test says: a temporary
 * directory, never the developer's own `data/` (the defaults of DATABASE_URL and MAIL_LOG_FILE).
 */
export function scratchDefaults(): Record<string, string> {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), "cp-test-data-"));
  return { DATABASE_URL: "sqlite::memory:", MAIL_LOG_FILE: path.join(scratch, "mail.log") };
}

/** A free loopback port (asks the OS for one, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

/** How to run `node main.js`: as it is, or through a wrapper (a shell that sets limits first, say). */
export type Launcher = (node: string, main: string) => [string, string[]];

/** Starts `node dist/src/main.js` with `env` and waits until its output includes `readyText`. */
export async function spawnServer(
  env: Record<string, string>,
  readyText = "listening on",
  timeoutMs = 20_000,
  launch: Launcher = (node, main) => [node, [main]],
): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const [command, args] = launch(process.execPath, MAIN);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", ...scratchDefaults(), ...env, PORT: port },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}/graphql`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Server did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      if (output.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Server exited with ${code} before listening:\n${output}`));
    });
  });
  return { child, url, output: () => output, exited };
}

/** Runs a command to completion and returns its exit code and output. */
export function runToEnd(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Only the mail file: a command run to its end may be checking how a missing DATABASE_URL is refused.
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", MAIL_LOG_FILE: scratchDefaults().MAIL_LOG_FILE, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

export async function postGraphQL(url: string, query: string, token?: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}
