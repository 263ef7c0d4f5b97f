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
    return contactHealthOf(await context.loaders.contactIssues.load(account.id));
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
