import DataLoader from "dataloader";
import { defineModule, type LoadersOf } from "../feature-module";
import { groupBy } from "../common/group-by";
import type { ContactVerification } from "./contact-verification.entity";
import { verificationsOf } from "./verification.queries";
import { ContactVerificationResolver, VerificationResolver } from "./verification.resolver";

export const verificationModule = defineModule({
  name: "verification",
  resolvers: [VerificationResolver, ContactVerificationResolver],
  loaders: (db) => ({
    // The pending and declined verifications of each account's outside addresses.
    verifications: new DataLoader<string, ContactVerification[]>(async (accountIds) => {
      const byAccount = groupBy(await verificationsOf(db, accountIds), (row) => row.accountId);
      return accountIds.map((id) => byAccount.get(id) ?? []);
    }),
  }),
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof verificationModule> {}
}
