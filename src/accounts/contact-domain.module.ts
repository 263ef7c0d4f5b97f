import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { BATCH, loaderFactory, type LoadersOf } from "../loaders";
import { contactDomainsOf } from "./contact-domain.queries";
import { ContactDomainResolver } from "./contact-domain.resolver";

/** The loaders the module adds to `context.loaders`. */
const contactDomainLoaders = loaderFactory((db) => ({
  // The account's allowed contact domains; [] when it has none.
  allowedContactDomains: new DataLoader<string, string[]>(async (accountIds) => {
    const found = await contactDomainsOf(db, accountIds);
    return accountIds.map((id) => found.get(id) ?? []);
  }, BATCH),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof contactDomainLoaders> {}
}

export const contactDomainModule = defineModule({
  name: "contact-domains",
  loaders: contactDomainLoaders,
  resolvers: [ContactDomainResolver],
});
