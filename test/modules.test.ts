import { expect } from "chai";
import { isInterfaceType, isObjectType, type GraphQLSchema } from "graphql";
import { Database } from "../src/database";
import { createSchema } from "../src/schema";
import { ACCOUNT_SCREEN_FIELDS, MODULES } from "../src/modules";
import type { FeatureModule } from "../src/feature-module";
import type { Loaders } from "../src/loaders";
import { NODE_TYPE_NAMES } from "../src/common/global-id";
import { freshDatabaseUrl } from "./helpers/server";

/*
 * The application is the sum of the modules src/modules.ts lists: each declares its resolvers, its
 * loaders, how `node(id:)` finds its types and what the single-statement account read covers. These
 * check that the declarations agree with each other and with the schema they build, so a module
 * added or removed cannot leave a loader shadowed, a Node type unfindable or the planner reading for
 * a field that is gone.
 */

const modules: readonly FeatureModule[] = MODULES;

describe("feature modules", () => {
  let schema: GraphQLSchema;
  let db: Database;

  before(async () => {
    schema = await createSchema();
    db = await Database.open({ databaseUrl: await freshDatabaseUrl() });
  });

  after(() => db?.close());

  it("gives every module a name of its own", () => {
    const names = modules.map((module) => module.name);
    expect(names).to.deep.equal([...new Set(names)]);
  });

  it("makes each loader in exactly one module, so none replaces another's", () => {
    const owners = new Map<string, string[]>();
    const loaders = {} as Loaders;
    for (const module of modules) {
      for (const name of Object.keys(module.loaders?.(db, loaders) ?? {})) owners.set(name, [...(owners.get(name) ?? []), module.name]);
    }
    expect([...owners].filter(([, found]) => found.length > 1)).to.deep.equal([]);
    expect(owners.size).to.be.greaterThan(0);
  });

  it("finds every type that implements Node through exactly one module's finder, and declares no finder for a type the schema lacks", () => {
    const node = schema.getType("Node");
    if (!isInterfaceType(node)) throw new Error("The schema has no Node interface.");
    const implementing = schema
      .getPossibleTypes(node)
      .map((type) => type.name)
      .sort();
    const finders = modules.flatMap((module) => Object.keys(module.nodes ?? {}));
    expect([...finders].sort()).to.deep.equal(implementing);
    expect([...NODE_TYPE_NAMES].sort()).to.deep.equal(implementing);
  });

  it("plans the account screen only for fields Account has", () => {
    const account = schema.getType("Account");
    if (!isObjectType(account)) throw new Error("The schema has no Account type.");
    const fields = Object.keys(account.getFields());
    const planned = [
      ...ACCOUNT_SCREEN_FIELDS.contactSlots,
      ...(ACCOUNT_SCREEN_FIELDS.memberPage ? [ACCOUNT_SCREEN_FIELDS.memberPage] : []),
    ];
    expect(planned).to.have.length.greaterThan(1);
    expect(planned.filter((field) => !fields.includes(field))).to.deep.equal([]);
  });
});
