import fs from "node:fs";
import path from "node:path";
import { execFile } from "node:child_process";
import { expect } from "chai";
import { ROOT } from "./helpers/process";
import { startTestServer } from "./helpers/server";

const PROMTOOL = process.env.PROMTOOL ?? "/usr/bin/promtool";
const RULES = path.join(ROOT, "deploy", "prometheus");

function promtool(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd: RULES }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
    );
  });
}

describe("Prometheus alert rules (deploy/prometheus)", function () {
  this.timeout(60_000);

  before(function () {
    if (!fs.existsSync(PROMTOOL)) this.skip(); // .ci/run installs Debian's prometheus package
  });

  it("are valid rules", async () => {
    const result = await promtool(["check", "rules", "alerts.yml"]);
    expect(result.code, result.output).to.equal(0);
  });

  it("fire and stay quiet as their unit tests say", async () => {
    const result = await promtool(["test", "rules", "alerts.test.yml"]);
    expect(result.code, result.output).to.equal(0);
    expect(result.output).to.contain("SUCCESS");
  });

  it("name only metrics the service exposes", async () => {
    const rules = fs.readFileSync(path.join(RULES, "alerts.yml"), "utf8");
    const named = [...new Set(rules.match(/contact_points_[a-z_]+/g) ?? [])];
    const server = await startTestServer({ env: { METRICS_TOKEN: "alerts-test-metrics-token" } });
    try {
      const response = await fetch(server.url.replace(/\/graphql$/, "/metrics"), {
        headers: { authorization: "Bearer alerts-test-metrics-token" },
      });
      const exposed = await response.text();
      const missing = named.filter((name) => !new RegExp(`^# TYPE ${name.replace(/_(bucket|count|sum)$/, "")} `, "m").test(exposed));
      expect(named.length).to.be.above(5);
      expect(missing).to.deep.equal([]);
    } finally {
      await server.close();
    }
  });
});
