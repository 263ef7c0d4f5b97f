import DataLoader from "dataloader";
import { defineModule, type LoadersOf } from "../feature-module";
import { BATCH } from "../loaders";
import { contactDomainsOf } from "./contact-domain.queries";
import { ContactDomainResolver } from "./contact-domain.resolver";

export const contactDomainModule = defineModule({
  name: "contact-domains",
  resolvers: [ContactDomainResolver],
  loaders: (db) => ({
    // The account's allowed contact domains; [] when it has none.
    allowedContactDomains: new DataLoader<string, string[]>(async (accountIds) => {
      const found = await contactDomainsOf(db, accountIds);
      return accountIds.map((id) => found.get(id) ?? []);
    }, BATCH),
  }),
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof contactDomainModule> {}
}
