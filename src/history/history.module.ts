import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { BATCH, inKeyOrder, pageLoaders, rowsOfEvents, loaderFactory, type LoadersOf } from "../loaders";
import type { ContactChange } from "./contact-change.entity";
import {
  contactChangesByIds,
  contactChangesOfEvents,
  loadContactChangePages,
  type ContactChangeWithActor,
  type ContactHistoryPageArgs,
} from "./history.queries";
import { HistoryResolver } from "./history.resolver";

/** The loaders the module adds to `context.loaders`. */
const historyLoaders = loaderFactory((db, loaders) => ({
  // History rows arrive with their actors joined, handed to `userById`.
  contactHistoryPage: pageLoaders<ContactChangeWithActor, ContactHistoryPageArgs>(async (accountIds, args) => {
    const pages = await loadContactChangePages(db, accountIds, args);
    for (const page of pages) for (const { node } of page.edges) loaders.userById.prime(node.actor.id, node.actor);
    return pages;
  }),
  contactChangeById: new DataLoader<number, ContactChange | null>(
    async (ids) => inKeyOrder(ids, await contactChangesByIds(db, ids), (change) => change.sequence),
    BATCH,
  ),
  contactChangesOfEvent: rowsOfEvents((accountId, sequences) => contactChangesOfEvents(db, accountId, sequences)),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof historyLoaders> {}
}

export const historyModule = defineModule({
  name: "history",
  loaders: historyLoaders,
  resolvers: [HistoryResolver],
  nodes: {
    ContactChange: async ([sequence], { context, readable }) => {
      const change = await context.loaders.contactChangeById.load(Number(sequence));
      if (change) await readable(change.accountId);
      return change;
    },
  },
});
