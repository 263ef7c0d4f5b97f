import { Authorized, Query, Resolver } from "type-graphql";
import { User } from "./user.entity";
import { CurrentUser } from "../auth/auth-checker";

@Authorized()
@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { description: "The signed-in user." })
  viewer(@CurrentUser() viewer: User): User {
    return viewer;
  }
}
