import { Field, ID, InputType } from "type-graphql";
import { IsUUID } from "class-validator";
import { ContactRoleKind } from "../contacts/contact.enums";

@InputType({ description: "Sends a new verification message to the outside address that holds a role." })
export class ResendContactVerificationInput {
  @Field(() => ID, { description: "The account." })
  @IsUUID("all", { message: "accountId is not a valid id" })
  accountId: string;

  @Field(() => ContactRoleKind, { nullable: true, defaultValue: ContactRoleKind.SECURITY, description: "The role; SECURITY unless given." })
  role?: ContactRoleKind | null;
}
