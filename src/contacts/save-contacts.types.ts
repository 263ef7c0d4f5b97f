import { IsGlobalId } from "../common/global-id";
import { Field, ID, InputType, Int } from "type-graphql";
import { ArrayMaxSize, ValidateNested } from "class-validator";
import { CONTACT_ROLES, ContactRoleKind, OUTSIDE_ADDRESS_ROLE_NAMES } from "./contact.enums";
import { RoleContactTargetField } from "./contact.types";
import { AccountPayload, IsContactsVersion } from "../accounts/account.types";
import { worded } from "../errors";
import { message } from "../i18n";

@InputType({ description: `One role in the contact settings form: a member (userId) or, for ${OUTSIDE_ADDRESS_ROLE_NAMES} only, an outside address (email).` })
export class RoleContactEntryInput {
  @Field(() => ContactRoleKind, { description: "The role." })
  role: ContactRoleKind;

  @RoleContactTargetField.userId("The member who holds the role.")
  userId?: string | null;

  @RoleContactTargetField.email()
  email?: string | null;
}

@InputType({ description: "Every contact slot of an account at once, as the settings form shows them. Roles left out are cleared." })
export class SaveAccountContactsInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => Int, {
    description: "The account's `contactsVersion` the form was loaded with. If someone changed the contacts since, nothing is saved: VERSION_CONFLICT.",
  })
  @IsContactsVersion()
  expectedVersion: number;

  @Field(() => ID, { description: "The member who is the primary contact." })
  @IsGlobalId("User")
  primaryContactUserId: string;

  @Field(() => [ID], {
    description: "The billing contacts (at most 3 members). Those already billing contacts keep their place; new ones are added after them in this order.",
  })
  @ArrayMaxSize(20, worded((_value, property) => message("BAD_USER_INPUT.tooManyItems", { field: property, max: 20 })))
  @IsGlobalId("User", { each: true })
  billingContactUserIds: string[];

  @Field(() => [RoleContactEntryInput], { description: "The roles that have a contact, each at most once. A role left out is cleared." })
  @ArrayMaxSize(CONTACT_ROLES.length, worded(() => message("BAD_USER_INPUT.duplicateRoles")))
  @ValidateNested({ each: true })
  roleContacts: RoleContactEntryInput[];
}

export const SaveAccountContactsPayload = AccountPayload("SaveAccountContactsPayload", "The result of saveAccountContacts.");
