import { ArgsType, Field, Int, ObjectType, createUnionType } from "type-graphql";
import { Min } from "class-validator";
import { ContactChange } from "./contact-change.entity";
import { ConnectionArgs, ConnectionType } from "../common/pagination";
import { BILLING_CONTACT_LIMIT, CONTACT_ROLES } from "../contacts/contact.enums";
import { User } from "../users/user.entity";
import { worded } from "../errors";
import { message } from "../i18n";

/**
 * Contact history rows one write can leave: a save sets the primary contact, replaces every billing
 * contact (a removal and an addition each) and sets every role.
 */
export const MAX_CONTACT_CHANGES_PER_WRITE = 1 + 2 * BILLING_CONTACT_LIMIT + CONTACT_ROLES.length;

@ObjectType({ description: "A page of an account's contact history, newest first." })
export class ContactChangeConnection extends ConnectionType(ContactChange, "ContactChange", "changes") {}

@ArgsType()
export class ContactHistoryArgs extends ConnectionArgs {
  @Field(() => Int, {
    nullable: true,
    description:
      "Only the changes made after this contactsVersion (those whose `version` is greater): what changed since a screen loaded the account. " +
      "After a VERSION_CONFLICT, pass the version you hold (extensions.expectedVersion).",
  })
  @Min(
    0,
    worded(() => message("BAD_USER_INPUT.negativeVersion")),
  )
  sinceVersion?: number | null;
}

@ObjectType({
  description:
    "Someone outside the account who made a change themselves: the owner of an outside address, answering the confirmation request sent to it.",
})
export class ExternalContact {
  @Field(() => String, { description: "The outside address; its owner has no user." })
  email: string;
}

export const ContactChangeActor = createUnionType({
  name: "ContactChangeActor",
  description: "Who made a change: a member (User), or the owner of an outside address confirming or declining it (ExternalContact).",
  // Resolved by class (a User entity or an ExternalContact): a resolveType here would run asynchronously, which compiled execution refuses.
  types: () => [User, ExternalContact] as const,
});
