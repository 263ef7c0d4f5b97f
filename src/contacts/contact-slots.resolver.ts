import { Arg, Authorized, Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import { User } from "../users/user.entity";
import { readableAccount } from "../accounts/account-access";
import { ContactSlot, slotOfRole } from "./contact.enums";
import type { Context } from "../context";

@Authorized()
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
    const account = await readableAccount(context, accountId, "accountId");
    const [billing, roles] = await Promise.all([
      context.loaders.billingContacts.load(account.id),
      context.loaders.roleContacts.load(account.id),
    ]);
    return [
      ...(account.primaryContactId === user.id ? [ContactSlot.PRIMARY] : []),
      ...(billing.some((contact) => contact.userId === user.id) ? [ContactSlot.BILLING] : []),
      ...roles.filter((role) => role.userId === user.id).map((role) => slotOfRole(role.role)),
    ];
  }
}
