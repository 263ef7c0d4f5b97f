import { Arg, Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import { User } from "../users/user.entity";
import { ContactSlot } from "./contact.enums";
import type { Context } from "../context";

@Resolver(() => User)
export class ContactSlotsResolver {
  @FieldResolver(() => [ContactSlot], {
    description:
      "The contact slots this user holds in an account, in ContactSlot order; empty when none. " +
      "Lets a screen warn before removing a member. NOT_FOUND unless the caller is a member of the account.",
  })
  async contactSlots(
    @Root() user: User,
    @Arg("accountId", () => ID, { description: "The account's global id." }) accountId: string,
    @Ctx() context: Context,
  ): Promise<ContactSlot[]> {
    const account = await context.readableAccount(accountId, "accountId");
    return (await context.loaders.accountContacts.load(account)).slotsOf(user.id);
  }
}
