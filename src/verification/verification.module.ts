import { defineModule } from "../feature-module";
import { loaderFactory, rowsOfAccounts, type LoadersOf } from "../loaders";
import type { ContactVerification } from "./contact-verification.entity";
import { verificationsOf } from "./verification.queries";
import { roleContactsOf } from "../contacts/contact-role.types";
import { ContactVerificationResolver, VerificationResolver } from "./verification.resolver";

/** The loaders the module adds to `context.loaders`. */
const verificationLoaders = loaderFactory((db) => ({
  // The pending and declined verifications of each account's outside addresses.
  verifications: rowsOfAccounts<ContactVerification>(
    (accountIds) => verificationsOf(db, accountIds),
    (row) => row.accountId,
  ),
}));

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof verificationLoaders> {}
}

export const verificationModule = defineModule({
  name: "verification",
  loaders: verificationLoaders,
  resolvers: [VerificationResolver, ContactVerificationResolver],
  nodes: {
    ContactVerification: async ([accountId, role], { context, readable }) => {
      await readable(accountId!);
      const contact = roleContactsOf(await context.loaders.contactSlots.load(accountId!)).find((candidate) => candidate.role === role);
      // Only an outside address has a verification, and only of that address.
      if (!contact || contact.userId !== null) return null;
      return (await context.loaders.verifications.load(accountId!)).find((row) => row.role === role && row.email === contact.email);
    },
  },
});
