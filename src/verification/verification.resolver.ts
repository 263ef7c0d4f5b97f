import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from "type-graphql";
import { ContactRole } from "../contacts/contact-role.types";
import { ContactRoleKind } from "../contacts/contact.enums";
import { ContactVerification, VerificationState } from "./contact-verification.entity";
import {
  DeclineContactEmailInput,
  DeclineContactEmailPayload,
  ResendContactVerificationInput,
  ResendContactVerificationPayload,
  VerifyContactEmailInput,
  VerifyContactEmailPayload,
} from "./verification.types";
import { globalId } from "../common/global-id";
import { ASK_AGAIN_AFTER_DECLINE_DAYS, declineContactEmail, resendVerification, verifyContactEmail } from "./verification.service";
import type { Context } from "../context";

@Resolver(() => ContactRole)
export class VerificationResolver {
  @Authorized()
  @FieldResolver(() => ContactVerification, {
    nullable: true,
    description: "For an outside address: whether its owner has confirmed it. Null for a member, whose address is known from signing in.",
  })
  async verification(@Root() contact: ContactRole, @Ctx() context: Context): Promise<ContactVerification | null> {
    if (contact.userId !== null) return null;
    const verifications = await context.loaders.verifications.load(contact.accountId);
    const found = verifications.find((row) => row.role === contact.role && row.email === contact.email);
    // An outside address set before verification existed has no row: it is as unconfirmed as a new one.
    return (
      found ??
      Object.assign(new ContactVerification(), {
        accountId: contact.accountId,
        role: contact.role,
        email: contact.email,
        state: VerificationState.PENDING,
        tokenHash: null,
        tokenExpiresAt: contact.updatedAt,
        requestedAt: contact.updatedAt,
        verifiedAt: null,
        declinedAt: null,
      })
    );
  }

  @Mutation(() => VerifyContactEmailPayload, {
    nullable: true,
    description:
      "Confirms an outside contact address with the token emailed to it. No sign-in needed. " +
      "The token works once and expires after 7 days; an unknown, used or expired token gets BAD_USER_INPUT.",
  })
  async verifyContactEmail(
    @Arg("input", () => VerifyContactEmailInput) input: VerifyContactEmailInput,
    @Ctx() context: Context,
  ): Promise<VerifyContactEmailPayload> {
    return { verification: await verifyContactEmail(context.writer, input.token.trim()) };
  }

  @Mutation(() => DeclineContactEmailPayload, {
    nullable: true,
    description:
      'Says, with the token emailed to an outside address, that it is not its owner\'s ("This is not me"): the verification becomes DECLINED, ' +
      "the account's history records it, and nothing more is sent to the address for the account until an admin sets the contact again. " +
      "No sign-in needed. An unknown, used or expired token gets BAD_USER_INPUT.",
  })
  async declineContactEmail(
    @Arg("input", () => DeclineContactEmailInput) input: DeclineContactEmailInput,
    @Ctx() context: Context,
  ): Promise<DeclineContactEmailPayload> {
    return { verification: await declineContactEmail(context.writer, input.token.trim()) };
  }

  @Authorized()
  @Mutation(() => ResendContactVerificationPayload, {
    nullable: true,
    description:
      "Sends a new verification token to the outside address holding a role (SECURITY by default); it becomes PENDING again. Needs ADMIN. " +
      `After its owner DECLINED it ("This is not me"), this asks them once more and writes a SET row to the history; an address that declined is asked again at most once every ${ASK_AGAIN_AFTER_DECLINE_DAYS} days ` +
      "(however it is asked: this mutation, or setting the address again), else RATE_LIMITED with extensions.retryAfterSeconds. " +
      "Refused with RATE_LIMITED, changing nothing, when the account or the address has had as many messages as the caps allow (MAIL_PER_ACCOUNT_PER_HOUR, MAIL_VERIFICATIONS_PER_ADDRESS_PER_DAY).",
  })
  resendContactVerification(
    @Arg("input", () => ResendContactVerificationInput) input: ResendContactVerificationInput,
    @Ctx() context: Context,
  ) {
    return context.changeAccount(input.accountId, (change) => resendVerification(change, input.role ?? ContactRoleKind.SECURITY));
  }
}

@Resolver(() => ContactVerification)
export class ContactVerificationResolver {
  @FieldResolver(() => ID, { description: "The verification's global id (one per account and role)." })
  id(@Root() verification: ContactVerification): string {
    return globalId("ContactVerification", verification.accountId, verification.role);
  }
}
