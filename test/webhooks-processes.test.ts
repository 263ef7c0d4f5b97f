import { expect } from "chai";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { freshDatabaseUrl, dropTestDatabase, tokenFor, TEST_JWT_SECRET } from "./helpers/server";
import { postGraphQL, spawnServer, type ServerProcess } from "./helpers/process";
import { testingOnPostgres } from "./helpers/postgres";
import { waitFor } from "./helpers/smtp";

/*
 * Two real server processes on one PostgreSQL database, each running its webhook worker: an endpoint
 * never gets two deliveries at once, and no event is delivered twice.
 */

const ACCOUNTS = 8;
const CHANGES = 5;

describe("webhook workers in two server processes on one PostgreSQL database", function () {
  this.timeout(120_000);
  let databaseUrl: string;
  const servers: ServerProcess[] = [];
  let receiver: http.Server | undefined;
  const received: { path: string; webhookId: string; sequence: number }[] = [];
  const inFlight = new Map<string, number>();
  let overlapping = 0;

  before(async function () {
    if (!testingOnPostgres()) {
      console.log("      (skipped: TEST_DATABASE_URL is not a postgres:// URL; `npm run test:postgres` runs these tests)");
      this.skip();
    }
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const path = request.url!;
        inFlight.set(path, (inFlight.get(path) ?? 0) + 1);
        if (inFlight.get(path)! > 1) overlapping++;
        received.push({
          path,
          webhookId: String(request.headers["webhook-id"]),
          sequence: JSON.parse(Buffer.concat(chunks).toString("utf8")).data.sequence,
        });
        // Slow enough that a second worker sending to the same endpoint would overlap this one.
        setTimeout(() => {
          inFlight.set(path, inFlight.get(path)! - 1);
          response.end("ok");
        }, 30);
      });
    });
    receiver = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    databaseUrl = await freshDatabaseUrl();
    const env = {
      DATABASE_URL: databaseUrl,
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      NODE_ENV: "test",
      SEED_DEMO_DATA: "false",
      MUTATION_RATE_LIMIT: "0",
      DATABASE_POOL_SIZE: "5",
      WEBHOOK_ALLOW_HTTP: "true",
      WEBHOOK_ALLOW_PRIVATE_ADDRESSES: "true",
      WEBHOOK_POLL_MS: "10",
      WEBHOOK_RETRY_SCHEDULE: "50",
    };
    // One after the other: the second finds the schema migrated.
    servers.push(await spawnServer(env, "listening on", 60_000));
    servers.push(await spawnServer(env, "listening on", 60_000));
  });

  after(async () => {
    for (const server of servers) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    const listening = receiver;
    if (listening) await new Promise((resolve) => listening.close(resolve));
    if (databaseUrl) await dropTestDatabase(databaseUrl).catch(() => undefined);
  });

  it("sends each endpoint one delivery at a time, and each event once, in order", async () => {
    const port = (receiver!.address() as AddressInfo).port;
    const accounts: { token: string; accountId: string; endpointId: string }[] = [];
    const setStatus = (index: number, status: string) =>
      postGraphQL(
        servers[index % 2]!.url,
        `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { webhookEndpoint { status } } }`,
        accounts[index]!.token,
        {
          input: { webhookEndpointId: accounts[index]!.endpointId, status },
        },
      );
    for (let index = 0; index < ACCOUNTS; index++) {
      const token = await tokenFor(`processes-${index}@example.com`);
      const created = await postGraphQL(
        servers[index % 2]!.url,
        `mutation { createAccount(input: { name: "Hooked ${index}" }) { account { id } } }`,
        token,
      );
      const accountId = created.data.createAccount.account.id as string;
      const added = await postGraphQL(
        servers[index % 2]!.url,
        `mutation($input: AddWebhookEndpointInput!) { addWebhookEndpoint(input: $input) { webhookEndpoint { id } } }`,
        token,
        { input: { accountId, url: `http://127.0.0.1:${port}/account${index}`, eventTypes: ["SETTINGS"] } },
      );
      expect(added.errors, JSON.stringify(added.errors)).to.equal(undefined);
      accounts.push({ token, accountId, endpointId: added.data.addWebhookEndpoint.webhookEndpoint.id });
      // Paused while the changes pile up, so both workers find every endpoint due at once when they are enabled.
      expect((await setStatus(index, "PAUSED")).data.updateWebhookEndpoint.webhookEndpoint.status).to.equal("PAUSED");
    }
    for (let change = 0; change < CHANGES; change++) {
      await Promise.all(
        accounts.map(async ({ token, accountId }, index) => {
          const answer = await postGraphQL(
            servers[(index + change) % 2]!.url,
            `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { id } } }`,
            token,
            {
              input: { accountId, locale: change % 2 === 0 ? "PL" : "EN" },
            },
          );
          expect(answer.errors, JSON.stringify(answer.errors)).to.equal(undefined);
        }),
      );
    }
    await Promise.all(accounts.map((_, index) => setStatus(index, "ENABLED")));
    await waitFor("every event delivered", () => received.length >= ACCOUNTS * CHANGES, 60_000);
    // A second worker that would send an event again has had time to.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(overlapping, "deliveries to one endpoint at once").to.equal(0);
    expect(received).to.have.lengthOf(ACCOUNTS * CHANGES);
    expect(new Set(received.map((entry) => entry.webhookId)).size).to.equal(ACCOUNTS * CHANGES);
    for (let index = 0; index < ACCOUNTS; index++) {
      const sequences = received.filter((entry) => entry.path === `/account${index}`).map((entry) => entry.sequence);
      expect(sequences).to.have.lengthOf(CHANGES);
      expect(sequences).to.deep.equal([...sequences].sort((a, b) => a - b));
    }
  });
});
