import "reflect-metadata";
import path from "node:path";
import { buildSchema, emitSchemaDefinitionFile, type PubSub } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { GraphQLSchema } from "graphql";
import { errorCodeEnum } from "./errors";
import { authChecker } from "./users/auth-checker";
import { RESOLVERS } from "./modules";

/** type-graphql requires a PubSub once any subscription exists; ours have their own `subscribe` (src/live/account-feed.service.ts) and no topics. */
const NO_TOPICS: PubSub = {
  publish: () => undefined,
  subscribe: () => {
    throw new Error("Subscriptions here are fed by the account feed, not by topics.");
  },
};

/** Where the schema is emitted for frontends, from the project root. */
export const SCHEMA_FILE = path.resolve(__dirname, "..", "..", "schema.graphql");

/** Builds the executable schema from the resolver classes; `emitTo` also writes it as SDL. */
export async function createSchema(options: { emitTo?: string } = {}): Promise<GraphQLSchema> {
  const built = await buildSchema({
    resolvers: RESOLVERS,
    authChecker,
    validate: { forbidUnknownValues: false },
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    pubSub: NO_TOPICS,
  });
  const config = built.toConfig();
  // The error codes are in the schema for clients' generated types, though no field returns them.
  const schema = new GraphQLSchema({ ...config, types: [...config.types, errorCodeEnum()] });
  // Sorted, so the file does not depend on the order modules happened to register their types in.
  if (options.emitTo) await emitSchemaDefinitionFile(options.emitTo, schema, { sortedSchema: true });
  return schema;
}
