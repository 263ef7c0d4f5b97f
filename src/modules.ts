import type { ClassType } from "type-graphql";
import type { Database } from "./database";
import { defineModule, type FeatureModule, type ModuleLoaders } from "./feature-module";
import { makeLoaders, type LoaderFactory, type Loaders } from "./loaders";
import type { AccountScreenFields } from "./accounts/account-screen.planner";
import { userModule } from "./users/user.module";
import { accountModule } from "./accounts/account.module";
import { contactDomainModule } from "./accounts/contact-domain.module";
import { memberModule } from "./members/member.module";
import { contactModule } from "./contacts/contact.module";
import { historyModule } from "./history/history.module";
import { healthModule } from "./health/health.module";
import { verificationModule } from "./verification/verification.module";
import { notificationModule } from "./notifications/notification.module";
import { nodeResolver, type NodeFinder } from "./nodes/node.resolver";
import { eventModule } from "./live/event.module";
import { webhookModule } from "./webhooks/webhook.module";

/**
 * The parts the API is built from: the one place that names them. Removing one from this list (and
 * its folder's files) removes its fields, loaders and node types; nothing else lists them.
 */
const FEATURES = [
  userModule,
  accountModule,
  contactDomainModule,
  memberModule,
  contactModule,
  historyModule,
  healthModule,
  verificationModule,
  notificationModule,
  eventModule,
  webhookModule,
] as const;

/** `node(id:)` over every type a feature declares a finder for. */
const nodeModule = defineModule({
  name: "nodes",
  resolvers: [
    nodeResolver(new Map(FEATURES.flatMap((module: FeatureModule) => Object.entries(module.nodes ?? {}) as [string, NodeFinder][]))),
  ],
});

/** Every module of the application: the features and `node(id:)` over them. */
export const MODULES = [...FEATURES, nodeModule] as const;

type UnionToIntersection<TUnion> = (TUnion extends unknown ? (value: TUnion) => void : never) extends (value: infer TAll) => void
  ? TAll
  : never;

/** The loaders the listed modules make. */
type MadeLoaders = UnionToIntersection<ModuleLoaders<(typeof MODULES)[number]>>;

/** Every module's resolver classes, for `buildSchema`. */
export const RESOLVERS = MODULES.flatMap((module: FeatureModule) => module.resolvers ?? []) as [ClassType, ...ClassType[]];

const LOADER_FACTORIES = MODULES.flatMap((module: FeatureModule) => (module.loaders ? [module.loaders as LoaderFactory<object>] : []));

/**
 * The request's loaders, made by every module. Returned as `Loaders`, what the modules declare:
 * it fails to compile when a module declares loaders but is missing from `MODULES`.
 */
export const createLoaders = (db: Database): Loaders => makeLoaders(db, LOADER_FACTORIES) as MadeLoaders;

/** The `Account` fields the single-statement read of one account covers, from the modules that answer them. */
export const ACCOUNT_SCREEN_FIELDS: AccountScreenFields = {
  contactSlots: new Set(MODULES.flatMap((module: FeatureModule) => module.accountScreen?.contactSlotFields ?? [])),
  memberPage: MODULES.map((module: FeatureModule) => module.accountScreen?.memberPageField).find((field) => field !== undefined) ?? null,
};
