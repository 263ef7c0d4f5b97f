import { Ctx, FieldResolver, ID, Resolver, Root } from "type-graphql";
import { AccountSettingChange } from "./account-setting-change.entity";
import { User } from "../users/user.entity";
import { globalId } from "../common/global-id";
import { notFound } from "../errors";
import type { Context } from "../context";

@Resolver(() => AccountSettingChange)
export class AccountSettingChangeResolver {
  @FieldResolver(() => ID, { description: "The change's global id." })
  id(@Root() change: AccountSettingChange): string {
    return globalId("AccountSettingChange", change.sequence);
  }

  @FieldResolver(() => User, { description: "The admin who made the change." })
  async actor(@Root() change: AccountSettingChange, @Ctx() context: Context): Promise<User> {
    const user = await context.loaders.userById.load(change.actorId);
    if (!user) throw notFound("user");
    return user;
  }
}
