import { Arg, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from "type-graphql";
import { AccountMember } from "./account-member.entity";
import { AddAccountMemberInput, RemoveAccountMemberInput } from "./member.types";
import { addAccountMember, removeAccountMember } from "./member.service";
import { Account } from "../accounts/account.entity";
import { changeAccount } from "../accounts/account-access";
import { User } from "../users/user.entity";
import type { Context } from "../context";

@Authorized()
@Resolver(() => AccountMember)
export class MemberResolver {
  @FieldResolver(() => User, { description: "The member." })
  async user(@Root() member: AccountMember, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.userById.load(member.userId))!;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The name to show for this member in this account: their own name from their sign-in once they have one, " +
      "otherwise the name this account's admin gave when adding them; null when neither is known.",
  })
  async displayName(@Root() member: AccountMember, @Ctx() context: Context): Promise<string | null> {
    const user = await context.loaders.userById.load(member.userId);
    return user?.name ?? member.nameGivenByAdmin ?? null;
  }

  @Mutation(() => Account, { description: "Adds a person to the account by email, or changes an existing member's role. Needs ADMIN." })
  addAccountMember(@Arg("input", () => AddAccountMemberInput) input: AddAccountMemberInput, @Ctx() context: Context) {
    return changeAccount(context, input.accountId, (change) => addAccountMember(change, input));
  }

  @Mutation(() => Account, {
    description:
      "Removes a member. Their billing place and roles go with them, or pass to `reassignTo` (primary included) when given. " +
      "Without reassignTo the primary contact cannot be removed; the last admin never can. Needs ADMIN.",
  })
  removeAccountMember(@Arg("input", () => RemoveAccountMemberInput) input: RemoveAccountMemberInput, @Ctx() context: Context) {
    return changeAccount(context, input.accountId, (change) => removeAccountMember(change, input.userId, input.reassignTo));
  }
}
