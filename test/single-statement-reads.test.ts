import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { Kind, parse, print, visit, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import { Database } from "../src/database";
import { DEMO_ADMIN, seedDemoData } from "../src/seed";
import { encodeCursor } from "../src/common/pagination";
import { globalId } from "../src/common/global-id";
import { freshDatabaseUrl, startTestServer, testDatabaseUrl, tokenFor, type GraphQLResponse, type TestServer } from "./helpers/server";
import { addMember, createAccount, failsWith, ok, signIn, type TestUser } from "./helpers/factories";
import { seedDataset, type Dataset } from "./helpers/dataset";
import { StatementCounter } from "./helpers/statement-counter";

const EXAMPLES_DIR = path.resolve(__dirname, "..", "..", "examples");
const onPostgres = !testDatabaseUrl().startsWith("sqlite:");

/** Fragment definitions by name, and each query operation with exactly the fragments it uses: what a client sends. */
function queriesIn(documents: string[]): { name: string; text: string }[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const document of documents) {
    for (const definition of parse(document).definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      else if (definition.kind === Kind.OPERATION_DEFINITION && definition.operation === "query") operations.push(definition);
    }
  }
  const used = (node: OperationDefinitionNode | FragmentDefinitionNode, found = new Set<string>()) => {
    visit(node, {
      FragmentSpread(spread) {
        if (found.has(spread.name.value)) return;
        found.add(spread.name.value);
        used(fragments.get(spread.name.value)!, found);
      },
    });
    return found;
  };
  return operations.map((operation) => ({
    name: operation.name!.value,
    text: [operation, ...[...used(operation)].map((name) => fragments.get(name)!)].map((definition) => print(definition)).join("\n\n"),
  }));
}

/** The example operations, and the settings app's, as their clients send them. */
function exampleQueries(): { name: string; text: string }[] {
  const files = fs.readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith(".graphql"));
  const examples = files.map((file) => fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8"));
  const app = fs.readFileSync(path.join(EXAMPLES_DIR, "settings-app", "src", "operations.ts"), "utf8");
  const appDocuments = [...app.matchAll(/graphql\(`([^`]*)`\)/g)].map((match) => match[1]!);
  return [...queriesIn(examples), ...queriesIn(appDocuments)];
}

const SETTINGS_QUERY = `query AccountContacts($accountId: ID!) { account(id: $accountId) {
  id name viewerRole contactsVersion updatedAt
  primaryContact { id email name } billingContacts { id email name }
  roleContacts { id role email isExternal user { id email name } updatedAt updatedBy { id email name } }
} }`;

describe("single-statement reads of one account", () => {
  let counter: StatementCounter;
  let db: Database;
  /** One planned statement for a query of one account, on either driver. */
  let planned: TestServer;
  /** The same database with SINGLE_STATEMENT_READS=off: every field through the per-request loaders. */
  let general: TestServer;
  let adminToken: string;
  let northwindId: string;
  let dataset: Dataset;
  let datasetToken: string;

  before(async () => {
    counter = new StatementCounter();
    db = await Database.open({ databaseUrl: await freshDatabaseUrl(), logger: counter });
    // "always": on SQLite too, where the service does not use it by default, so both drivers' JSON is held to the loaders' answers.
    planned = await startTestServer({ db, env: { SINGLE_STATEMENT_READS: "always" } });
    general = await startTestServer({ db, env: { SINGLE_STATEMENT_READS: "off" } });
    await seedDemoData(db, planned.app.outbox);
    adminToken = await tokenFor(DEMO_ADMIN.email, DEMO_ADMIN.name);
    const mine = ok(
      await planned.graphql<{ accounts: { edges: { node: { id: string; name: string } }[] } }>(
        "{ accounts { edges { node { id name } } } }",
        {},
        adminToken,
      ),
    );
    northwindId = mine.accounts.edges.find((edge) => edge.node.name === "Northwind Traders")!.node.id;
    dataset = await seedDataset(db, { accounts: 3, membersPerAccount: 60, viewerEmail: "console@single-statement.example" });
    datasetToken = await tokenFor(dataset.viewer.email, "Console Admin");
  });

  after(async () => {
    await planned.close();
    await general.close();
    await db.close();
  });

  /** Sends the same request to both servers, one after the other, and expects the very same answer. */
  async function sameAnswer(
    query: string,
    variables: Record<string, unknown>,
    token: string | null,
    label = query,
  ): Promise<GraphQLResponse> {
    const first = await planned.graphql(query, variables, token);
    const second = await general.graphql(query, variables, token);
    expect(JSON.stringify(first), label).to.equal(JSON.stringify(second));
    return first;
  }

  async function statementsFor(server: TestServer, query: string, variables: Record<string, unknown>, token: string) {
    const { result, statements } = await counter.during(() => server.graphql(query, variables, token));
    ok(result);
    return statements;
  }

  it("answers every example query and the settings app's queries exactly as the loaders do", async () => {
    const queries = exampleQueries();
    expect(queries.map((query) => query.name)).to.include.members([
      "AccountContacts",
      "MemberPicker",
      "SettingsPage",
      "SettingsHistory",
      "SettingsAccounts",
    ]);
    const variables = { accountId: northwindId, category: "SECURITY", first: 5, sinceVersion: 1 };
    for (const { name, text } of queries) {
      const answer = await sameAnswer(text, variables, adminToken, name);
      expect(answer.errors, `${name}: ${JSON.stringify(answer.errors)}`).to.equal(undefined);
    }
  });

  it("answers the seeded settings screen, members and their next page exactly as the loaders do", async () => {
    const page = `query($accountId: ID!, $after: String) { account(id: $accountId) { id name
      members(first: 25, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id role joinedAt displayName user { id email name } } } }
      notificationRecipients(category: RENEWAL) { email reasons user { id } } contactHealth { needsAttention missingRoles billingContactsFree }
    } }`;
    for (const account of dataset.accounts) {
      await sameAnswer(SETTINGS_QUERY, { accountId: account.id }, datasetToken);
      const first = ok(await sameAnswer(page, { accountId: account.id }, datasetToken)) as {
        account: { members: { pageInfo: { endCursor: string } } };
      };
      await sameAnswer(page, { accountId: account.id, after: first.account.members.pageInfo.endCursor }, datasetToken);
    }
  });

  it("answers the settings screen in one statement, the caller's lookup and membership check included, however many members", async () => {
    const account = dataset.accounts[0]!.id;
    // Signed in before: the caller's record needs no write.
    expect(await statementsFor(planned, SETTINGS_QUERY, { accountId: account }, datasetToken)).to.equal(1);
    // The loaders: the caller, the account with its primary contact, and every slot of it (billing and roles in one list).
    expect(await statementsFor(general, SETTINGS_QUERY, { accountId: account }, datasetToken)).to.equal(3);
    if (onPostgres) {
      // The service's default: planned on PostgreSQL.
      const standard = await startTestServer({ db });
      try {
        expect(await statementsFor(standard, SETTINGS_QUERY, { accountId: account }, datasetToken)).to.equal(1);
      } finally {
        await standard.close();
      }
    }
    for (const size of [1, 10, 60]) {
      const withMembers = `query($accountId: ID!) { account(id: $accountId) { id viewerRole primaryContact { email } billingContacts { email }
        roleContacts { role user { email } updatedBy { email } } members(first: ${size}) { totalCount edges { node { user { email } } } } } }`;
      expect(await statementsFor(planned, withMembers, { accountId: account }, datasetToken), `${size} members`).to.equal(1);
    }
  });

  it("plans through fragments, aliases, @include and @skip with variables and __typename", async () => {
    const query = `query($accountId: ID!, $withRoles: Boolean!, $skipBilling: Boolean!, $after: String) {
      __typename
      screen: account(id: $accountId) { __typename ...Contacts ... on Node { id } ... on Account @include(if: $withRoles) { roleContacts { role user { id } } }
        billing: billingContacts @skip(if: $skipBilling) { email }
        people: members(first: 3, after: $after) { edges { cursor node { user { email } } } } }
    }
    fragment Contacts on Account { viewerRole primaryContact { ...Who } }
    fragment Who on User { __typename id email }`;
    const accountId = dataset.accounts[1]!.id;
    const after = encodeCursor([new Date(Date.UTC(2000, 0, 1)).toISOString(), "00000000-0000-0000-0000-000000000000"]);
    for (const variables of [
      { accountId, withRoles: true, skipBilling: false, after: null },
      { accountId, withRoles: false, skipBilling: true, after },
    ]) {
      await sameAnswer(query, variables, datasetToken);
      expect(await statementsFor(planned, query, variables, datasetToken), JSON.stringify(variables)).to.equal(1);
    }
  });

  it("leaves what it does not plan to the loaders, fetching nothing twice", async () => {
    const accountId = dataset.accounts[2]!.id;
    // Two different pages of members, and history: the plan leaves those to the loaders, which batch them.
    const query = `query($accountId: ID!) { account(id: $accountId) { id billingContacts { email }
      few: members(first: 2) { edges { node { user { email } } } } more: members(first: 4) { totalCount edges { node { user { email } } } }
      contactHistory(first: 3) { totalCount edges { node { slot actor { email } } } } } }`;
    await sameAnswer(query, { accountId }, datasetToken);
    // The planned statement, then two members pages with their counts, then the history page and its count.
    expect(await statementsFor(planned, query, { accountId }, datasetToken)).to.equal(1 + 4 + 2);
    expect(await statementsFor(general, query, { accountId }, datasetToken)).to.equal(2 + 1 + 4 + 2);
    // An invalid cursor: the plan steps aside and the loader reports it.
    const bad = `query($accountId: ID!) { account(id: $accountId) { id members(after: "not-a-cursor") { totalCount } } }`;
    failsWith(await sameAnswer(bad, { accountId }, datasetToken), "BAD_USER_INPUT");
  });

  describe("isolation", () => {
    let outsider: TestUser;
    let otherAdmin: TestUser;
    let otherAccountId: string;

    before(async () => {
      outsider = await signIn(planned, "outsider@single-statement.example", "Outsider");
      otherAdmin = await signIn(planned, "other.admin@single-statement.example", "Other Admin");
      otherAccountId = (await createAccount(planned, otherAdmin, "Another Tenant")).id;
    });

    const notFoundBoth = async (accountId: string, token: string) => {
      const answer = await sameAnswer(SETTINGS_QUERY, { accountId }, token);
      failsWith(answer, "NOT_FOUND");
      expect(answer.data).to.deep.equal({ account: null });
    };

    it("answers another tenant's account like a missing one", async () => {
      await notFoundBoth(otherAccountId, datasetToken);
      await notFoundBoth(globalId("Account", "00000000-0000-4000-8000-000000000000"), datasetToken);
      await notFoundBoth(dataset.accounts[0]!.id, outsider.token);
      await notFoundBoth(northwindId, otherAdmin.token);
    });

    it("answers a member's or user's id given as an account id as the loaders do", async () => {
      const userId = dataset.accounts[0]!.memberIds[3]!;
      const answer = await sameAnswer(SETTINGS_QUERY, { accountId: userId }, datasetToken);
      expect(answer.errors).to.be.an("array").with.lengthOf(1);
      await sameAnswer(SETTINGS_QUERY, { accountId: "not a global id" }, datasetToken);
      await sameAnswer(`{ account(id: "${dataset.accounts[0]!.rowId}") { id } }`, {}, datasetToken);
    });

    it("answers a second account in the same query, another tenant's, like a missing one", async () => {
      const query = `query($mine: ID!, $theirs: ID!) { mine: account(id: $mine) { id billingContacts { email } members(first: 2) { totalCount } }
        theirs: account(id: $theirs) { id billingContacts { email } members(first: 2) { totalCount } } }`;
      for (const [mine, theirs] of [
        [dataset.accounts[0]!.id, otherAccountId],
        [otherAccountId, dataset.accounts[0]!.id],
      ]) {
        const answer = await sameAnswer(query, { mine, theirs }, datasetToken);
        expect(answer.data!.mine === null || answer.data!.theirs === null).to.equal(true);
        expect(answer.errors!.map((error) => error.extensions?.code)).to.deep.equal(["NOT_FOUND"]);
      }
    });

    it("answers a deleted account like a missing one", async () => {
      const doomed = (await createAccount(planned, otherAdmin, "Soon Gone")).id;
      ok(await planned.graphql(SETTINGS_QUERY, { accountId: doomed }, otherAdmin.token));
      const [rowId] = Buffer.from(doomed, "base64").toString("utf8").split(":").slice(1);
      await db.write((manager) => manager.query(`DELETE FROM "accounts" WHERE "id" = ${onPostgres ? "$1" : "?"}`, [rowId]));
      await notFoundBoth(doomed, otherAdmin.token);
    });

    it("answers a removed member whose token is still valid like anyone else", async () => {
      const member = await addMember(planned, otherAdmin, otherAccountId, "leaving@single-statement.example");
      await sameAnswer(SETTINGS_QUERY, { accountId: otherAccountId }, member.token);
      ok(
        await planned.graphql(
          `mutation($input: RemoveAccountMemberInput!) { removeAccountMember(input: $input) { account { id } } }`,
          { input: { accountId: otherAccountId, userId: member.id } },
          otherAdmin.token,
        ),
      );
      await notFoundBoth(otherAccountId, member.token);
    });

    it("signs in a caller never seen before, and one with a new name, as the loaders do", async () => {
      const newcomer = await tokenFor("newcomer@single-statement.example", "New Comer");
      await notFoundBoth(otherAccountId, newcomer);
      const renamed = await tokenFor(otherAdmin.email, "Renamed Admin");
      const answer = await planned.graphql(
        `query($accountId: ID!) { account(id: $accountId) { primaryContact { name } } }`,
        { accountId: otherAccountId },
        renamed,
      );
      expect(ok(answer)).to.deep.equal({ account: { primaryContact: { name: "Renamed Admin" } } });
    });

    it("refuses a caller without a valid token before reading anything", async () => {
      failsWith(await sameAnswer(SETTINGS_QUERY, { accountId: northwindId }, null), "UNAUTHENTICATED");
      failsWith(await sameAnswer(SETTINGS_QUERY, { accountId: northwindId }, "not-a-token"), "UNAUTHENTICATED");
    });
  });
});
