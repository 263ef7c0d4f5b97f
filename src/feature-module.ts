import type { ClassType } from "type-graphql";
import type { LoaderFactory } from "./loaders";
import type { NodeFinder } from "./nodes/node.resolver";
import type { NodeTypeName } from "./common/global-id";

/**
 * A part of the API declared beside its code (`<folder>/<name>.module.ts`): its resolvers, the
 * per-request loaders it adds to `context.loaders`, how `node(id:)` finds its types, and which
 * `Account` fields the single-statement read of one account covers. `src/modules.ts` lists the
 * modules the application is built with.
 */
export interface FeatureModule<TLoaders extends object = object> {
  name: string;
  resolvers?: readonly ClassType[];
  /** Its loaders; their types are added to `Loaders` by a `declare module "../loaders"` beside it. */
  loaders?: LoaderFactory<TLoaders>;
  /** How `node(id:)` finds each of its types that implement `Node`, by type name. */
  nodes?: Readonly<Partial<Record<NodeTypeName, NodeFinder>>>;
  /** What the account-screen planner (`accounts/account-screen.planner.ts`) reads ahead for `Account` fields. */
  accountScreen?: {
    /** Fields answered from all of the account's contact slots. */
    contactSlotFields?: readonly string[];
    /** The connection field answered from one page of the account's members. */
    memberPageField?: string;
  };
}

/** Declares a module; only checks its shape and keeps its loaders' type. */
export function defineModule<TLoaders extends object = object>(module: FeatureModule<TLoaders>): FeatureModule<TLoaders> {
  return module;
}

/** The loaders a module makes. */
export type ModuleLoaders<TModule> = TModule extends FeatureModule<infer TLoaders> ? TLoaders : never;
