import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Account } from "./account.entity";
import {
  AccountConnection,
  AccountSettingChangeConnection,
  CreateAccountInput,
  CreateAccountPayload,
  NotificationRecipient,
  UpdateAccountInput,
  UpdateAccountPayload,
} from "./account.types";
import { SETTING_CHANGES_PAGE } from "./account.queries";
import { createAccount } from "./account.service";
import { ACCOUNTS_PAGE, listAccountsOf } from "./account.queries";
import type { Context } from "../context";
import { CurrentUser } from "../users/auth-checker";
import { User } from "../users/user.entity";
import { mayAdminister, MemberRole } from "../members/account-member.entity";
import { AccountMemberConnection } from "../members/member.types";
import { MEMBERS_PAGE } from "../members/member.queries";
import { ContactRole, roleContactsOf } from "../contacts/contact-role.types";
import { BILLING_CONTACT_LIMIT, CONTACT_ROLES, ContactRoleKind, slotOfRole } from "../contacts/contact.enums";
import { AccountContact } from "../contacts/account-contact.entity";
import { ContactChangeConnection, ContactHistoryArgs } from "../history/history.types";
import { HISTORY_PAGE } from "../history/history.queries";
import { ConnectionArgs, DefaultPageSize, MaxItems } from "../common/pagination";
import { globalId } from "../common/global-id";
import { notFound } from "../errors";
import { MAX_SLOT_HOLDERS, NotificationCategory } from "../contacts/notification-routing";

@Resolver(() => Account)
export class AccountResolver {
  @Authorized()
  @Query(() => AccountConnection, {
    description: `The accounts the caller is a member of, oldest first; ${ACCOUNTS_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(ACCOUNTS_PAGE)
  accounts(@Args(() => ConnectionArgs) page: ConnectionArgs, @CurrentUser() viewer: User, @Ctx() context: Context) {
    return listAccountsOf(context.db, viewer.id, page);
  }

  @Authorized()
  @Query(() => Account, {
    nullable: true,
    description: "One account: null, with a NOT_FOUND error, unless the caller is a member of it. The rest of the response is unaffected.",
  })
  account(@Arg("id", () => ID, { description: "The account's global id." }) id: string, @Ctx() context: Context) {
    return context.readableAccount(id, "id");
  }

  @Authorized()
  @Mutation(() => CreateAccountPayload, {
    nullable: true,
    description: "Creates an account. The caller becomes its first admin and its primary contact.",
  })
  async createAccount(
    @Arg("input", () => CreateAccountInput) input: CreateAccountInput,
    @CurrentUser() viewer: User,
    @Ctx() context: Context,
  ) {
    const account = await createAccount(context.writer, viewer, input.name, input.locale ?? context.defaultLocale);
    return { account, changes: context.writtenChanges(account.id, account.contactsVersion) };
  }

  @Authorized()
  @Mutation(() => UpdateAccountPayload, {
    nullable: true,
    description:
      "Changes an account's settings (its language). A field left out keeps its value; a change is kept in settingChanges. Needs ADMIN.",
  })
  async updateAccount(@Arg("input", () => UpdateAccountInput) input: UpdateAccountInput, @Ctx() context: Context) {
    return context.changeAccount(input.accountId, async (change) => {
      if (input.locale) await change.setLocale(input.locale);
    });
  }

  @FieldResolver(() => ID, { description: "The account's global id." })
  id(@Root() account: Account): string {
    return globalId("Account", account.id);
  }

  @FieldResolver(() => User, { description: "The primary account contact: receives all important account notifications." })
  primaryContact(@Root() account: Account, @Ctx() context: Context): Promise<User> {
    return context.loaders.primaryContact.load(account.id);
  }

  @FieldResolver(() => [User], { description: "The billing contacts (at most 3), in the order they were added." })
  @MaxItems(BILLING_CONTACT_LIMIT)
  async billingContacts(@Root() account: Account, @Ctx() context: Context): Promise<User[]> {
    return (await context.loaders.accountContacts.load(account)).billing.flatMap((held) => (held.user ? [held.user] : []));
  }

  @FieldResolver(() => [AccountContact], {
    description:
      "Every filled contact slot, each with its place and holder: the primary contact first, then the billing contacts in order, then the roles in ContactRoleKind order.",
  })
  @MaxItems(MAX_SLOT_HOLDERS)
  async contacts(@Root() account: Account, @Ctx() context: Context): Promise<AccountContact[]> {
    return (await context.loaders.contactSlots.load(account.id)).map(({ contact }) => contact);
  }

  @FieldResolver(() => [ContactRole], { description: "The roles that have a contact, in ContactRoleKind order. Unset roles are left out." })
  @MaxItems(CONTACT_ROLES.length)
  async roleContacts(@Root() account: Account, @Ctx() context: Context): Promise<ContactRole[]> {
    return roleContactsOf(await context.loaders.contactSlots.load(account.id));
  }

  @FieldResolver(() => ContactRole, { nullable: true, description: "The contact for one role, or null while the role is unset." })
  async roleContact(
    @Root() account: Account,
    @Arg("role", () => ContactRoleKind, { description: "The role to look up." }) role: ContactRoleKind,
    @Ctx() context: Context,
  ): Promise<ContactRole | null> {
    const contact = (await context.loaders.contactSlots.load(account.id)).find((row) => row.contact.slot === slotOfRole(role));
    return contact ? ContactRole.of(contact.contact) : null;
  }

  @FieldResolver(() => MemberRole, { description: "The caller's own role in this account: what the screen should let them do." })
  async viewerRole(@Root() account: Account, @CurrentUser() viewer: User, @Ctx() context: Context): Promise<MemberRole> {
    const membership = await context.loaders.membership.load({ accountId: account.id, userId: viewer.id });
    if (!membership) throw notFound();
    return membership.role;
  }

  @FieldResolver(() => Boolean, {
    description:
      "Whether the caller may change this account: its contacts, members, settings and confirmation requests. " +
      "Computed by the rule the server enforces; when false, such mutations answer FORBIDDEN.",
  })
  async viewerCanAdminister(@Root() account: Account, @CurrentUser() viewer: User, @Ctx() context: Context): Promise<boolean> {
    const membership = await context.loaders.membership.load({ accountId: account.id, userId: viewer.id });
    if (!membership) throw notFound();
    return mayAdminister(membership.role);
  }

  @FieldResolver(() => AccountMemberConnection, {
    description: `The account's members, in the order they joined; ${MEMBERS_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(MEMBERS_PAGE)
  members(@Root() account: Account, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    return context.loaders.memberPage(page).load(account.id);
  }

  @FieldResolver(() => [NotificationRecipient], {
    description:
      "Who receives a category of notification: one entry per address, primary first, then billing contacts in order, then roles in ContactRoleKind order.",
  })
  @MaxItems(MAX_SLOT_HOLDERS)
  async notificationRecipients(
    @Root() account: Account,
    @Arg("category", () => NotificationCategory, { description: "The kind of notification." }) category: NotificationCategory,
    @Ctx() context: Context,
  ): Promise<NotificationRecipient[]> {
    return (await context.loaders.accountContacts.load(account)).recipients(category);
  }

  @FieldResolver(() => AccountSettingChangeConnection, {
    description: `Every change to the account's settings (its language), newest first; ${SETTING_CHANGES_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(SETTING_CHANGES_PAGE)
  settingChanges(@Root() account: Account, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    return context.loaders.settingChangePage(page).load(account.id);
  }

  @FieldResolver(() => ContactChangeConnection, {
    description: `Every change to the account's contact slots, newest first; ${HISTORY_PAGE} a page unless asked. With sinceVersion, only the changes made after that version.`,
  })
  @DefaultPageSize(HISTORY_PAGE)
  contactHistory(@Root() account: Account, @Args(() => ContactHistoryArgs) page: ContactHistoryArgs, @Ctx() context: Context) {
    return context.loaders.contactHistoryPage(page).load(account.id);
  }
}
