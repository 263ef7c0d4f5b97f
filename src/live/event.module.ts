import DataLoader from "dataloader";
import { defineModule, type LoadersOf } from "../feature-module";
import { BATCH } from "../loaders";
import { latestEventSequences } from "../events/change-log.queries";
import { AccountEventResolver, AccountEventSequenceResolver } from "./account-event.resolver";

export const eventModule = defineModule({
  name: "events",
  resolvers: [AccountEventResolver, AccountEventSequenceResolver],
  loaders: (db) => ({
    // The account's latest event; 0 when it has none.
    eventSequence: new DataLoader<string, number>(async (accountIds) => {
      const latest = await latestEventSequences(db, accountIds);
      return accountIds.map((id) => latest.get(id) ?? 0);
    }, BATCH),
  }),
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof eventModule> {}
}
