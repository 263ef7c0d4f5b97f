import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import semver from "semver";
import { OLDEST_SUPPORTED_NODE, SUPPORTED_NODE_RANGE, unsupportedNodeReason } from "../src/node-version";
import { MAIN, ROOT } from "./helpers/process";

/** A preload that makes the process report another Node.js version and, at exit, lists every module file it loaded. */
const FAKE_NODE_VERSION = `
const fs = require("node:fs");
Object.defineProperty(process.versions, "node", { value: process.env.FAKE_NODE_VERSION });
process.on("exit", () => fs.writeFileSync(process.env.LOADED_MODULES_FILE, JSON.stringify(Object.keys(require.cache))));
`;

/** Runs main.js under `preload`; a server that starts instead of refusing is stopped after `limitMs`. */
function runMain(
  preload: string,
  env: Record<string, string>,
  limitMs = 10_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--require", preload, MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const limit = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.once("exit", (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Installed packages whose `engines.node` leaves out a supported release, though they run there, and why. */
const RUN_DESPITE_THEIR_ENGINES: Record<string, string> = {
  "@whatwg-node/promise-helpers":
    "2.x says >=22.15.0 since Node 20's end of life, as a policy; it calls no Node 22 API (Promise.withResolvers has a fallback) and the suite passes on 20.19.0 and 22.13.0",
  // Development only: GraphQL Code Generator's CLI, which test/toolchain.test.ts runs on every supported Node in CI.
  "@whatwg-node/disposablestack":
    "dev only, under @graphql-codegen/cli; its engines follow the same policy, and the codegen test passes on Node 20",
  "@whatwg-node/fetch": "dev only, under @graphql-codegen/cli; the codegen test passes on Node 20",
  "@whatwg-node/node-fetch": "dev only, under @graphql-codegen/cli; the codegen test passes on Node 20",
  listr2: "dev only, the codegen CLI's progress display; the codegen test passes on Node 20",
  "sync-fetch": "dev only, under @graphql-codegen/cli; the codegen test passes on Node 20",
};

describe("the Node.js version check at start-up", function () {
  this.timeout(30_000);

  it("refuses releases that cannot load the service, with one line naming the supported and the running version", () => {
    // 20.17, 20.18 and 22.11 throw ERR_REQUIRE_ESM on the first require() of jose; 22.12 loads it with an ExperimentalWarning.
    for (const version of ["18.20.8", "20.18.3", "20.17.0", "20.0.0", "21.7.3", "22.0.0", "22.11.0", "22.12.0", "16.0.0", "8.17.0"]) {
      const reason = unsupportedNodeReason(version);
      expect(reason, version).to.be.a("string");
      expect(reason, version).to.contain("Node.js 20.19.0 or a later 20.x, or 22.13.0 or newer").and.contain(`this is Node.js ${version}.`);
      expect(reason, version).to.not.contain("\n");
    }
  });

  it("accepts the oldest supported release of each line and every later one, pre-releases included", () => {
    for (const version of [
      "20.19.0",
      "20.19.1",
      "20.20.2",
      "20.99.0",
      "22.13.0",
      "22.23.3",
      "23.5.0",
      "24.11.0",
      "26.0.0-pre",
      "100.0.0",
    ]) {
      expect(unsupportedNodeReason(version), version).to.equal(null);
    }
  });

  it("refuses a version it cannot read rather than guessing", () => {
    for (const version of ["", "22", "twenty.two", "x22.1.0"]) {
      expect(unsupportedNodeReason(version), JSON.stringify(version)).to.be.a("string");
    }
  });

  it("supports exactly the versions `engines` in package.json and its lock file state", () => {
    expect(SUPPORTED_NODE_RANGE).to.equal("^20.19.0 || >=22.13.0");
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { engines?: { node: string } }>;
    };
    expect(manifest.engines.node).to.equal(SUPPORTED_NODE_RANGE);
    expect(lock.packages[""]!.engines!.node).to.equal(SUPPORTED_NODE_RANGE);
  });

  it("installs no dependency whose declared Node.js range leaves out a supported release, but the known ones", () => {
    const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { engines?: { node?: string } }>;
    };
    const leavingOut = new Set<string>();
    for (const [location, entry] of Object.entries(lock.packages)) {
      const range = entry.engines?.node;
      if (!location || !range) continue;
      if (OLDEST_SUPPORTED_NODE.some((oldest) => !semver.satisfies(oldest, range)))
        leavingOut.add(location.replace(/^.*node_modules\//, ""));
    }
    // A new name here needs a decision: raise the supported range, or prove it runs and add it with the reason.
    expect([...leavingOut].sort()).to.deep.equal(Object.keys(RUN_DESPITE_THEIR_ENGINES).sort());
  });

  describe("when the server is started on Node.js 18", () => {
    let directory: string;
    beforeEach(() => {
      directory = fs.mkdtempSync(path.join(os.tmpdir(), "contact-points-node-version-"));
      fs.writeFileSync(path.join(directory, "fake-node-version.js"), FAKE_NODE_VERSION);
    });
    afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

    it("exits 1 with the one-line reason, before loading any dependency or touching the database", async () => {
      const loadedFile = path.join(directory, "loaded.json");
      const databaseFile = path.join(directory, "contacts.sqlite");
      const result = await runMain(path.join(directory, "fake-node-version.js"), {
        FAKE_NODE_VERSION: "18.20.8",
        LOADED_MODULES_FILE: loadedFile,
        DATABASE_URL: `sqlite:${databaseFile}`,
        NODE_ENV: "development",
        PORT: "0",
      });
      expect(result.code, result.stderr).to.equal(1);
      expect(result.stdout).to.equal("");
      expect(result.stderr.trimEnd().split("\n")).to.deep.equal([unsupportedNodeReason("18.20.8")]);
      expect(fs.existsSync(databaseFile)).to.equal(false);
      // Anything loaded before the check could fail first on an old Node, with its own stack trace.
      const loaded = (JSON.parse(fs.readFileSync(loadedFile, "utf8")) as string[]).map((file) => path.relative(ROOT, file));
      expect(loaded.filter((file) => !file.startsWith(".."))).to.have.members([
        path.join("dist", "src", "main.js"),
        path.join("dist", "src", "node-version.js"),
      ]);
    });
  });
});
