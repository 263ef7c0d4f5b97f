import { defineModule } from "../feature-module";
import { pageLoaders, rowsByKey, rowsOfEvents, loaderFactory, type LoadersOf } from "../loaders";
import { accountRowFinder } from "../nodes/node.resolver";
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
  contactChangeById: rowsByKey<number, ContactChange>(
    (ids) => contactChangesByIds(db, ids),
    (change) => change.sequence,
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
    ContactChange: accountRowFinder((context, sequence) => context.loaders.contactChangeById.load(sequence)),
  },
});
