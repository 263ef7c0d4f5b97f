import { Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { Account } from "../accounts/account.entity";
import { AccountConnection } from "../accounts/account.types";
import { ACCOUNTS_PAGE } from "../accounts/account.queries";
import { ConnectionArgs, DefaultPageSize } from "../common/pagination";
import { CurrentUser } from "../users/auth-checker";
import { User } from "../users/user.entity";
import { ContactHealth } from "./contact-health.types";
import { contactHealthOf } from "./health.service";
import { listAccountsNeedingAttention } from "./needs-attention.queries";
import type { Context } from "../context";

@Resolver(() => Account)
export class HealthResolver {
  @FieldResolver(() => ContactHealth, { description: "Missing roles, free billing places and problems with the account's contacts." })
  async contactHealth(@Root() account: Account, @Ctx() context: Context): Promise<ContactHealth> {
    const [contacts, verifications, failedDeliveries, allowedContactDomains] = await Promise.all([
      context.loaders.accountContacts.load(account),
      context.loaders.verifications.load(account.id),
      context.loaders.failedDeliveries.load(account.id),
      context.loaders.allowedContactDomains.load(account.id),
    ]);
    return contactHealthOf(contacts, verifications, failedDeliveries, allowedContactDomains);
  }

  @Authorized()
  @Query(() => AccountConnection, {
    description: `The caller's accounts that have a missing role or a contact issue (see Account.contactHealth), oldest first; ${ACCOUNTS_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(ACCOUNTS_PAGE)
  accountsNeedingAttention(@Args(() => ConnectionArgs) page: ConnectionArgs, @CurrentUser() viewer: User, @Ctx() context: Context) {
    return listAccountsNeedingAttention(context.db, viewer, page);
  }
}
