import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./process";

export const NGINX = process.env.NGINX_BINARY ?? "/usr/sbin/nginx";

export interface Nginx {
  url: string;
  stop(): Promise<void>;
  errorLog(): string;
}

/**
 * Debian's nginx as a child process, in a temp prefix of its own, listening on a free loopback port,
 * with a stock `proxy_pass` to an upstream of `upstreamPorts` on 127.0.0.1: no tuning of retries,
 * timeouts or keep-alive, exactly as a first configuration would be written.
 */
export async function startNginx(upstreamPorts: number[]): Promise<Nginx> {
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-nginx-"));
  const port = await freePort();
  const runningAsRoot = process.getuid?.() === 0;
  const config = `
${runningAsRoot ? "user root root;" : ""}
daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log ${prefix}/access.log;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream api {
${upstreamPorts.map((upstream) => `    server 127.0.0.1:${upstream};`).join("\n")}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://api;
    }
  }
}
`;
  const configFile = path.join(prefix, "nginx.conf");
  fs.writeFileSync(configFile, config);
  const child: ChildProcess = spawn(NGINX, ["-p", prefix, "-c", configFile, "-e", path.join(prefix, "error.log")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${output}`);
    try {
      await fetch(`${url}/livez`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not listen on ${url}: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    errorLog: () => fs.readFileSync(path.join(prefix, "error.log"), "utf8"),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGQUIT");
        await exited;
      }
      fs.rmSync(prefix, { recursive: true, force: true });
    },
  };
}
