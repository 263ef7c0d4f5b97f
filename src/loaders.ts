import DataLoader from "dataloader";
import type { Database } from "./database";
import type { ConnectionArgs, Page } from "./common/pagination";
import { groupBy } from "./common/group-by";

/** Keeps every statement well under SQLite's and PostgreSQL's limits on parameters. */
export const BATCH = { maxBatchSize: 1000 };

/** The rows found for `keys`, in the keys' order, null where none was. */
export function inKeyOrder<TKey, TRow>(keys: readonly TKey[], rows: TRow[], keyOf: (row: TRow) => TKey): (TRow | null)[] {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => found.get(key) ?? null);
}

/** A membership's cache key: its account and user. */
export const membershipKey = (accountId: string, userId: string) => `${accountId}:${userId}`;

/** A loader of rows by their key, null where none is: `read` fetches the rows of a batch of keys in one statement. */
export function rowsByKey<TKey, TRow>(read: (keys: readonly TKey[]) => Promise<TRow[]>, keyOf: (row: TRow) => TKey) {
  return new DataLoader<TKey, TRow | null>(async (keys) => inKeyOrder(keys, await read(keys), keyOf), BATCH);
}

/** A loader of each account's rows, [] for none: `read` fetches those of a batch of accounts in one statement. */
export function rowsOfAccounts<TRow>(read: (accountIds: readonly string[]) => Promise<TRow[]>, accountIdOf: (row: TRow) => string) {
  return new DataLoader<string, TRow[]>(async (accountIds) => {
    const byAccount = groupBy(await read(accountIds), accountIdOf);
    return accountIds.map((id) => byAccount.get(id) ?? []);
  }, BATCH);
}

/** An account event, as the history rows it wrote are keyed. */
export interface EventKey {
  accountId: string;
  sequence: number;
}

/** A loader of the history rows each event wrote: one statement per account in a batch (in practice, one). */
export function rowsOfEvents<TRow extends { accountId: string; eventSequence: number | null }>(
  read: (accountId: string, sequences: number[]) => Promise<TRow[]>,
) {
  return new DataLoader<EventKey, TRow[], string>(
    async (keys) => {
      const byAccount = groupBy([...keys], (key) => key.accountId);
      const found = new Map<string, TRow[]>();
      await Promise.all(
        [...byAccount].map(async ([accountId, accountKeys]) => {
          for (const row of await read(accountId, [...new Set(accountKeys.map((key) => key.sequence))])) {
            const key = `${row.accountId}:${row.eventSequence}`;
            found.set(key, [...(found.get(key) ?? []), row]);
          }
        }),
      );
      return keys.map((key) => found.get(`${key.accountId}:${key.sequence}`) ?? []);
    },
    { ...BATCH, cacheKeyFn: (key) => `${key.accountId}:${key.sequence}` },
  );
}

/**
 * One page loader per distinct page request (first, after, last, before): accounts listed together
 * ask for the same page, so one statement serves all of them.
 */
export function pageLoaders<TNode, TArgs extends ConnectionArgs = ConnectionArgs, TOwner extends string | number = string>(
  load: (accountIds: TOwner[], args: TArgs) => Promise<Page<TNode>[]>,
) {
  const loaders = new Map<string, DataLoader<TOwner, Page<TNode>>>();
  return (args: TArgs) => {
    // Every argument of the page, its paging ones and any filter (`sinceVersion`), in a fixed order.
    const key = JSON.stringify(
      Object.entries(args)
        .filter(([, value]) => value != null)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    let loader = loaders.get(key);
    if (!loader) {
      loader = new DataLoader<TOwner, Page<TNode>>((accountIds) => load([...accountIds], args));
      loaders.set(key, loader);
    }
    return loader;
  };
}

/**
 * The per-request dataloaders: one batch per relation a resolver follows, so a request costs a
 * handful of statements however many accounts it lists. Each feature module adds its own here
 * (`declare module "../loaders"` beside its `defineModule`), and `createLoaders` makes them from the
 * modules the application is built with; nothing here names a feature.
 * Made fresh for each request and after each mutation, so nothing stale is served.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the feature modules' declarations.
export interface Loaders {}

/**
 * A module's loaders. `loaders` is the request's whole set, for priming another module's loader with
 * rows a statement brought along (users joined to members): use it inside batch functions only, as it
 * is filled in after every module's loaders are made.
 */
export type LoaderFactory<TLoaders extends object> = (db: Database, loaders: Loaders) => TLoaders;

/** Declares a module's loaders; `LoadersOf<typeof …>` is then what it adds to `Loaders`. */
export function loaderFactory<TLoaders extends object>(factory: LoaderFactory<TLoaders>): LoaderFactory<TLoaders> {
  return factory;
}

/** The loaders a factory makes. */
export type LoadersOf<TFactory> = TFactory extends LoaderFactory<infer TLoaders> ? TLoaders : never;

/** Makes a request's loaders for `db`. */
export type CreateLoaders = (db: Database) => Loaders;

/** What `factories` make for one request, together; `src/modules.ts` types it as the modules' `Loaders`. */
export function makeLoaders(db: Database, factories: readonly LoaderFactory<object>[]): object {
  const loaders = {};
  for (const make of factories) Object.assign(loaders, make(db, loaders as Loaders));
  return loaders;
}
