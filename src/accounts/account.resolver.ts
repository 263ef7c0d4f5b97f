import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { Account } from "./account.entity";
import { AccountConnection, CreateAccountInput, CreateAccountPayload, NotificationRecipient } from "./account.types";
import { ACCOUNTS_PAGE, createAccount, listAccountsOf } from "./account.service";
import { readableAccount } from "./account-access";
import type { Context } from "../context";
import { CurrentUser } from "../auth/auth-checker";
import { User } from "../users/user.entity";
import { MemberRole } from "../members/account-member.entity";
import { AccountMemberConnection } from "../members/member.types";
import { MEMBERS_PAGE } from "../members/member.queries";
import { RoleContact } from "../contacts/role-contact.entity";
import { ContactRoleKind, ContactSlot, slotOfRole } from "../contacts/contact.enums";
import { ContactChangeConnection } from "../history/history.types";
import { HISTORY_PAGE } from "../history/history.queries";
import { ConnectionArgs, DefaultPageSize } from "../common/pagination";
import { globalId } from "../common/global-id";
import { notFound } from "../errors";
import { NotificationCategory, routeNotification, type SlotHolder } from "../notifications/notification-routing";

@Authorized()
@Resolver(() => Account)
export class AccountResolver {
  @Query(() => AccountConnection, { description: `The accounts the caller is a member of, oldest first; ${ACCOUNTS_PAGE} a page unless asked.` })
  @DefaultPageSize(ACCOUNTS_PAGE)
  accounts(@Args(() => ConnectionArgs) page: ConnectionArgs, @CurrentUser() viewer: User, @Ctx() context: Context) {
    return listAccountsOf(context.db, viewer, page);
  }

  @Query(() => Account, {
    nullable: true,
    description: "One account: null, with a NOT_FOUND error, unless the caller is a member of it. The rest of the response is unaffected.",
  })
  account(@Arg("id", () => ID, { description: "The account's global id." }) id: string, @Ctx() context: Context) {
    return readableAccount(context, id, "id");
  }

  @Mutation(() => CreateAccountPayload, { description: "Creates an account. The caller becomes its first admin and its primary contact." })
  async createAccount(@Arg("input", () => CreateAccountInput) input: CreateAccountInput, @CurrentUser() viewer: User, @Ctx() context: Context) {
    return { account: await createAccount(context.db, viewer, input.name) };
  }

  @FieldResolver(() => ID, { description: "The account's global id." })
  id(@Root() account: Account): string {
    return globalId("Account", account.id);
  }

  @FieldResolver(() => User, { description: "The primary account contact: receives all important account notifications." })
  async primaryContact(@Root() account: Account, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.userById.load(account.primaryContactId))!;
  }

  @FieldResolver(() => [User], { description: "The billing contacts (at most 3), in the order they were added." })
  async billingContacts(@Root() account: Account, @Ctx() context: Context): Promise<User[]> {
    const contacts = await context.loaders.billingContacts.load(account.id);
    const users = await context.loaders.userById.loadMany(contacts.map((contact) => contact.userId));
    return users.filter((user): user is User => user instanceof User);
  }

  @FieldResolver(() => [RoleContact], { description: "The roles that have a contact, in ContactRoleKind order. Unset roles are left out." })
  roleContacts(@Root() account: Account, @Ctx() context: Context): Promise<RoleContact[]> {
    return context.loaders.roleContacts.load(account.id);
  }

  @FieldResolver(() => RoleContact, { nullable: true, description: "The contact for one role, or null while the role is unset." })
  async roleContact(
    @Root() account: Account,
    @Arg("role", () => ContactRoleKind, { description: "The role to look up." }) role: ContactRoleKind,
    @Ctx() context: Context,
  ): Promise<RoleContact | null> {
    const contacts = await context.loaders.roleContacts.load(account.id);
    return contacts.find((contact) => contact.role === role) ?? null;
  }

  @FieldResolver(() => MemberRole, { description: "The caller's own role in this account: what the screen should let them do." })
  async viewerRole(@Root() account: Account, @CurrentUser() viewer: User, @Ctx() context: Context): Promise<MemberRole> {
    const membership = await context.loaders.membership.load({ accountId: account.id, userId: viewer.id });
    if (!membership) throw notFound();
    return membership.role;
  }

  @FieldResolver(() => AccountMemberConnection, { description: `The account's members, in the order they joined; ${MEMBERS_PAGE} a page unless asked.` })
  @DefaultPageSize(MEMBERS_PAGE)
  members(@Root() account: Account, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    return context.loaders.memberPage(page).load(account.id);
  }

  @FieldResolver(() => [NotificationRecipient], {
    description:
      "Who receives a category of notification: one entry per address, primary first, then billing contacts in order, then roles in ContactRoleKind order.",
  })
  async notificationRecipients(
    @Root() account: Account,
    @Arg("category", () => NotificationCategory, { description: "The kind of notification." }) category: NotificationCategory,
    @Ctx() context: Context,
  ): Promise<NotificationRecipient[]> {
    const { loaders } = context;
    const [primary, billing, roles] = await Promise.all([
      this.primaryContact(account, context),
      this.billingContacts(account, context),
      loaders.roleContacts.load(account.id),
    ]);
    const roleUsers = await loaders.userById.loadMany(roles.map((role) => role.userId).filter((id): id is string => id !== null));
    const usersById = new Map(roleUsers.filter((user): user is User => user instanceof User).map((user) => [user.id, user]));
    const holders: SlotHolder<User>[] = [
      { slot: ContactSlot.PRIMARY, email: primary.email, user: primary },
      ...billing.map((user) => ({ slot: ContactSlot.BILLING, email: user.email, user })),
      ...roles.map((role) => ({
        slot: slotOfRole(role.role),
        email: role.email,
        user: role.userId ? (usersById.get(role.userId) ?? null) : null,
      })),
    ];
    return routeNotification(category, holders);
  }

  @FieldResolver(() => ContactChangeConnection, { description: `Every change to the account's contact slots, newest first; ${HISTORY_PAGE} a page unless asked.` })
  @DefaultPageSize(HISTORY_PAGE)
  contactHistory(@Root() account: Account, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    return context.loaders.contactHistoryPage(page).load(account.id);
  }
}
