import { Field, Int, ObjectType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, Index, PrimaryGeneratedColumn } from "typeorm";
import { CONTACT_TITLE_MAX_LENGTH, ContactChangeAction, ContactSlot } from "../contacts/contact.enums";
import type { ContactDetailsHistory } from "../contacts/contact-details";

@ObjectType({ implements: Node, description: "One change to one of an account's contact slots, written with the change itself." })
@Entity({ name: "contact_changes" })
@Index("IDX_contact_changes_account_id", ["accountId", "sequence"])
@Index("IDX_contact_changes_account_version", ["accountId", "version"])
@Index("IDX_contact_changes_account_event", ["accountId", "eventSequence"])
export class ContactChange implements ContactDetailsHistory {
  @PrimaryGeneratedColumn({ type: "integer", name: "id" })
  sequence: number;

  @Column({ type: "varchar", length: 36 })
  accountId: string;

  /** The account event (account_events.sequence) this row belongs to; null for rows written before the change log. */
  @Column({ type: "integer", nullable: true })
  eventSequence: number | null;

  @Field(() => Date, { description: "When the change was made." })
  @Column()
  at: Date;

  /** The admin who made the change; for a confirmation or a refusal by an outside address, the admin who asked it. */
  @Column({ type: "varchar", length: 36 })
  actorId: string;

  /** The outside address that made the change (confirmed or declined itself); null when a member made it. */
  @Column({ type: "varchar", length: 320, nullable: true })
  actorEmail: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "The account's contactsVersion this change produced; every row one mutation wrote has the same version. " +
      "Null for changes recorded before versions were kept (API 1.2).",
  })
  @Column({ type: "integer", nullable: true })
  version: number | null;

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

  @Field(() => String, {
    nullable: true,
    description: "The contact's phone number before the change (E.164); null when the slot had none or no contact.",
  })
  @Column({ type: "varchar", length: 16, nullable: true })
  previousPhone: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The contact's phone number after the change (E.164); null when the slot has none or no contact.",
  })
  @Column({ type: "varchar", length: 16, nullable: true })
  newPhone: string | null;

  @Field(() => String, { nullable: true, description: "The contact's title before the change; null when the slot had none or no contact." })
  @Column({ type: "varchar", length: CONTACT_TITLE_MAX_LENGTH, nullable: true })
  previousTitle: string | null;

  @Field(() => String, { nullable: true, description: "The contact's title after the change; null when the slot has none or no contact." })
  @Column({ type: "varchar", length: CONTACT_TITLE_MAX_LENGTH, nullable: true })
  newTitle: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The contact's language tag before the change; null when the slot had none or no contact.",
  })
  @Column({ type: "varchar", length: 35, nullable: true })
  previousLanguageTag: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The contact's language tag after the change; null when the slot has none or no contact.",
  })
  @Column({ type: "varchar", length: 35, nullable: true })
  newLanguageTag: string | null;

  /** The member who held the slot before the change; null for an outside address or an empty slot. */
  @Column({ type: "varchar", length: 36, nullable: true })
  previousUserId: string | null;

  /** The member who holds the slot after the change; null for an outside address or an empty slot. */
  @Column({ type: "varchar", length: 36, nullable: true })
  newUserId: string | null;
}
