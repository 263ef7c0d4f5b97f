import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { BATCH, loaderFactory, rowsByKey, type LoadersOf } from "../loaders";
import type { User } from "./user.entity";
import { usersByIds, usersSharingAnAccount } from "./user.queries";
import { UserResolver } from "./user.resolver";

/** The loaders the module adds to `context.loaders`. */
const userLoaders = loaderFactory((db) => ({
  // Other modules hand it the users their statements join in, so `user { email }` under them costs nothing more.
  userById: rowsByKey<string, User>(
    (ids) => usersByIds(db, ids),
    (user) => user.id,
  ),
  // Users the viewer may see: themselves and the members of the accounts they belong to. Keys are
  // "viewerId:userId"; a request has one viewer, so one statement answers the whole batch.
  visibleUser: new DataLoader<string, boolean>(async (keys) => {
    const pairs = keys.map((key) => key.split(":") as [string, string]);
    const viewerIds = [...new Set(pairs.map(([viewerId]) => viewerId))];
    const userIds = [...new Set(pairs.map(([, userId]) => userId))];
    const visible = await usersSharingAnAccount(db, viewerIds, userIds);
    return pairs.map(([viewerId, userId]) => viewerId === userId || visible.has(`${viewerId}:${userId}`));
  }, BATCH),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof userLoaders> {}
}

export const userModule = defineModule({
  name: "users",
  loaders: userLoaders,
  resolvers: [UserResolver],
  nodes: {
    User: async ([id], { context, viewerId }) =>
      (await context.loaders.visibleUser.load(`${viewerId}:${id}`)) ? context.loaders.userById.load(id!) : null,
  },
});
