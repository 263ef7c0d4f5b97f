import { Field, Int, ObjectType, registerEnumType } from "type-graphql";
import { ContactRoleKind, ContactSlot } from "../contacts/contact.enums";

export enum ContactIssueKind {
  UNVERIFIED_EXTERNAL = "UNVERIFIED_EXTERNAL",
  VERIFICATION_STALE = "VERIFICATION_STALE",
  DELIVERY_FAILED = "DELIVERY_FAILED",
  NEVER_SIGNED_IN = "NEVER_SIGNED_IN",
}

registerEnumType(ContactIssueKind, {
  name: "ContactIssueKind",
  description: "Something wrong with a contact that someone should look at.",
  valuesConfig: {
    UNVERIFIED_EXTERNAL: { description: "An outside address that its owner has not confirmed yet." },
    VERIFICATION_STALE: { description: "An outside address confirmed more than 365 days ago: ask its owner to confirm it again." },
    DELIVERY_FAILED: { description: "The last message to this contact could not be delivered." },
    NEVER_SIGNED_IN: {
      description:
        "A member an admin added by email who has never signed in: until they do, their address is unconfirmed and they are sent no optional mail (test messages are SKIPPED).",
    },
  },
});

@ObjectType({ description: "One problem with one contact slot." })
export class ContactIssue {
  @Field(() => ContactSlot, { description: "The slot whose contact has the problem." })
  slot: ContactSlot;

  @Field(() => String, { description: "The contact's address." })
  email: string;

  @Field(() => ContactIssueKind, { description: "What is wrong." })
  kind: ContactIssueKind;
}

@ObjectType({ description: "What is missing or wrong in an account's contacts. Unset roles are not errors; they are listed in missingRoles." })
export class ContactHealth {
  @Field(() => [ContactRoleKind], { description: "The roles nobody holds, in ContactRoleKind order." })
  missingRoles: ContactRoleKind[];

  @Field(() => Int, { description: "How many more billing contacts may be added (3 minus those set)." })
  billingContactsFree: number;

  @Field(() => [ContactIssue], { description: "Problems with contacts, in slot order." })
  issues: ContactIssue[];

  @Field(() => Boolean, { description: "True when a role is missing or there is any issue." })
  needsAttention: boolean;
}
