import DataLoader from "dataloader";
import { defineModule } from "../feature-module";
import { BATCH, loaderFactory, type LoadersOf } from "../loaders";
import { groupBy } from "../common/group-by";
import type { User } from "../users/user.entity";
import type { AccountContacts } from "./account-contacts";
import { accountContactsOf, contactSlotsOf, type SlotWithUsers } from "./contact.queries";
import { roleContactsOf } from "./contact-role.types";
import { ContactResolver } from "./contact.resolver";
import { AccountContactResolver } from "./account-contact.resolver";
import { SaveContactsResolver } from "./save-contacts.resolver";
import { ContactSlotsResolver } from "./contact-slots.resolver";

/** The loaders the module adds to `context.loaders`. */
const contactLoaders = loaderFactory((db, loaders) => {
  // Every filled slot of each account (primary, billing in order, roles in ContactRoleKind order), with
  // holders and editors handed to `userById`: the one read of slots every contact field answers from.
  const contactSlots = new DataLoader<string, SlotWithUsers[]>(async (accountIds) => {
    const rows = await contactSlotsOf(db, accountIds);
    for (const { holder, editor } of rows) {
      if (holder) loaders.userById.prime(holder.id, holder);
      if (editor) loaders.userById.prime(editor.id, editor);
    }
    const grouped = groupBy(rows, (row) => row.contact.accountId);
    return accountIds.map((id) => grouped.get(id) ?? []);
  }, BATCH);
  return {
    contactSlots,
    // Who holds which slot of an account, from the slots above: no statement of its own.
    accountContacts: new DataLoader<{ id: string }, AccountContacts, string>(
      (accounts) => Promise.all(accounts.map(async (account) => accountContactsOf(await contactSlots.load(account.id)))),
      { ...BATCH, cacheKeyFn: (account) => account.id },
    ),
    // The primary contact of each account: primed by `accountAsMember`, else read with the account's slots.
    primaryContact: new DataLoader<string, User>(
      (accountIds) => Promise.all(accountIds.map(async (id) => accountContactsOf(await contactSlots.load(id)).primary.user!)),
      BATCH,
    ),
  };
});

declare module "../loaders" {
  interface Loaders extends LoadersOf<typeof contactLoaders> {}
}

export const contactModule = defineModule({
  name: "contacts",
  loaders: contactLoaders,
  resolvers: [ContactResolver, AccountContactResolver, SaveContactsResolver, ContactSlotsResolver],
  nodes: {
    ContactRole: async ([accountId, role], { context, readable }) => {
      await readable(accountId!);
      return roleContactsOf(await context.loaders.contactSlots.load(accountId!)).find((contact) => contact.role === role);
    },
  },
});
