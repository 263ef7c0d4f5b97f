import { IsGlobalId } from "../common/global-id";
import { Field, ID, InputType, Int } from "type-graphql";
import { ArrayMaxSize, IsOptional, ValidateNested } from "class-validator";
import { CONTACT_ROLES, ContactRoleKind, OUTSIDE_ADDRESS_ROLE_NAMES } from "./contact.enums";
import { ContactDetailsInput, RoleContactTargetField } from "./contact.types";
import { AccountPayload, IsContactsVersion } from "../accounts/account.types";
import { worded } from "../errors";
import { message } from "../i18n";

@InputType({
  description: `One role the save changes: given to a member (userId) or, for ${OUTSIDE_ADDRESS_ROLE_NAMES} only, an outside address (email); or left without a contact (clear: true, with neither).`,
})
export class RoleContactEntryInput extends ContactDetailsInput {
  @Field(() => ContactRoleKind, { description: "The role." })
  role: ContactRoleKind;

  @Field(() => Boolean, { nullable: true, description: "True to leave the role without a contact; then give neither userId nor email." })
  @IsOptional()
  clear?: boolean | null;

  @RoleContactTargetField.userId("The member who holds the role.")
  userId?: string | null;

  @RoleContactTargetField.email()
  email?: string | null;
}

@InputType({ description: "The phone number and title of one billing contact the save names." })
export class BillingContactDetailsInput extends ContactDetailsInput {
  @Field(() => ID, { description: "The billing contact: a member billingContactUserIds lists, or one already a billing contact." })
  @IsGlobalId("User")
  userId: string;
}

@InputType({
  description:
    "The contact slots a settings form changes, at once. A slot the input does not name stays as it is: a role missing from roleContacts, and primaryContactUserId or billingContactUserIds when left out or null. A role is cleared only by an entry { role, clear: true }.",
})
export class SaveAccountContactsInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => Int, {
    description:
      "The account's `contactsVersion` the form was loaded with. If someone changed the contacts since, nothing is saved: VERSION_CONFLICT.",
  })
  @IsContactsVersion()
  expectedVersion: number;

  @Field(() => ID, {
    nullable: true,
    description: "The member who is the primary contact; left out or null, the primary contact stays as it is.",
  })
  @IsOptional()
  @IsGlobalId("User")
  primaryContactUserId?: string | null;

  @Field(() => [ID], {
    nullable: true,
    description:
      "The billing contacts, the whole list (at most 3 members; [] removes them all). Those already billing contacts keep their place; new ones are added after them in this order. Left out or null, the billing contacts stay as they are.",
  })
  @IsOptional()
  @ArrayMaxSize(
    20,
    worded((_value, property) => message("BAD_USER_INPUT.tooManyItems", { field: property, max: 20 })),
  )
  @IsGlobalId("User", { each: true })
  billingContactUserIds?: string[] | null;

  @Field(() => ContactDetailsInput, {
    nullable: true,
    description:
      "The primary contact's phone number and title (the new primary contact's, when primaryContactUserId changes it). Left out, they stay as they are.",
  })
  @IsOptional()
  @ValidateNested()
  primaryContactDetails?: ContactDetailsInput | null;

  @Field(() => [BillingContactDetailsInput], {
    nullable: true,
    description:
      "Phone numbers and titles of billing contacts, each named by userId at most once. A billing contact left out keeps theirs.",
  })
  @IsOptional()
  @ArrayMaxSize(
    20,
    worded((_value, property) => message("BAD_USER_INPUT.tooManyItems", { field: property, max: 20 })),
  )
  @ValidateNested({ each: true })
  billingContactDetails?: BillingContactDetailsInput[] | null;

  @Field(() => [RoleContactEntryInput], {
    nullable: true,
    description:
      "The roles this save changes, each at most once: set, or cleared with { role, clear: true }. A role left out stays as it is.",
  })
  @IsOptional()
  @ArrayMaxSize(
    CONTACT_ROLES.length,
    worded(() => message("BAD_USER_INPUT.duplicateRoles")),
  )
  @ValidateNested({ each: true })
  roleContacts?: RoleContactEntryInput[] | null;
}

export const SaveAccountContactsPayload = AccountPayload("SaveAccountContactsPayload", "The result of saveAccountContacts.");
