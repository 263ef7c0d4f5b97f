import fs from "node:fs";
import path from "node:path";

/** The developer's own data directory: the defaults of DATABASE_URL and MAIL_LOG_FILE point into it. */
const DATA = path.resolve(__dirname, "..", "..", "..", "data");

/** Every file under `directory` with its size and modification time; empty when it does not exist. */
function snapshot(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  if (!fs.existsSync(directory)) return files;
  for (const entry of fs.readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat) files.set(path.relative(directory, file), `${stat.size}:${stat.mtimeMs}`);
  }
  return files;
}

let before: Map<string, string>;

/**
 * Mocha root hooks (loaded by .mocharc): the run fails if anything under `data/` was created, changed
 * or removed while it ran. Tests start their servers on temporary databases and mail files only.
 */
export const mochaHooks = {
  beforeAll(): void {
    before = snapshot(DATA);
  },
  afterAll(): void {
    const after = snapshot(DATA);
    const touched = [...new Set([...before.keys(), ...after.keys()])].filter((file) => before.get(file) !== after.get(file));
    if (touched.length > 0) {
      throw new Error(
        `The test run wrote into the developer's data/ directory: ${touched.map((file) => `data/${file}`).join(", ")}. Start servers with the test helpers' scratch settings.`,
      );
    }
  },
};
