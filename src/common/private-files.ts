/** Files that hold tenants' data or live links belong to the service's user alone, whoever created them. */

import fs from "node:fs";
import path from "node:path";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIRECTORY_MODE = 0o700;

/** The folder the default settings put the database and the mail log in; an operator's own folder is theirs to set. */
export const DEFAULT_DATA_DIRECTORY = "data";

/**
 * Creates `directory` and its missing parents with `mode`, one level at a time: Node's own recursive
 * mkdir loops for ever where a parent refuses new entries with ENOENT (under /proc, for one).
 */
export function makeDirectories(directory: string, mode: number = PRIVATE_DIRECTORY_MODE): void {
  const missing: string[] = [];
  for (let each = path.resolve(directory); !fs.existsSync(each); each = path.dirname(each)) {
    missing.unshift(each);
    if (path.dirname(each) === each) break;
  }
  for (const each of missing) {
    try {
      fs.mkdirSync(each, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

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
    if (create) makeDirectories(directory);
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
