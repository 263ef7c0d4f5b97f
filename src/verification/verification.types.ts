import { Field, ID, InputType, ObjectType } from "type-graphql";
import { IsGlobalId } from "../common/global-id";
import { AccountPayload } from "../accounts/account.types";
import { ContactRoleKind } from "../contacts/contact.enums";
import { ContactVerification } from "./contact-verification.entity";

@InputType({ description: "Sends a new verification message to the outside address that holds a role." })
export class ResendContactVerificationInput {
  @Field(() => ID, { description: "The account." })
  @IsGlobalId("Account")
  accountId: string;

  @Field(() => ContactRoleKind, { nullable: true, defaultValue: ContactRoleKind.SECURITY, description: "The role; SECURITY unless given." })
  role?: ContactRoleKind | null;
}

export const ResendContactVerificationPayload = AccountPayload(
  "ResendContactVerificationPayload",
  "The result of resendContactVerification.",
);

@InputType({ description: "Confirms an outside contact address with the token sent to it." })
export class VerifyContactEmailInput {
  @Field(() => String, { description: "The token from the verification message." })
  token: string;
}

@ObjectType({ description: "The result of verifyContactEmail." })
export class VerifyContactEmailPayload {
  @Field(() => ContactVerification, { description: "The verification, now VERIFIED." })
  verification: ContactVerification;
}

@InputType({ description: "Says, with the token sent to an outside address, that the address is not its owner's to confirm." })
export class DeclineContactEmailInput {
  @Field(() => String, { description: "The token from the verification message." })
  token: string;
}

@ObjectType({ description: "The result of declineContactEmail." })
export class DeclineContactEmailPayload {
  @Field(() => ContactVerification, { description: "The verification, now DECLINED." })
  verification: ContactVerification;
}
