import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { execute, getOperationAST, parse, type ExecutionResult } from "graphql";
import { loadConfig } from "../src/config";
import { Database } from "../src/database";
import { createApp } from "../src/app";
import { Context } from "../src/context";
import { createLoaders } from "../src/modules";
import { signToken } from "../src/auth/tokens";
import { VerifiedTokens } from "../src/auth/token-cache";
import { identifyCaller } from "../src/security/callers";
import { seedDataset, type SeededAccount } from "../test/helpers/dataset";
import {
  CONTACT_HISTORY_QUERY,
  MEMBER_PICKER_QUERY,
  MY_ACCOUNTS_QUERY,
  NODE_QUERY,
  NODES_QUERY,
  OUTSIDE_SETTINGS_QUERY,
  RECIPIENTS_QUERY,
  SETTINGS_HEADER_QUERY,
  SETTINGS_QUERY,
} from "./screen-queries";

/*
 * Execution alone, graphql-js against the compiled executor the server uses, in one process
 * (`npm run bench:execution`): each screen query runs one request at a time, as Apollo would run it
 * after parsing, validating and its plugins (a new Context per request, the same signed-in caller),
 * on a seeded SQLite file. Slices of each executor alternate; the figure is the process's CPU time
 * per request, resolvers, loaders and the driver included, HTTP and Apollo left out. A third column
 * sends the same requests through Apollo (`executeOperation`: its cached parse and validation and
 * every plugin, then the compiled executor), HTTP still left out: the difference is Apollo's share.
 *
 * Environment: BENCH_SHAPE (`outside`: 60 accounts × 10 members, the default; `screens`: 1,000 × 20),
 * BENCH_SECONDS (per case and executor, default 3).
 */

const SHAPES = { outside: { accounts: 60, members: 10 }, screens: { accounts: 1000, members: 20 } } as const;
const SHAPE = SHAPES[(process.env.BENCH_SHAPE ?? "outside") as keyof typeof SHAPES];
if (!SHAPE) throw new Error(`BENCH_SHAPE must be one of ${Object.keys(SHAPES).join(", ")}.`);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const SLICE_MS = 500;
const VIEWER_EMAIL = "viewer@bench.example";

/** graphql-js's execute, the compiled executor, and the compiled executor through Apollo's pipeline and plugins. */
const MODES = ["interpreted", "compiled", "apollo"] as const;
type Mode = (typeof MODES)[number];

type Variables = (account: SeededAccount) => Record<string, unknown>;

async function main() {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-execution-"));
  const secret = randomBytes(32).toString("hex");
  const config = loadConfig({
    AUTH_JWT_SECRET: secret,
    NODE_ENV: "test",
    PORT: "0",
    LOG_LEVEL: "silent",
    MAIL_TRANSPORT: "file",
    MAIL_LOG_FILE: path.join(folder, "mail.log"),
  });
  const db = await Database.open({ databaseUrl: `sqlite:${path.join(folder, "bench.sqlite")}` });
  try {
    await db.migrate();
    const dataset = await seedDataset(db, { accounts: SHAPE.accounts, membersPerAccount: SHAPE.members, viewerEmail: VIEWER_EMAIL });
    const app = await createApp(config, db);
    const caller = await identifyCaller(new VerifiedTokens(config), `Bearer ${await signToken(secret, { email: VIEWER_EMAIL }, "2h")}`);
    const byId: Variables = (account) => ({ accountId: account.id });
    const cases: [string, string, Variables][] = [
      ["settings", SETTINGS_QUERY, byId],
      ["outside", OUTSIDE_SETTINGS_QUERY, byId],
      ["header", SETTINGS_HEADER_QUERY, byId],
      ["my-accounts", MY_ACCOUNTS_QUERY, () => ({})],
      ["members", MEMBER_PICKER_QUERY, byId],
      ["history", CONTACT_HISTORY_QUERY, byId],
      ["node", NODE_QUERY, (account) => ({ id: account.id })],
      ["nodes", NODES_QUERY, (account) => ({ ids: [account.id, account.memberIds[1]] })],
      ["recipients", RECIPIENTS_QUERY, (account) => ({ accountId: account.id, category: "RENEWAL" })],
    ];
    console.log(`execution alone: ${SHAPE.accounts} accounts × ${SHAPE.members} members, SQLite file, ${SECONDS} s per case and executor`);
    console.log(
      `load average at the start: ${os
        .loadavg()
        .map((value) => value.toFixed(2))
        .join(", ")}\n`,
    );
    console.log(
      "| case | graphql-js CPU ms / request | compiled CPU ms / request | compiled ÷ graphql-js | through Apollo (compiled, plugins) CPU ms / request |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const [key, query, variables] of cases) {
      const document = parse(query);
      const operation = getOperationAST(document)!;
      let turn = 0;
      const once = async (mode: Mode): Promise<string> => {
        const account = dataset.accounts[turn++ % dataset.accounts.length]!;
        const contextValue = new Context(
          db,
          createLoaders,
          caller,
          app.outbox,
          "127.0.0.1",
          config.defaultLocale,
          undefined,
          config.webhooks,
        );
        let result: ExecutionResult;
        if (mode === "apollo") {
          const response = await app.apollo.executeOperation({ query, variables: variables(account) }, { contextValue });
          if (response.body.kind !== "single") throw new Error(`${key}: an incremental answer`);
          result = response.body.singleResult as ExecutionResult;
        } else if (mode === "compiled") {
          result = await app.execution.execute({
            document,
            operation,
            operationName: undefined,
            queryHash: query,
            variables: variables(account),
            contextValue,
          });
        } else {
          result = await execute({ schema: app.schema, document, variableValues: variables(account), contextValue });
        }
        if (result.errors) throw new Error(`${key}: ${JSON.stringify(result.errors)}`);
        return JSON.stringify(result.data);
      };
      // All give the same answer before any is timed.
      const answers = [];
      for (const mode of MODES) {
        turn = 0;
        answers.push(await once(mode));
      }
      if (new Set(answers).size !== 1) throw new Error(`${key}: the executors answer differently`);
      const totals = Object.fromEntries(MODES.map((mode) => [mode, { cpu: 0, runs: 0 }])) as Record<Mode, { cpu: number; runs: number }>;
      for (let slice = 0; slice < (SECONDS * 1000) / SLICE_MS; slice++) {
        for (const mode of MODES) {
          const total = totals[mode];
          const started = Date.now();
          const cpu = process.cpuUsage();
          while (Date.now() - started < SLICE_MS) {
            await once(mode);
            total.runs++;
          }
          const used = process.cpuUsage(cpu);
          total.cpu += (used.user + used.system) / 1000;
        }
      }
      const [interpreted, compiled, apollo] = MODES.map((mode) => totals[mode].cpu / totals[mode].runs) as [number, number, number];
      console.log(
        `| ${key} | ${interpreted.toFixed(3)} | ${compiled.toFixed(3)} | ${(compiled / interpreted).toFixed(2)} | ${apollo.toFixed(3)} |`,
      );
    }
    await app.apollo.stop();
  } finally {
    await db.close();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
