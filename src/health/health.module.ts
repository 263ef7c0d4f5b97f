import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { loaderFactory, type LoadersOf } from "../loaders";
import { groupBy } from "../common/group-by";
import { contactIssuesOf, type SlotIssues } from "./needs-attention.queries";
import { HealthResolver } from "./health.resolver";

/** The loaders the module adds to `context.loaders`. */
const healthLoaders = loaderFactory((db) => ({
  // The issues of each filled slot, per account: one statement for all the request's accounts.
  contactIssues: new DataLoader<string, SlotIssues[]>(async (accountIds) => {
    const byAccount = groupBy(await contactIssuesOf(db, accountIds), (row) => row.accountId);
    return accountIds.map((id) => byAccount.get(id) ?? []);
  }),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof healthLoaders> {}
}

export const healthModule = defineModule({
  name: "contact-health",
  loaders: healthLoaders,
  resolvers: [HealthResolver],
});
