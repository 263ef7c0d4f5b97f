import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { BATCH, loaderFactory, type LoadersOf } from "../loaders";
import { latestEventSequences } from "../events/change-log.queries";
import { AccountEventResolver, AccountEventSequenceResolver } from "./account-event.resolver";

/** The loaders the module adds to `context.loaders`. */
const eventLoaders = loaderFactory((db) => ({
  // The account's latest event; 0 when it has none.
  eventSequence: new DataLoader<string, number>(async (accountIds) => {
    const latest = await latestEventSequences(db, accountIds);
    return accountIds.map((id) => latest.get(id) ?? 0);
  }, BATCH),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof eventLoaders> {}
}

export const eventModule = defineModule({
  name: "events",
  loaders: eventLoaders,
  resolvers: [AccountEventResolver, AccountEventSequenceResolver],
});
