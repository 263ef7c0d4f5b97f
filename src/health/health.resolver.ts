import { Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { Account } from "../accounts/account.entity";
import { AccountConnection } from "../accounts/account.types";
import { ACCOUNTS_PAGE } from "../accounts/account.service";
import { ConnectionArgs, DefaultPageSize } from "../common/pagination";
import { CurrentUser } from "../auth/auth-checker";
import { User } from "../users/user.entity";
import { ContactHealth } from "./contact-health.types";
import { contactHealthOf, listAccountsNeedingAttention } from "./health.service";
import type { Context } from "../context";

@Authorized()
@Resolver(() => Account)
export class HealthResolver {
  @FieldResolver(() => ContactHealth, { description: "Missing roles, free billing places and problems with the account's contacts." })
  async contactHealth(@Root() account: Account, @Ctx() context: Context): Promise<ContactHealth> {
    const { loaders, health } = context;
    const [primary, billing, roles, verifications, failedDeliveries] = await Promise.all([
      loaders.userById.load(account.primaryContactId),
      loaders.billingContacts.load(account.id),
      loaders.roleContacts.load(account.id),
      health.verifications.load(account.id),
      health.failedDeliveries.load(account.id),
    ]);
    const roleHolderIds = roles.flatMap((role) => (role.userId ? [role.userId] : []));
    const [billingUsers, roleUsers] = await Promise.all([
      loaders.userById.loadMany(billing.map((contact) => contact.userId)),
      loaders.userById.loadMany(roleHolderIds),
    ]);
    const isUser = (user: User | Error | null): user is User => user instanceof User;
    return contactHealthOf({
      primary: primary!,
      billing: billingUsers.filter(isUser),
      roles,
      roleHolders: roleUsers.filter(isUser),
      verifications,
      failedDeliveries,
    });
  }

  @Query(() => AccountConnection, {
    description: `The caller's accounts that have a missing role or a contact issue (see Account.contactHealth), oldest first; ${ACCOUNTS_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(ACCOUNTS_PAGE)
  accountsNeedingAttention(@Args(() => ConnectionArgs) page: ConnectionArgs, @CurrentUser() viewer: User, @Ctx() context: Context) {
    return listAccountsNeedingAttention(context.db, viewer, page);
  }
}
