import { Field, ObjectType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { ContactChangeAction, ContactSlot } from "../contacts/contact.enums";

@ObjectType({ implements: Node, description: "One change to one of an account's contact slots, written with the change itself." })
@Entity({ name: "contact_changes" })
@Index("IDX_contact_changes_account_id", ["accountId", "sequence"])
export class ContactChange {
  @PrimaryGeneratedColumn({ type: "integer", name: "id" })
  sequence: number;


  @Column({ type: "varchar", length: 36 })
  accountId: string;

  @Field(() => Date, { description: "When the change was made." })
  @Column()
  at: Date;

  @Column({ type: "varchar", length: 36 })
  actorId: string;

  @Field(() => ContactSlot, { description: "The slot that changed." })
  @Column({ type: "varchar", length: 32 })
  slot: ContactSlot;

  @Field(() => ContactChangeAction, { description: "What happened to the slot." })
  @Column({ type: "varchar", length: 16 })
  action: ContactChangeAction;

  @Field(() => String, { nullable: true, description: "The contact's email before the change, if the slot had one." })
  @Column({ type: "varchar", length: 320, nullable: true })
  previousEmail: string | null;

  @Field(() => String, { nullable: true, description: "The contact's email after the change, if the slot has one." })
  @Column({ type: "varchar", length: 320, nullable: true })
  newEmail: string | null;
}
