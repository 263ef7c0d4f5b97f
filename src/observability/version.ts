import fs from "node:fs";
import path from "node:path";

/** This release's version, from package.json (three folders up from dist/src/observability/). */
export const SERVICE_VERSION: string = (
  JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string }
).version;
