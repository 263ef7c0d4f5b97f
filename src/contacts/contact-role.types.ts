import { Field, ObjectType } from "type-graphql";
import { Node } from "../nodes/node.type";
import { ContactRoleKind, roleOfSlot } from "./contact.enums";
import type { AccountContact } from "./account-contact.entity";

/** A role's slot as the API has always shown it: the `contact_slots` row of a role, named by its role. */
@ObjectType("ContactRole", { implements: Node, description: "The contact who holds one of the account's named roles." })
export class ContactRole {
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role this contact holds." })
  role: ContactRoleKind;

  /** The member holding the role; null for an external security contact. */
  userId: string | null;

  @Field(() => String, { description: "Where notifications for this role go: the member's email, or the external address." })
  email: string;

  @Field(() => Date, { description: "When the role was last given a contact." })
  updatedAt: Date;

  updatedById: string | null;

  /** The role behind a role's slot row; null for the primary and billing slots. */
  static of(contact: AccountContact): ContactRole | null {
    const role = roleOfSlot(contact.slot);
    if (!role) return null;
    return Object.assign(new ContactRole(), {
      accountId: contact.accountId,
      role,
      userId: contact.userId,
      email: contact.email,
      updatedAt: contact.updatedAt,
      updatedById: contact.updatedById,
    });
  }
}

/** The roles among an account's slot rows, in the rows' order. */
export function roleContactsOf(slots: readonly { contact: AccountContact }[]): ContactRole[] {
  return slots.flatMap(({ contact }) => ContactRole.of(contact) ?? []);
}
