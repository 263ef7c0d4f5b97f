import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Min } from "class-validator";
import { Account, LocaleValue } from "./account.entity";
import { AccountSettingChange } from "./account-setting-change.entity";
import { IsGlobalId } from "../common/global-id";
import type { Locale } from "../i18n";
import { User } from "../users/user.entity";
import { ContactChange } from "../history/contact-change.entity";
import { ConnectionType, MaxItems } from "../common/pagination";
import { MAX_CONTACT_CHANGES_PER_WRITE } from "../history/history.types";
import { ContactSlot } from "../contacts/contact.enums";
import { IsDisplayName } from "../common/names";
import { worded } from "../errors";
import { message } from "../i18n";

/** The description of every payload's `changes`. */
export const WRITTEN_CHANGES_DESCRIPTION =
  "The history rows this mutation wrote, oldest first (empty when it changed no contact slot): append them to a shown contactHistory without reading it again. " +
  "They all carry the account's new contactsVersion.";

@ObjectType({ description: "A page of an account's setting changes, newest first." })
export class AccountSettingChangeConnection extends ConnectionType(AccountSettingChange, "AccountSettingChange", "settingChanges") {}

@ObjectType({ description: "A page of the caller's accounts." })
export class AccountConnection extends ConnectionType(Account, "Account", "accounts") {}

@ObjectType({ description: "Someone who receives a category of notification, with every slot that makes them receive it." })
export class NotificationRecipient {
  @Field(() => String, { description: "Where the notification is sent." })
  email: string;

  @Field(() => User, { nullable: true, description: "The member behind the address; null for an external security contact." })
  user: User | null;

  @Field(() => [ContactSlot], { description: "The slots that make this address a recipient, in slot order." })
  reasons: ContactSlot[];
}

@InputType({ description: "A new account. Its creator becomes its first admin and its primary contact." })
export class CreateAccountInput {
  @Field(() => String, { description: "The account's display name, 1 to 200 characters, without line breaks or control characters." })
  @IsDisplayName()
  name: string;

  @Field(() => LocaleValue, {
    nullable: true,
    description: "The language of the account's mail; the server's DEFAULT_LOCALE when not given.",
  })
  locale?: Locale | null;
}

@InputType({ description: "Changes to an account's settings; a field left out keeps its value. Needs ADMIN." })
export class UpdateAccountInput {
  @Field(() => ID, { description: "The account's global id." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => LocaleValue, {
    nullable: true,
    description: "The language the account's mail is written in. A change is kept in Account.settingChanges.",
  })
  locale?: Locale | null;
}

export const UpdateAccountPayload = AccountPayload(
  "UpdateAccountPayload",
  "The result of updateAccount: the account with its settings as they are now.",
);

/** Every `expectedVersion` input field: a `contactsVersion` is never negative. */
export const IsContactsVersion = () =>
  Min(
    0,
    worded(() => message("BAD_USER_INPUT.negativeVersion")),
  );

// Registered so inputs that extend it inherit `expectedVersion`; never referenced itself, so never emitted.
@InputType("VersionedInputFields")
export class VersionedInput {
  @Field(() => Int, {
    nullable: true,
    description: "The account's `contactsVersion` as you last saw it. When given and stale, the change is refused with VERSION_CONFLICT.",
  })
  @IsContactsVersion()
  expectedVersion?: number | null;
}

export const CreateAccountPayload = AccountPayload("CreateAccountPayload", "The result of createAccount: the new account.");

/** What a mutation that changes one account answers: the account as it is after the change, and the history rows it wrote. */
export interface AccountPayloadShape {
  account: Account;
  changes: PromiseLike<ContactChange[]>;
}

/**
 * A `<Mutation>Payload` type carrying the changed account. Every mutation answers with a payload of
 * its own rather than a bare object, so a result can gain fields later without breaking anyone.
 */
export function AccountPayload(name: string, description: string) {
  @ObjectType(name, { description })
  class AccountPayloadClass implements AccountPayloadShape {
    @Field(() => Account, { description: "The account after the change, with everything a settings screen shows." })
    account: Account;

    @Field(() => [ContactChange], { description: WRITTEN_CHANGES_DESCRIPTION })
    @MaxItems(MAX_CONTACT_CHANGES_PER_WRITE)
    changes: PromiseLike<ContactChange[]>;
  }
  return AccountPayloadClass;
}
