import { Field, Int, ObjectType } from "type-graphql";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { CONTACT_TITLE_MAX_LENGTH, ContactSlot } from "./contact.enums";
import type { ContactDetails } from "./contact-details";

/**
 * One filled contact slot of an account: the primary contact, one billing contact or one role. The key
 * (account, slot, position) and the table's checks let the database itself refuse a fourth billing
 * contact or a second holder of a slot held once; a member's row must name a member of the account.
 */
@ObjectType("AccountContact", {
  description:
    "One filled contact slot of an account: which slot, its place in it, and who holds it (a member, or for a role that allows one, an outside address).",
})
@Entity({ name: "contact_slots" })
@Index("IDX_contact_slots_user", ["userId"])
export class AccountContact implements ContactDetails {
  @PrimaryColumn({ type: "varchar", length: 36 })
  accountId: string;

  @Field(() => ContactSlot, { description: "The slot this contact fills." })
  @PrimaryColumn({ type: "varchar", length: 32 })
  slot: ContactSlot;

  @Field(() => Int, { description: "The place in the slot: 0 for a slot held once; 0, 1, 2 for the billing contacts, in order." })
  @PrimaryColumn({ type: "integer" })
  position: number;

  /** The member holding the slot; null for an outside address (a role that allows one). */
  @Column({ type: "varchar", length: 36, nullable: true })
  userId: string | null;

  @Field(() => String, { description: "Where notifications for this slot go: the member's email, or the outside address." })
  @Column({ type: "varchar", length: 320 })
  email: string;

  @Field(() => String, {
    nullable: true,
    description: "The holder's phone number for this slot, in E.164 (+48601234567); null when none was given.",
  })
  @Column({ type: "varchar", length: 16, nullable: true })
  phone: string | null;

  @Field(() => String, {
    nullable: true,
    description: `The holder's title for this slot (such as "Head of Finance", at most ${CONTACT_TITLE_MAX_LENGTH} characters); null when none was given.`,
  })
  @Column({ type: "varchar", length: CONTACT_TITLE_MAX_LENGTH, nullable: true })
  title: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The language the holder reads (BCP 47, such as pl-PL): mail to them goes in it when the service writes it, else in the account's language. Null: the account's.",
  })
  @Column({ type: "varchar", length: 35, nullable: true })
  languageTag: string | null;

  @Field(() => Date, {
    description: "When the slot was last given this contact or its phone, title or language (for a billing contact, when they were added).",
  })
  @Column()
  updatedAt: Date;

  /** Who last gave the slot a contact; null when unknown (slots filled before this was recorded) or that user is gone. */
  @Column({ type: "varchar", length: 36, nullable: true })
  updatedById: string | null;
}
