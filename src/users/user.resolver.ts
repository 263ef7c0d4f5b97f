import { Authorized, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { User } from "./user.entity";
import { CurrentUser } from "./auth-checker";
import { globalId } from "../common/global-id";

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: "The signed-in user." })
  viewer(@CurrentUser() viewer: User): User {
    return viewer;
  }

  @FieldResolver(() => ID, { description: "The user's global id." })
  id(@Root() user: User): string {
    return globalId("User", user.id);
  }
}
