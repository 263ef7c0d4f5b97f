/** Files that hold tenants' data or live links belong to the service's user alone, whoever created them. */

import fs from "node:fs";
import path from "node:path";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/** The folder the default settings put the database and the mail log in; an operator's own folder is theirs to set. */
export const DEFAULT_DATA_DIRECTORY = "data";

function tighten(target: string, mode: number): void {
  try {
    if ((fs.statSync(target).mode & 0o777) !== mode) fs.chmodSync(target, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/**
 * Makes `file` and each of `companions` that exist 0600, and the default `data/` folder 0700 when it
 * holds them; with `create`, a missing folder is created 0700.
 */
export function makePrivate(file: string, companions: string[] = [], { create = false } = {}): void {
  const directory = path.dirname(path.resolve(file));
  if (!fs.existsSync(directory)) {
    if (create) fs.mkdirSync(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  } else if (directory === path.resolve(DEFAULT_DATA_DIRECTORY)) {
    tighten(directory, PRIVATE_DIRECTORY_MODE);
  }
  for (const each of [file, ...companions]) tighten(each, PRIVATE_FILE_MODE);
}

/** Like `makePrivate`, and creates `file` (and its folder) with mode 0600 (0700) when it does not exist yet. */
export function createPrivateFile(file: string, companions: string[] = []): void {
  makePrivate(file, companions, { create: true });
  fs.closeSync(fs.openSync(file, "a", PRIVATE_FILE_MODE));
  tighten(file, PRIVATE_FILE_MODE);
}
