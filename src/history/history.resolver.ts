import { Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import { ContactChange } from "./contact-change.entity";
import { ContactChangeActor, ExternalContact } from "./history.types";
import { User } from "../users/user.entity";
import { globalId } from "../common/global-id";
import { notFound } from "../errors";
import type { Context } from "../context";

@Resolver(() => ContactChange)
export class HistoryResolver {
  @FieldResolver(() => ID, { description: "The change's global id." })
  id(@Root() change: ContactChange): string {
    return globalId("ContactChange", change.sequence);
  }

  @FieldResolver(() => User, {
    description: "The member who made the change; for a confirmation or a refusal by an outside address, the admin who had asked it.",
    deprecationReason: "Use changedBy: a change made by the owner of an outside address has no user.",
  })
  async actor(@Root() change: ContactChange, @Ctx() context: Context): Promise<User> {
    const user = await context.loaders.userById.load(change.actorId);
    if (!user) throw notFound("user");
    return user;
  }

  @FieldResolver(() => ContactChangeActor, {
    description:
      "Who made the change: the admin (User), a member who left the account (their billing place and roles cleared), " +
      "or the owner of an outside address who confirmed or declined it (ExternalContact).",
  })
  async changedBy(@Root() change: ContactChange, @Ctx() context: Context): Promise<User | ExternalContact> {
    if (change.actorEmail !== null) return Object.assign(new ExternalContact(), { email: change.actorEmail });
    return this.actor(change, context);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description:
      "The member who held the slot before the change; null for an outside address, an empty slot, or a change recorded before members were linked.",
  })
  previousUser(@Root() change: ContactChange, @Ctx() context: Context): Promise<User | null> {
    return change.previousUserId === null ? Promise.resolve(null) : context.loaders.userById.load(change.previousUserId);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description:
      "The member who holds the slot after the change; null for an outside address, an empty slot, or a change recorded before members were linked.",
  })
  newUser(@Root() change: ContactChange, @Ctx() context: Context): Promise<User | null> {
    return change.newUserId === null ? Promise.resolve(null) : context.loaders.userById.load(change.newUserId);
  }
}
