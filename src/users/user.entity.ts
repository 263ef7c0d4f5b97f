import { Field, ObjectType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, PrimaryColumn } from "typeorm";

@ObjectType({
  implements: Node,
  description: "A person who can sign in. Users are created the first time they sign in or are added to an account.",
})
@Entity({ name: "users" })
export class User {
  /** The row's id; clients see the global id made from it (UserResolver.id). */
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Field(() => String, { description: "The user's email address, lower-cased. It identifies the user when signing in." })
  @Column({ type: "varchar", length: 320, unique: true })
  email: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The user's own name, from the `name` claim of their latest sign-in that had one; null until then. " +
      "Nobody else can set it: for what an account calls someone who has not signed in, see AccountMember.displayName.",
  })
  @Column({ type: "varchar", length: 200, nullable: true })
  name: string | null;

  @Column()
  createdAt: Date;

  /** When the user first signed in; null for someone an admin added who has not signed in yet. */
  @Column({ type: Date, nullable: true })
  signedInAt: Date | null;
}
