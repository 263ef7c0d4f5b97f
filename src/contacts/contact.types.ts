import { IsGlobalId } from "../common/global-id";
import { Field, ID, InputType } from "type-graphql";
import { IsOptional } from "class-validator";
import { IsEmailAddress } from "../common/email";
import { CONTACT_TITLE_MAX_LENGTH, ContactRoleKind, OUTSIDE_ADDRESS_ROLE_NAMES } from "./contact.enums";
import { IsPhoneNumber } from "../common/phone";
import { IsLanguageTag } from "../common/language-tag";
import { IsDisplayName } from "../common/names";
import { AccountPayload, VersionedInput } from "../accounts/account.types";
import type { ContactDetailKey } from "./contact-details";

/** Applies several property decorators as one. */
const decorators =
  (...all: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorator of all) decorator(target, key);
  };

/**
 * The fields of an input that gives a role to someone: a member (`userId`) or, for a role that allows one, an
 * outside address (`email`). setRoleContact and each role of saveAccountContacts take the same pair.
 */
export const RoleContactTargetField = {
  userId: (description: string) =>
    decorators(
      Field(() => ID, { nullable: true, description }),
      IsOptional(),
      IsGlobalId("User"),
    ),
  email: () =>
    decorators(
      Field(() => String, {
        nullable: true,
        description: `For ${OUTSIDE_ADDRESS_ROLE_NAMES} only: the address of the contact. A member's address stores that member.`,
      }),
      IsOptional(),
      IsEmailAddress(),
    ),
};

/**
 * The fields of an input that give a slot's contact a phone number and a title. Left out, each stays as
 * it is for a contact who stays in the slot (and is empty for a new one); null clears it.
 */
export const ContactDetailsField = {
  phone: () =>
    decorators(
      Field(() => String, {
        nullable: true,
        description:
          "The contact's phone number with its country code (+48 601 234 567), stored in E.164. Left out: unchanged for the same contact, none for a new one. Null clears it.",
      }),
      IsOptional(),
      IsPhoneNumber(),
    ),
  title: () =>
    decorators(
      Field(() => String, {
        nullable: true,
        description: `The contact's title for this slot (1 to ${CONTACT_TITLE_MAX_LENGTH} characters, the rules of a name). Left out: unchanged for the same contact, none for a new one. Null clears it.`,
      }),
      IsOptional(),
      IsDisplayName(undefined, CONTACT_TITLE_MAX_LENGTH),
    ),
  languageTag: () =>
    decorators(
      Field(() => String, {
        nullable: true,
        description:
          "The language the contact reads, as a BCP 47 tag (pl, en-GB); mail to them goes in it when the service writes it. Left out: unchanged for the same contact, none for a new one. Null clears it.",
      }),
      IsOptional(),
      IsLanguageTag(),
    ),
} satisfies Record<ContactDetailKey, () => PropertyDecorator>;

@InputType({ description: "A contact's phone number and title, for a slot saveAccountContacts names." })
export class ContactDetailsInput {
  @ContactDetailsField.phone()
  phone?: string | null;

  @ContactDetailsField.title()
  title?: string | null;

  @ContactDetailsField.languageTag()
  languageTag?: string | null;
}

// Registered so the single-slot mutations' inputs inherit the contact's details; never referenced itself, so never emitted.
@InputType("VersionedContactDetailsFields")
export class VersionedContactDetailsInput extends VersionedInput {
  @ContactDetailsField.phone()
  phone?: string | null;

  @ContactDetailsField.title()
  title?: string | null;

  @ContactDetailsField.languageTag()
  languageTag?: string | null;
}

@InputType({ description: "Makes a member the account's primary contact." })
export class SetPrimaryContactInput extends VersionedContactDetailsInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ID, { description: "The member who becomes the primary contact." })
  @IsGlobalId("User")
  userId: string;
}

@InputType({ description: "Adds a member to the account's billing contacts, after those already there." })
export class AddBillingContactInput extends VersionedContactDetailsInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ID, { description: "The member to add." })
  @IsGlobalId("User")
  userId: string;
}

@InputType({ description: "Removes a member from the account's billing contacts." })
export class RemoveBillingContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ID, { description: "The billing contact to remove." })
  @IsGlobalId("User")
  userId: string;
}

@InputType({
  description: `Gives a role to a member (userId) or, for ${OUTSIDE_ADDRESS_ROLE_NAMES} only, to an email address outside the account. Give exactly one of userId and email.`,
})
export class SetRoleContactInput extends VersionedContactDetailsInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role to fill." })
  role: ContactRoleKind;

  @RoleContactTargetField.userId("The member who takes the role.")
  userId?: string | null;

  @RoleContactTargetField.email()
  email?: string | null;
}

@InputType({ description: "Leaves a role without a contact." })
export class ClearRoleContactInput extends VersionedInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ContactRoleKind, { description: "The role to clear." })
  role: ContactRoleKind;
}

export const SetPrimaryContactPayload = AccountPayload("SetPrimaryContactPayload", "The result of setPrimaryContact.");
export const AddBillingContactPayload = AccountPayload("AddBillingContactPayload", "The result of addBillingContact.");
export const RemoveBillingContactPayload = AccountPayload("RemoveBillingContactPayload", "The result of removeBillingContact.");
export const SetRoleContactPayload = AccountPayload("SetRoleContactPayload", "The result of setRoleContact.");
export const ClearRoleContactPayload = AccountPayload("ClearRoleContactPayload", "The result of clearRoleContact.");
