import { Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import { ContactChange } from "./contact-change.entity";
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

  @FieldResolver(() => User, { description: "The member who made the change: an admin, or a member who left the account (their billing place and roles cleared)." })
  async actor(@Root() change: ContactChange, @Ctx() context: Context): Promise<User> {
    const user = await context.loaders.userById.load(change.actorId);
    if (!user) throw notFound("user");
    return user;
  }
}
