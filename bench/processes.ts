import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";

/** The project's root (this file runs from dist/bench/). */
const ROOT = path.resolve(__dirname, "..", "..");

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
export function startServer(name: string, command: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<Server> {
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
