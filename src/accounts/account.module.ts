import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { BATCH, inKeyOrder, membershipKey, pageLoaders, rowsByKey, rowsOfEvents, loaderFactory, type LoadersOf } from "../loaders";
import { accountRowFinder } from "../nodes/node.resolver";
import type { Account } from "./account.entity";
import type { AccountSettingChange } from "./account-setting-change.entity";
import { accountsAsMembers, accountsByIds, loadSettingChangePages, settingChangesByIds, settingChangesOfEvents } from "./account.queries";
import { AccountResolver } from "./account.resolver";
import { AccountSettingChangeResolver } from "./account-setting-change.resolver";

/** The loaders the module adds to `context.loaders`. */
const accountLoaders = loaderFactory((db, loaders) => {
  const accountById = rowsByKey<string, Account>(
    (ids) => accountsByIds(db, ids),
    (account) => account.id,
  );
  return {
    accountById,
    // An account as one of its members sees it: the account, that membership and the primary contact
    // in one statement, handed to their loaders. Null when either is missing: the account is not theirs.
    accountAsMember: new DataLoader<{ accountId: string; userId: string }, Account | null, string>(
      async (keys) => {
        const accountIds = [...new Set(keys.map((key) => key.accountId))];
        const userIds = [...new Set(keys.map((key) => key.userId))];
        const found = await accountsAsMembers(db, accountIds, userIds);
        for (const { account, member, primary } of found) {
          accountById.prime(account.id, account);
          loaders.membership.prime({ accountId: member.accountId, userId: member.userId }, member);
          loaders.userById.prime(primary.id, primary);
          loaders.primaryContact.prime(account.id, primary);
        }
        const accounts = inKeyOrder(
          keys.map(({ accountId, userId }) => membershipKey(accountId, userId)),
          found,
          ({ member }) => membershipKey(member.accountId, member.userId),
        );
        return accounts.map((row) => row?.account ?? null);
      },
      { ...BATCH, cacheKeyFn: ({ accountId, userId }) => membershipKey(accountId, userId) },
    ),
    settingChangePage: pageLoaders<AccountSettingChange>((accountIds, args) => loadSettingChangePages(db, accountIds, args)),
    settingChangeById: rowsByKey<number, AccountSettingChange>(
      (ids) => settingChangesByIds(db, ids),
      (change) => change.sequence,
    ),
    settingChangesOfEvent: rowsOfEvents((accountId, sequences) => settingChangesOfEvents(db, accountId, sequences)),
  };
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof accountLoaders> {}
}

export const accountModule = defineModule({
  name: "accounts",
  loaders: accountLoaders,
  resolvers: [AccountResolver, AccountSettingChangeResolver],
  nodes: {
    Account: ([id], { readable }) => readable(id!),
    AccountSettingChange: accountRowFinder((context, sequence) => context.loaders.settingChangeById.load(sequence)),
  },
  accountScreen: {
    contactSlotFields: ["contacts", "billingContacts", "roleContacts", "roleContact", "notificationRecipients"],
    memberPageField: "members",
  },
});
