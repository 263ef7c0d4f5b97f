import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "chai";

/*
 * The import map of src/ as .dependency-cruiser.cjs defines it (docs/architecture.md explains it):
 * no cycle, no import from a lower layer to a higher one, no file outside the layers, and SQL only
 * in query files. Anyone can run the same check with `npm run lint:imports`.
 */

const ROOT = path.resolve(__dirname, "..", "..");
const RULES = path.join(ROOT, ".dependency-cruiser.cjs");
const CRUISER = path.join(ROOT, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

/** Runs dependency-cruiser with the project's rules over `src/` of the folder `cwd`. */
async function cruise(cwd: string): Promise<Violation[]> {
  const { stdout } = await promisify(execFile)(process.execPath, [CRUISER, "--config", RULES, "--output-type", "json", "src"], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string; stderr?: string }) => {
    // It exits non-zero when it finds violations; the JSON report is still on stdout.
    if (error.stdout) return { stdout: error.stdout };
    throw new Error(`dependency-cruiser failed: ${error.stderr ?? String(error)}`);
  });
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const describeViolation = (violation: Violation) =>
  `${violation.rule.name}: ${violation.from} → ${violation.to}${violation.cycle ? ` (cycle: ${violation.cycle.map((step) => step.name).join(" → ")})` : ""}`;

/** Every file below `folder`, relative to it. */
function filesBelow(folder: string): string[] {
  return fs.readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((file) => fs.statSync(path.join(folder, file)).isFile());
}

describe("architecture", function () {
  this.timeout(60_000);

  it("keeps src/ free of import cycles, upward imports between layers or folders, files outside the layers or folders, SQL outside query files and migrations that use entities", async () => {
    const violations = await cruise(ROOT);
    expect(violations.map(describeViolation)).to.deep.equal([]);
  });

  it("reports a cycle, an upward import between layers or folders, a file in no layer or folder, SQL outside query files and a migration using an entity when a change brings them", async () => {
    const fixture = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
    try {
      const write = (file: string, text: string) => {
        fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
        fs.writeFileSync(path.join(fixture, file), text);
      };
      write("src/common/sql.ts", "export const sql = 1;\n");
      write("src/history/thing.entity.ts", "export class Thing {}\n");
      write(
        "src/history/thing.queries.ts",
        'import { sql } from "../common/sql";\nimport { Thing } from "./thing.entity";\nexport const read = [sql, Thing];\n',
      );
      // A service that runs its own SQL, and a cycle between two services.
      write(
        "src/history/thing.service.ts",
        'import { sql } from "../common/sql";\nimport { other } from "./other.service";\nexport const thing = [sql, other];\n',
      );
      write("src/history/other.service.ts", 'import { thing } from "./thing.service";\nexport const other = () => thing;\n');
      // An entity that reaches up to a resolver.
      write("src/history/thing.resolver.ts", "export class ThingResolver {}\n");
      write("src/history/broken.entity.ts", 'import { ThingResolver } from "./thing.resolver";\nexport const broken = ThingResolver;\n');
      // A migration that depends on today's entities.
      write(
        "src/migrations/1700000000000-Things.ts",
        'import { Thing } from "../history/thing.entity";\nexport const migration = Thing;\n',
      );
      // A kind of file no layer names.
      write("src/history/thing.helpers.ts", 'import { Thing } from "./thing.entity";\nexport const helper = Thing;\n');
      // An entity of a lower folder that reaches up to a higher one, in the same layer.
      write("src/users/user.entity.ts", 'import { Thing } from "../history/thing.entity";\nexport const user = Thing;\n');
      // A file with known upward imports, and a new one.
      write("src/members/account-member.entity.ts", "export class AccountMember {}\n");
      write("src/webhooks/webhook.queries.ts", "export const endpoints = 1;\n");
      write(
        "src/accounts/account-change.ts",
        'import { AccountMember } from "../members/account-member.entity";\nimport { endpoints } from "../webhooks/webhook.queries";\nexport const change = [AccountMember, endpoints];\n',
      );
      // A folder the folder order does not place.
      write("src/mystery/mystery.entity.ts", 'import { Thing } from "../history/thing.entity";\nexport const mystery = Thing;\n');

      const violations = await cruise(fixture);
      const found = violations
        .filter((violation) => violation.rule.name !== "no-cycles")
        .map((violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`);
      expect(found).to.have.members([
        "no-upward-import-from-model: src/history/broken.entity.ts → src/history/thing.resolver.ts",
        "in-a-layer: src/history/thing.helpers.ts → src/history/thing.entity.ts",
        "sql-only-in-queries: src/history/thing.service.ts → src/common/sql.ts",
        "migrations-stand-alone: src/migrations/1700000000000-Things.ts → src/history/thing.entity.ts",
        "folder-order-migrations: src/migrations/1700000000000-Things.ts → src/history/thing.entity.ts",
        "folder-order-users: src/users/user.entity.ts → src/history/thing.entity.ts",
        "folder-order-accounts: src/accounts/account-change.ts → src/webhooks/webhook.queries.ts",
        "in-the-folder-order: src/mystery/mystery.entity.ts → src/history/thing.entity.ts",
      ]);
      const cycle = violations.find((violation) => violation.rule.name === "no-cycles");
      expect(cycle?.cycle?.map((step) => step.name).sort()).to.deep.equal(["src/history/other.service.ts", "src/history/thing.service.ts"]);
      expect(found.join("\n")).not.to.include("thing.queries.ts");
    } finally {
      fs.rmSync(fixture, { recursive: true, force: true });
    }
  });

  it("draws the layers in docs/architecture.md in the order the rule file defines them", () => {
    const defined = [...fs.readFileSync(RULES, "utf8").matchAll(/^ {4}name: "([a-z]+)",$/gm)].map((match) => match[1]);
    const drawn = [...fs.readFileSync(path.join(ROOT, "docs", "architecture.md"), "utf8").matchAll(/^ {2}[a-z]+\["<b>([a-z]+)<\/b>/gm)].map(
      (match) => match[1],
    );
    expect(defined).to.have.length.above(3);
    expect(drawn).to.deep.equal(defined);
  });

  it("writes SQL only in query files and the data layer, splices text into it only in the data layer, and never uses the query builder", () => {
    const src = path.join(ROOT, "src");
    const dataLayer = /^(database\.ts|common\/(sql|pagination)\.ts|migrations\/)/;
    const offenders = filesBelow(src)
      .map((file) => file.split(path.sep).join("/"))
      .filter((file) => file.endsWith(".ts"))
      .flatMap((file) => {
        const text = fs.readFileSync(path.join(src, file), "utf8");
        const patterns = [/createQueryBuilder\(/];
        // raw() puts text into a statement as it is: only for identifiers the data layer builds from metadata.
        if (!dataLayer.test(file)) patterns.push(/\braw\(/);
        if (!dataLayer.test(file) && !file.endsWith(".queries.ts")) patterns.push(/\.query\(/, /\bsql`/);
        return patterns.filter((pattern) => pattern.test(text)).map((pattern) => `${file}: ${pattern.source}`);
      });
    expect(offenders).to.deep.equal([]);
  });
});
