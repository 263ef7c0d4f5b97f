import { Field, Int, ObjectType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, PrimaryColumn } from "typeorm";

@ObjectType({ implements: Node, description: "A customer's workspace, with its members and its points of contact." })
@Entity({ name: "accounts" })
export class Account {
  /** The row's id; clients see the global id made from it (AccountResolver.id). */
  @PrimaryColumn({ type: "varchar", length: 36 })
  id: string;

  @Field(() => String, { description: "The account's display name (1 to 200 characters)." })
  @Column({ type: "varchar", length: 200 })
  name: string;

  /** The member who is the primary account contact; the database requires them to be a member. */
  @Column({ type: "varchar", length: 36 })
  primaryContactId: string;

  @Field(() => Int, { description: "Grows by one with every change to the account's contacts. Send it back as `expectedVersion` to refuse to overwrite changes you have not seen." })
  @Column({ type: "integer", default: 0 })
  contactsVersion: number;

  @Field(() => Date, { description: "When the account was created." })
  @Column()
  createdAt: Date;

  @Field(() => Date, { description: "When the account or its contacts last changed." })
  @Column()
  updatedAt: Date;
}
