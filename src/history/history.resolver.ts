import { Authorized, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { ContactChange } from "./contact-change.entity";
import { User } from "../users/user.entity";
import type { Context } from "../context";

@Authorized()
@Resolver(() => ContactChange)
export class HistoryResolver {
  @FieldResolver(() => User, { description: "The admin who made the change." })
  async actor(@Root() change: ContactChange, @Ctx() context: Context): Promise<User> {
    return (await context.loaders.userById.load(change.actorId))!;
  }
}
