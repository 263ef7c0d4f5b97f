import { Field, Int, ObjectType } from "type-graphql";
import { ContactRoleKind, ContactSlot } from "../contacts/contact.enums";
import { ContactIssueKind } from "./contact-health.enums";
import { MaxItems } from "../common/pagination";
import { MAX_SLOT_HOLDERS } from "../contacts/notification-routing";

@ObjectType({ description: "One problem with one contact slot." })
export class ContactIssue {
  @Field(() => ContactSlot, { description: "The slot whose contact has the problem." })
  slot: ContactSlot;

  @Field(() => String, { description: "The contact's address." })
  email: string;

  @Field(() => ContactIssueKind, { description: "What is wrong." })
  kind: ContactIssueKind;
}

@ObjectType({
  description: "What is missing or wrong in an account's contacts. Unset roles are not errors; they are listed in missingRoles.",
})
export class ContactHealth {
  @Field(() => [ContactRoleKind], { description: "The roles nobody holds, in ContactRoleKind order." })
  missingRoles: ContactRoleKind[];

  @Field(() => Int, { description: "How many more billing contacts may be added (3 minus those set)." })
  billingContactsFree: number;

  @Field(() => [ContactIssue], { description: "Problems with contacts, in slot order." })
  @MaxItems(MAX_SLOT_HOLDERS)
  issues: ContactIssue[];

  @Field(() => Boolean, { description: "True when a role is missing or there is any issue." })
  needsAttention: boolean;
}
