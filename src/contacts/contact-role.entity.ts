import { Field, ObjectType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { ContactRoleKind } from "./contact.enums";

@ObjectType("ContactRole", { implements: Node, description: "The contact who holds one of the account's named roles." })
@Entity({ name: "role_contacts" })
@Index("IDX_role_contacts_user", ["userId"])
export class ContactRole {
  @PrimaryColumn({ type: "varchar", length: 36 })
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role this contact holds." })
  @PrimaryColumn({ type: "varchar", length: 32 })
  role: ContactRoleKind;

  /** The member holding the role; null for an external security contact. */
  @Column({ type: "varchar", length: 36, nullable: true })
  userId: string | null;

  @Field(() => String, { description: "Where notifications for this role go: the member's email, or the external address." })
  @Column({ type: "varchar", length: 320 })
  email: string;

  @Field(() => Date, { description: "When the role was last given a contact." })
  @Column()
  updatedAt: Date;

  @Column({ type: "varchar", length: 36, nullable: true })
  updatedById: string | null;
}
