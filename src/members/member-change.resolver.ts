import { Args, Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import { MemberChange } from "./member-change.entity";
import { MemberChangeConnection } from "./member.types";
import { MEMBER_CHANGES_PAGE } from "./member.queries";
import { Account } from "../accounts/account.entity";
import { User } from "../users/user.entity";
import { ConnectionArgs, DefaultPageSize } from "../common/pagination";
import { globalId } from "../common/global-id";
import { notFound } from "../errors";
import type { Context } from "../context";

@Resolver(() => MemberChange)
export class MemberChangeResolver {
  @FieldResolver(() => ID, { description: "The change's global id." })
  id(@Root() change: MemberChange): string {
    return globalId("MemberChange", change.sequence);
  }

  @FieldResolver(() => User, { description: "Who made the change: an admin, or the member themselves when they left." })
  async actor(@Root() change: MemberChange, @Ctx() context: Context): Promise<User> {
    const user = await context.loaders.userById.load(change.actorId);
    if (!user) throw notFound("user");
    return user;
  }
}

@Resolver(() => Account)
export class AccountMemberHistoryResolver {
  @FieldResolver(() => MemberChangeConnection, {
    description: `Every change to the account's membership (joins, role changes, removals, leaving), newest first; ${MEMBER_CHANGES_PAGE} a page unless asked.`,
  })
  @DefaultPageSize(MEMBER_CHANGES_PAGE)
  memberHistory(@Root() account: Account, @Args(() => ConnectionArgs) page: ConnectionArgs, @Ctx() context: Context) {
    return context.loaders.memberChangePage(page).load(account.id);
  }
}
