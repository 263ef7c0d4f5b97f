// @ts-check
// Builds the settings screen into examples/settings-app/dist/ (git-ignored), in three steps that each
// stop the build on failure: GraphQL Code Generator types the operations (src/gql/, git-ignored),
// `tsc --strict` checks the app against those types (and these scripts), and esbuild bundles it.
// Run from anywhere: `npm run example:settings:build` (or as the first step of `npm run example:settings`).
import { execFile } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = path.resolve(APP, "..", "..");
export const OUT = path.join(APP, "dist");
const require = createRequire(import.meta.url);

/**
 * A package's command-line script, run with this Node (what `npx <command>` would run).
 * @param {string} packageName
 * @param {string} command
 */
function binOf(packageName, command) {
  const manifestPath = require.resolve(`${packageName}/package.json`, { paths: [ROOT] });
  /** @type {{ bin: string | Record<string, string> }} */
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin[command];
  if (!bin) throw new Error(`${packageName} has no ${command} command.`);
  return path.join(path.dirname(manifestPath), bin);
}

/**
 * Runs a tool from the project root; its output is shown only when it fails.
 * @param {string} what
 * @param {string} script
 * @param {string[]} args
 */
function run(what, script, args) {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${what} failed:\n${stdout}${stderr}`));
        else resolve(undefined);
      },
    );
  });
}

/**
 * @param {{ log?: (line: string) => void }} [options]
 */
export async function build({ log = (line) => console.log(line) } = {}) {
  const started = Date.now();
  await run("GraphQL Code Generator", binOf("@graphql-codegen/cli", "graphql-codegen"), [
    "--config",
    "examples/settings-app/codegen.ts",
    "--silent",
  ]);
  const tsc = binOf("typescript", "tsc");
  await run("tsc --strict (the app)", tsc, ["-p", "examples/settings-app/tsconfig.json"]);
  await run("tsc --strict (the scripts)", tsc, ["-p", "examples/settings-app/tsconfig.scripts.json"]);
  fs.rmSync(OUT, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: APP,
    entryPoints: { app: "src/main.tsx", styles: "src/styles.css" },
    outdir: OUT,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    minify: true,
    sourcemap: true,
    // React and Apollo Client drop their development checks in a production bundle.
    define: { "process.env.NODE_ENV": '"production"' },
    legalComments: "linked",
    logLevel: "warning",
  });
  fs.copyFileSync(path.join(APP, "index.html"), path.join(OUT, "index.html"));
  log(`Built the settings screen into ${path.relative(process.cwd(), OUT) || "."} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  build().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
