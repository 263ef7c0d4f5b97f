import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { AccountContact } from "./account-contact.entity";
import { User } from "../users/user.entity";
import type { Context } from "../context";

@Resolver(() => AccountContact)
export class AccountContactResolver {
  @FieldResolver(() => User, { nullable: true, description: "The member holding the slot; null for an outside address." })
  user(@Root() contact: AccountContact, @Ctx() context: Context): Promise<User | null> | null {
    return contact.userId ? context.loaders.userById.load(contact.userId) : null;
  }

  @FieldResolver(() => Boolean, { description: "True when the slot is held by an email address of someone who is not a member." })
  isExternal(@Root() contact: AccountContact): boolean {
    return contact.userId === null;
  }

  @FieldResolver(() => User, {
    nullable: true,
    description:
      "Who last changed the slot (gave it this contact, or its phone, title or language); null when not known (slots filled before 2.1.0 kept no such record).",
  })
  updatedBy(@Root() contact: AccountContact, @Ctx() context: Context): Promise<User | null> | null {
    return contact.updatedById ? context.loaders.userById.load(contact.updatedById) : null;
  }
}
