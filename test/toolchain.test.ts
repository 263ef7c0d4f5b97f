import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import { expect } from "chai";
import { Kind, parse } from "graphql";
import { DEMO_ADMIN, seedDemoData } from "../src/seed";
import { startTestServer, tokenFor, type GraphQLResponse, type TestServer } from "./helpers/server";

/*
 * The frontend toolchains run against schema.graphql here,
 * each once per run, as a frontend project runs them.
 *
 * - relay-compiler compiles the Relay screens in examples/relay/ (@connection, @refetchable, both
 *   directions of paging), and the operations it generates run against the server;
 * - @graphql-eslint's schema rules (flat/schema-recommended + flat/schema-relay) report nothing on
 *   schema.graphql, with the reasoned exceptions of eslint.config.mjs and no others;
 * - GraphQL Code Generator's client preset types every operation in examples/*.graphql, and the
 *   client in examples/typed-client/ passes `tsc --strict`.
 *
 * The tools write into temporary copies, never into the work tree.
 *
 * First, Biome checks the TypeScript itself: formatting and lint, with no writes.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const TOOL_TIMEOUT = 180_000;

/** A package's command-line script, run with this Node: the same file `npx <name>` runs. */
function binOf(packageName: string, command: string): string {
  const directory = path.join(ROOT, "node_modules", packageName);
  const { bin } = JSON.parse(fs.readFileSync(path.join(directory, "package.json"), "utf8")) as { bin: string | Record<string, string> };
  return path.join(directory, typeof bin === "string" ? bin : bin[command]!);
}

interface ToolRun {
  code: number;
  output: string;
}

function runTool(script: string, args: string[], cwd: string): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, maxBuffer: 32 * 1024 * 1024, timeout: TOOL_TIMEOUT },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/** A fresh temporary folder, removed by `after`. */
function temporaryFolder(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `contact-points-${prefix}-`));
}

/** Copies a file or folder of the work tree to the same place under `target`, without generated output. */
function copyFromRoot(relative: string, target: string): void {
  fs.cpSync(path.join(ROOT, relative), path.join(target, relative), {
    recursive: true,
    filter: (source) => !/[\\/](node_modules|__generated__|gql)$/.test(source),
  });
}

describe("Biome, the formatter and TypeScript linter (biome.jsonc)", function () {
  this.timeout(TOOL_TIMEOUT);
  const biome = () => binOf("@biomejs/biome", "biome");

  it("reports no formatting or lint problem in src/, test/, bench/, scripts/ and examples/ (`npm run format` fixes formatting)", async () => {
    const run = await runTool(biome(), ["ci", "--colors=off", "."], ROOT);
    const findings = run.output.split("\n").filter((line) => /^\S+\.[cm]?[jt]sx?(:\d+:\d+)? \S/.test(line));
    expect(findings, run.output.slice(0, 4000)).to.deep.equal([]);
    expect(run.code, run.output.slice(0, 4000)).to.equal(0);
  });

  it("still catches a comparison with itself, a duplicated key and single quotes with the project's settings", async () => {
    const folder = temporaryFolder("biome");
    try {
      fs.copyFileSync(path.join(ROOT, "biome.jsonc"), path.join(folder, "biome.jsonc"));
      fs.mkdirSync(path.join(folder, "src"));
      fs.writeFileSync(
        path.join(folder, "src", "example.ts"),
        "export function same(value: number): boolean {\n  return value === value;\n}\nexport const twice = { role: 'A', role: 'B' };\n",
      );
      const run = await runTool(biome(), ["ci", "--colors=off", "--vcs-enabled=false", "."], folder);
      expect(run.code, run.output).to.not.equal(0);
      expect(run.output).to.include("lint/suspicious/noSelfCompare");
      expect(run.output).to.include("lint/suspicious/noDuplicateObjectKeys");
      expect(run.output).to.include("File content differs from formatting output");
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("frontend toolchains", function () {
  this.timeout(TOOL_TIMEOUT);

  describe("relay-compiler (examples/relay/)", () => {
    let workspace: string;
    let compiled: ToolRun;
    /** Each generated operation's text, as Relay sends it, by name. */
    const operations = new Map<string, { kind: string; text: string }>();

    before(async () => {
      workspace = temporaryFolder("relay");
      copyFromRoot("schema.graphql", workspace);
      copyFromRoot("examples/relay", workspace);
      // relay.config.json's paths are relative to the folder the compiler runs in, as with `cd examples/relay && npx relay-compiler`.
      compiled = await runTool(binOf("relay-compiler", "relay-compiler"), [], path.join(workspace, "examples", "relay"));
      const generated = path.join(workspace, "examples", "relay", "__generated__");
      for (const file of fs.existsSync(generated) ? fs.readdirSync(generated) : []) {
        const source = fs.readFileSync(path.join(generated, file), "utf8");
        const match = /"name": "(\w+)",\s*"operationKind": "(\w+)",\s*"text": ("(?:[^"\\]|\\.)*")/.exec(source);
        if (match) operations.set(match[1]!, { kind: match[2]!, text: JSON.parse(match[3]!) as string });
      }
    });
    after(() => fs.rmSync(workspace, { recursive: true, force: true }));

    it("compiles the settings and console screens against schema.graphql with no error or warning", () => {
      expect(compiled.code, compiled.output).to.equal(0);
      expect(compiled.output, compiled.output).to.not.match(/\[(ERROR|WARN)\]/);
      expect(compiled.output).to.match(/Compilation completed/);
      // The refetch and pagination queries Relay derives from @refetchable fragments, besides the screens' own.
      expect([...operations.keys()].sort()).to.include.members([
        "AccountSettingsScreenQuery",
        "ConsoleScreenQuery",
        "AccountContactsPanelRefetchQuery",
        "MemberListPaginationQuery",
        "ContactHistoryPanelPaginationQuery",
        "AuditTrailPaginationQuery",
        "AccountDirectoryPaginationQuery",
        "MemberListAddMemberMutation",
        "MemberListRemoveMemberMutation",
        "AccountContactsPanelSetPrimaryContactMutation",
        "AccountContactsPanelSetRoleContactMutation",
      ]);
    });

    it("generates refetch queries through Query.node and pages backwards with last/before", () => {
      expect(operations.get("AccountContactsPanelRefetchQuery")?.text).to.match(/node\(id: \$id\)/);
      expect(operations.get("AccountDirectoryPaginationQuery")?.text).to.match(/accounts\(last: \$count, before: \$cursor\)/);
      expect(operations.get("AuditTrailPaginationQuery")?.text).to.match(/contactHistory\(last: \$count, before: \$cursor\)/);
      expect(operations.get("MemberListPaginationQuery")?.text).to.match(/members\(first: \$count, after: \$cursor\)/);
    });

    describe("the operations Relay generates, against the server with the demo data", () => {
      let server: TestServer;
      let token: string;
      let accountId: string;
      const ran = new Set<string>();

      /** Sends a generated operation as Relay's network layer would: its text and variables. */
      async function send<TData = Record<string, any>>(name: string, variables: Record<string, unknown>): Promise<TData> {
        const operation = operations.get(name);
        if (!operation) throw new Error(`relay-compiler generated no ${name}.`);
        const response: GraphQLResponse<TData> = await server.graphql<TData>(operation.text, variables, token);
        expect(response.errors, `${name}: ${JSON.stringify(response.errors)}`).to.equal(undefined);
        ran.add(name);
        return response.data!;
      }

      before(async () => {
        server = await startTestServer();
        await seedDemoData(server.db, server.app.outbox);
        token = await tokenFor(DEMO_ADMIN.email, DEMO_ADMIN.name);
      });
      after(() => server.close());

      it("loads the console, then older accounts with loadPrevious (last/before)", async () => {
        type Accounts = {
          accounts: {
            totalCount: number;
            edges: { cursor: string; node: { id: string; name: string } }[];
            pageInfo: { hasPreviousPage: boolean; startCursor: string | null };
          };
        };
        const consoleScreen = await send<Accounts & { viewer: { email: string }; selected?: unknown }>("ConsoleScreenQuery", {
          selectedAccountId: "",
          withSelected: false,
        });
        expect(consoleScreen.viewer.email).to.equal(DEMO_ADMIN.email);
        const all = consoleScreen.accounts.edges.map((edge) => edge.node.name);
        expect(all.length).to.be.greaterThan(1);
        accountId = consoleScreen.accounts.edges.find((edge) => edge.node.name === "Northwind Traders")!.node.id;

        // What usePaginationFragment does: the newest account first, then loadPrevious(1) until the start.
        const seen: string[] = [];
        let page = await send<Accounts>("AccountDirectoryPaginationQuery", { count: 1 });
        seen.unshift(...page.accounts.edges.map((edge) => edge.node.name));
        while (page.accounts.pageInfo.hasPreviousPage) {
          page = await send<Accounts>("AccountDirectoryPaginationQuery", { count: 1, cursor: page.accounts.pageInfo.startCursor });
          seen.unshift(...page.accounts.edges.map((edge) => edge.node.name));
        }
        expect(seen).to.deep.equal(all);

        const selected = await send<{ selected: { __typename: string; id: string; contactHistory: { totalCount: number } } | null }>(
          "ConsoleScreenQuery",
          {
            selectedAccountId: accountId,
            withSelected: true,
          },
        );
        expect(selected.selected?.__typename).to.equal("Account");
        expect(selected.selected?.id).to.equal(accountId);
      });

      it("loads the settings screen and refetches its panels through node(id:)", async () => {
        const screen = await send<{ account: { id: string; name: string } | null }>("AccountSettingsScreenQuery", { accountId });
        expect(screen.account?.name).to.equal("Northwind Traders");

        const refetched = await send<{ node: { __typename: string; id: string; primaryContact: { email: string } } | null }>(
          "AccountContactsPanelRefetchQuery",
          { id: accountId },
        );
        expect(refetched.node?.__typename).to.equal("Account");
        expect(refetched.node?.primaryContact.email).to.equal("grace.hopper@northwind.example");

        type Members = {
          node: {
            members: {
              totalCount: number;
              edges: { node: { id: string } }[];
              pageInfo: { hasNextPage: boolean; endCursor: string | null };
            };
          };
        };
        const first = await send<Members>("MemberListPaginationQuery", { id: accountId, count: 2 });
        const second = await send<Members>("MemberListPaginationQuery", {
          id: accountId,
          count: 2,
          cursor: first.node.members.pageInfo.endCursor,
        });
        const ids = [...first.node.members.edges, ...second.node.members.edges].map((edge) => edge.node.id);
        expect(new Set(ids).size).to.equal(4);
        expect(first.node.members.totalCount).to.equal(5);

        // The history panel pages forwards (loadNext), the audit trail backwards (loadPrevious): both
        // walks must meet the same changes, in the same order.
        type History = {
          node: {
            contactHistory: {
              totalCount: number;
              edges: { node: { id: string } }[];
              pageInfo: { hasNextPage?: boolean; endCursor?: string | null; hasPreviousPage?: boolean; startCursor?: string | null };
            };
          };
        };
        const forwards: string[] = [];
        let after: string | null = null;
        let forwardPage: History;
        do {
          forwardPage = await send<History>("ContactHistoryPanelPaginationQuery", { id: accountId, count: 3, cursor: after });
          forwards.push(...forwardPage.node.contactHistory.edges.map((edge) => edge.node.id));
          after = forwardPage.node.contactHistory.pageInfo.endCursor ?? null;
        } while (forwardPage.node.contactHistory.pageInfo.hasNextPage);
        const backwards: string[] = [];
        let before: string | null = null;
        let backwardPage: History;
        do {
          backwardPage = await send<History>("AuditTrailPaginationQuery", { id: accountId, count: 3, cursor: before });
          backwards.unshift(...backwardPage.node.contactHistory.edges.map((edge) => edge.node.id));
          before = backwardPage.node.contactHistory.pageInfo.startCursor ?? null;
        } while (backwardPage.node.contactHistory.pageInfo.hasPreviousPage);
        expect(forwards.length).to.equal(forwardPage.node.contactHistory.totalCount).and.to.be.greaterThan(3);
        expect(backwards).to.deep.equal(forwards);
      });

      it("runs the mutations: payloads, @appendNode's member, removedUserId", async () => {
        const added = await send<{ addAccountMember: { member: { id: string; user: { id: string; email: string } } } }>(
          "MemberListAddMemberMutation",
          {
            input: { accountId, email: "relay.reader@northwind.example" },
            connections: [], // client-only: Relay leaves it out of the text it sends
          },
        );
        expect(added.addAccountMember.member.user.email).to.equal("relay.reader@northwind.example");
        // Invited, not yet a member: they accept before anyone can remove (or contact) them.
        const reader = await tokenFor("relay.reader@northwind.example");
        const invitations = await server.graphql<{ viewerInvitations: { nodes: { id: string }[] } }>(
          "{ viewerInvitations { nodes { id } } }",
          {},
          reader,
        );
        const accepted = await server.graphql(
          "mutation($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { member { id } } }",
          { input: { invitationId: invitations.data!.viewerInvitations.nodes[0]!.id } },
          reader,
        );
        expect(accepted.errors).to.equal(undefined);

        const removed = await send<{ removeAccountMember: { removedUserId: string; account: { id: string } | null } }>(
          "MemberListRemoveMemberMutation",
          {
            input: { accountId, userId: added.addAccountMember.member.user.id },
          },
        );
        expect(removed.removeAccountMember.removedUserId).to.equal(added.addAccountMember.member.user.id);
        expect(removed.removeAccountMember.account?.id).to.equal(accountId);

        const { node } = await send<{ node: { contactsVersion: number; primaryContact: { id: string } } }>(
          "AccountContactsPanelRefetchQuery",
          { id: accountId },
        );
        const primary = await send<{ setPrimaryContact: { account: { contactsVersion: number } } }>(
          "AccountContactsPanelSetPrimaryContactMutation",
          {
            input: { accountId, userId: node.primaryContact.id, expectedVersion: node.contactsVersion },
          },
        );
        expect(primary.setPrimaryContact.account.contactsVersion).to.equal(node.contactsVersion); // already primary: nothing changed

        const role = await send<{ setRoleContact: { account: { roleContacts: { role: string; email: string; isExternal: boolean }[] } } }>(
          "AccountContactsPanelSetRoleContactMutation",
          {
            input: { accountId, role: "SECURITY", email: "security@partner.example" },
          },
        );
        expect(role.setRoleContact.account.roleContacts.find((contact) => contact.role === "SECURITY")).to.include({
          email: "security@partner.example",
          isExternal: true,
        });
      });

      it("ran every operation relay-compiler generated", () => {
        expect([...operations.keys()].filter((name) => !ran.has(name))).to.deep.equal([]);
      });
    });
  });

  describe("@graphql-eslint schema rules (eslint.config.mjs)", () => {
    type RuleSetting = string | [string, ...unknown[]];
    interface Exception {
      setting: RuleSetting;
      reason: string;
    }
    let eslint: import("eslint").ESLint;
    let presetRules: Record<string, RuleSetting>;
    let exceptions: Record<string, Exception>;

    before(async () => {
      const { ESLint } = await import("eslint");
      eslint = new ESLint({ cwd: ROOT });
      const plugin = (await import("@graphql-eslint/eslint-plugin")).default as unknown as {
        configs: Record<string, { rules: Record<string, RuleSetting> }>;
      };
      presetRules = { ...plugin.configs["flat/schema-recommended"]!.rules, ...plugin.configs["flat/schema-relay"]!.rules };
      const config = (await import(pathToFileURL(path.join(ROOT, "eslint.config.mjs")).href)) as {
        schemaRuleExceptions: Record<string, Exception>;
      };
      exceptions = config.schemaRuleExceptions;
    });

    it("reports no problem in schema.graphql", async () => {
      const [result] = await eslint.lintFiles(["schema.graphql"]);
      const problems = result!.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}: ${message.message}`);
      expect(problems).to.deep.equal([]);
      expect(result!.errorCount + result!.warningCount + result!.fatalErrorCount).to.equal(0);
    });

    it("applies every rule of flat/schema-recommended and flat/schema-relay as errors, changed only where a reason says why", async () => {
      const effective = (await eslint.calculateConfigForFile("schema.graphql")) as { rules: Record<string, [number, ...unknown[]]> };
      expect(Object.keys(effective.rules).sort()).to.deep.equal(Object.keys(presetRules).sort());
      for (const [rule, preset] of Object.entries(presetRules)) {
        const [severity, ...options] = effective.rules[rule]!;
        const expected = exceptions[rule]?.setting ?? preset;
        // Only an exception with its reason turns a rule off.
        expect(severity, rule).to.equal(expected === "off" ? 0 : 2);
        const expectedOptions = typeof expected === "string" ? [] : expected.slice(1);
        expect(options, rule).to.have.lengthOf(expectedOptions.length);
        // ESLint fills in the defaults of options left out: compare what the preset or the exception sets.
        expectedOptions.forEach((option, index) => {
          expect(options[index], rule).to.deep.include(option as object);
        });
      }
      for (const [rule, { reason }] of Object.entries(exceptions)) {
        expect(presetRules, `${rule} is not a rule of the two presets`).to.have.property(rule);
        expect(reason.length, `${rule} needs a reason`).to.be.greaterThan(40);
      }
    });

    it("still catches what the exceptions do not cover", async () => {
      // A type with no id that is not one of the listed value types, and undocumented definitions.
      const [result] = await eslint.lintText(
        [
          `type Widget { name: String }`,
          `"""A value type: a payload."""\ntype WidgetPayload {\n  """The widget's name."""\n  name: String\n}`,
        ].join("\n"),
        { filePath: path.join(ROOT, "schema.graphql") },
      );
      const found = result!.messages.map((message) => `${message.ruleId}: ${message.message.split("\n")[0]}`);
      expect(found).to.include('@graphql-eslint/strict-id-in-types: type "Widget" must have exactly one non-nullable unique identifier.');
      expect(found).to.include('@graphql-eslint/require-description: Description is required for type "Widget"');
      expect(found).to.include('@graphql-eslint/require-description: Description is required for field "name" in type "Widget"');
      expect(found.filter((message) => message.includes("WidgetPayload"))).to.not.satisfy((messages: string[]) =>
        messages.some((message) => message.includes("strict-id-in-types")),
      );
    });
  });

  // Last: it reads examples/*.graphql, which other changes touch most often.
  describe("GraphQL Code Generator client preset (examples/typed-client/)", () => {
    let workspace: string;

    before(() => {
      workspace = temporaryFolder("codegen");
      copyFromRoot("schema.graphql", workspace);
      for (const file of fs.readdirSync(path.join(ROOT, "examples")).filter((name) => name.endsWith(".graphql"))) {
        copyFromRoot(path.join("examples", file), workspace);
      }
      copyFromRoot("examples/typed-client", workspace);
      // The generated code imports graphql and @graphql-typed-document-node/core, as in a frontend project.
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(workspace, "node_modules"), "dir");
    });
    after(() => fs.rmSync(workspace, { recursive: true, force: true }));

    it("generates typed documents for every operation and fragment in examples/*.graphql", async () => {
      const generated = await runTool(
        binOf("@graphql-codegen/cli", "graphql-codegen"),
        ["--config", "examples/typed-client/codegen.ts"],
        workspace,
      );
      expect(generated.code, generated.output).to.equal(0);

      const types = fs.readFileSync(path.join(workspace, "examples", "typed-client", "src", "gql", "graphql.ts"), "utf8");
      const expected: string[] = [];
      for (const file of fs.readdirSync(path.join(ROOT, "examples")).filter((name) => name.endsWith(".graphql"))) {
        for (const definition of parse(fs.readFileSync(path.join(ROOT, "examples", file), "utf8")).definitions) {
          if (definition.kind === Kind.OPERATION_DEFINITION) expected.push(`${definition.name!.value}Document`);
          if (definition.kind === Kind.FRAGMENT_DEFINITION) expected.push(`${definition.name.value}FragmentDoc`);
        }
      }
      expect(expected.length).to.be.greaterThan(20);
      const missing = expected.filter((name) => !types.includes(`export const ${name} = `));
      expect(missing, "documents GraphQL Code Generator did not generate").to.deep.equal([]);
    });

    it("type-checks the typed client with tsc --strict", async () => {
      const checked = await runTool(
        binOf("typescript", "tsc"),
        ["-p", "examples/typed-client", "--strict", "--pretty", "false"],
        workspace,
      );
      expect(checked.code, checked.output).to.equal(0);
      expect(checked.output.trim()).to.equal("");
    });
  });
});
