import { defineModule } from "../feature-module";
import { loaderFactory, rowsOfAccounts, type LoadersOf } from "../loaders";
import { contactIssuesOf, type SlotIssues } from "./needs-attention.queries";
import { HealthResolver } from "./health.resolver";

/** The loaders the module adds to `context.loaders`. */
const healthLoaders = loaderFactory((db) => ({
  // The issues of each filled slot, per account: one statement for all the request's accounts.
  contactIssues: rowsOfAccounts<SlotIssues>(
    (accountIds) => contactIssuesOf(db, accountIds),
    (row) => row.accountId,
  ),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof healthLoaders> {}
}

export const healthModule = defineModule({
  name: "contact-health",
  loaders: healthLoaders,
  resolvers: [HealthResolver],
});
