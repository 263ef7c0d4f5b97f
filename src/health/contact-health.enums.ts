import { registerEnumType } from "type-graphql";

export enum ContactIssueKind {
  UNVERIFIED_EXTERNAL = "UNVERIFIED_EXTERNAL",
  DECLINED_EXTERNAL = "DECLINED_EXTERNAL",
  VERIFICATION_STALE = "VERIFICATION_STALE",
  DELIVERY_FAILED = "DELIVERY_FAILED",
  NEVER_SIGNED_IN = "NEVER_SIGNED_IN",
  DOMAIN_NOT_ALLOWED = "DOMAIN_NOT_ALLOWED",
}

registerEnumType(ContactIssueKind, {
  name: "ContactIssueKind",
  description: "Something wrong with a contact that someone should look at.",
  valuesConfig: {
    UNVERIFIED_EXTERNAL: { description: "An outside address that its owner has not confirmed yet." },
    DECLINED_EXTERNAL: {
      description:
        "An outside address whose owner answered that it is not theirs: it is sent nothing more for this account. Set another contact, or ask it once more with resendContactVerification (at most once every 30 days).",
    },
    VERIFICATION_STALE: { description: "An outside address confirmed more than 365 days ago: ask its owner to confirm it again." },
    DELIVERY_FAILED: { description: "The last message to this contact could not be delivered." },
    NEVER_SIGNED_IN: {
      description:
        "A member an admin added by email who has never signed in: until they do, their address is unconfirmed and they are sent no optional mail (test messages are SKIPPED).",
    },
    DOMAIN_NOT_ALLOWED: {
      description:
        "An outside address set before the account's allowedContactDomains left its domain out: it keeps the role until changed. Give the role to an address at an allowed domain or to a member, or add the domain.",
    },
  },
});

/** After this long a verified outside address is reported as VERIFICATION_STALE. */
export const VERIFICATION_STALE_AFTER_MS = 365 * 24 * 60 * 60 * 1000;
