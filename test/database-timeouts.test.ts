import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { expect } from "chai";
import { runToEnd, MAIN } from "./helpers/process";
import { startTestServer, tokenFor } from "./helpers/server";
import { testingOnPostgres } from "./helpers/postgres";

/** A TCP server that accepts every connection and never says a word: a black-holed database address. */
function blackHole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () => {
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      }),
    ),
  );
}

describe("timeouts towards PostgreSQL", function () {
  this.timeout(60_000);

  it("stops start-up against an address that accepts and never answers, naming the connect timeout", async () => {
    const hole = await blackHole();
    try {
      const started = Date.now();
      const result = await runToEnd([MAIN], {
        NODE_ENV: "test",
        PORT: "0",
        AUTH_JWT_SECRET: "timeouts-test-secret-long-enough-for-hs256",
        DATABASE_URL: `postgres://contact_points:secret@127.0.0.1:${hole.port}/contact_points`,
        DATABASE_CONNECT_TIMEOUT_MS: "1000",
        MAIL_TRANSPORT: "file",
        MAIL_LOG_FILE: "/dev/null",
      });
      console.log(`      exited ${result.code} ${Date.now() - started} ms after starting`);
      expect(result.code).to.equal(1);
      const output = result.stdout + result.stderr;
      expect(output).to.contain("Cannot start:");
      expect(output).to.contain(
        `PostgreSQL at 127.0.0.1:${hole.port} did not complete a new connection (TCP, TLS and authentication) within 1000 ms (DATABASE_CONNECT_TIMEOUT_MS).`,
      );
      expect(output, "no password in the log").to.not.contain("secret@");
    } finally {
      await hole.close();
    }
  });

  it("answers SERVICE_UNAVAILABLE with 503 within the query timeout while PostgreSQL is frozen, and the probes answer at once", async function () {
    // The throwaway cluster of scripts/ci-postgres.sh (npm run test:postgres): its processes are ours to stop.
    const clusterDirectory = process.env.PG_CLUSTER_DIR;
    if (!testingOnPostgres() || !clusterDirectory) this.skip();
    const server = await startTestServer({
      env: {
        DATABASE_STATEMENT_TIMEOUT_MS: "1500",
        DATABASE_QUERY_TIMEOUT_MS: "2500",
        DATABASE_CONNECT_TIMEOUT_MS: "1000",
        DATABASE_POOL_ACQUIRE_TIMEOUT_MS: "1500",
        READINESS_TIMEOUT_MS: "500",
        READINESS_CACHE_MS: "0",
      },
    });
    const token = await tokenFor("frozen@example.com");
    const viewer = () =>
      fetch(server.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ viewer { email } }" }),
      });
    const frozen: number[] = [];
    try {
      expect((await viewer()).status).to.equal(200);
      const database = new URL(
        server.db.dataSource.options.type === "postgres" ? String((server.db.dataSource.options as { url: string }).url) : "",
      ).pathname.slice(1);
      const rows = (await server.db.dataSource.query(`SELECT "pid" FROM "pg_stat_activity" WHERE "datname" = $1`, [database])) as {
        pid: number;
      }[];
      const postmaster = Number(fs.readFileSync(path.join(clusterDirectory!, "data", "postmaster.pid"), "utf8").split("\n")[0]);
      frozen.push(postmaster, ...rows.map((row) => row.pid));
      for (const pid of frozen) process.kill(pid, "SIGSTOP");

      let started = Date.now();
      const response = await viewer();
      const requestMs = Date.now() - started;
      expect(response.status).to.equal(503);
      expect(response.headers.get("retry-after")).to.equal("5");
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).to.equal(
        "SERVICE_UNAVAILABLE",
      );

      started = Date.now();
      const live = await fetch(server.url.replace(/\/graphql$/, "/livez"));
      const liveMs = Date.now() - started;
      expect(live.status).to.equal(200);
      started = Date.now();
      const ready = await fetch(server.url.replace(/\/graphql$/, "/readyz"));
      const readyMs = Date.now() - started;
      expect(ready.status).to.equal(503);
      console.log(
        `      frozen PostgreSQL: request answered 503 in ${requestMs} ms (query timeout 2500 ms), /livez 200 in ${liveMs} ms, /readyz 503 in ${readyMs} ms`,
      );
    } finally {
      for (const pid of frozen) process.kill(pid, "SIGCONT");
    }
    try {
      // Thawed, the same process serves again without a restart.
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        status = (await fetch(server.url.replace(/\/graphql$/, "/readyz"))).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).to.equal(200);
      expect((await viewer()).status).to.equal(200);
    } finally {
      await server.close();
    }
  });
});
