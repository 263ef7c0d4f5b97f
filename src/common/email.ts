import { domainToASCII, domainToUnicode } from "node:url";
import isEmailSyntax from "validator/lib/isEmail";
import normalizeEmail from "validator/lib/normalizeEmail";
import { ValidateBy, type ValidationOptions } from "class-validator";
import { message } from "../i18n";
import { worded } from "../errors";

/*
 * The one definition of an email address the service accepts, for every door an address comes in
 * by: the email claim of a sign-in token, every GraphQL input (through `@IsEmailAddress()`) and the
 * services. An accepted address is stored in one normalised form, so one mailbox is one user.
 *
 * - The part before the @ is an RFC 5321 dot-atom in ASCII: no quoted strings, no empty, leading or
 *   trailing dots, no spaces or control characters. Non-ASCII there needs SMTPUTF8 from every server
 *   on the way to the mailbox, so internationalised local parts are refused with their own message.
 * - The domain is a host name with a top-level domain (no IP literals, no underscores). An
 *   internationalised domain is accepted and stored in its ASCII (punycode) form, the form mail is
 *   routed by, so `anna@bücher.example` and `anna@xn--bcher-kva.example` are one user. An `xn--`
 *   label must be punycode that decodes and encodes back to itself.
 * - Spaces around the address are dropped and the whole address is lower-cased.
 * - At most 320 characters as given and as stored: 64 before the @, 63 in each label of the domain.
 */

export const EMAIL_MAX_LENGTH = 320;
const LOCAL_PART_MAX_LENGTH = 64;
const DOMAIN_LABEL_MAX_LENGTH = 63;

const SYNTAX: Parameters<typeof isEmailSyntax>[1] = {
  allow_display_name: false,
  require_display_name: false,
  allow_utf8_local_part: false,
  require_tld: true,
  allow_ip_domain: false,
  allow_underscores: false,
  domain_specific_validation: false,
  // Quoted local parts ("victim"@example.com) name the same mailbox as the bare ones.
  blacklisted_chars: '"',
  // The lengths are checked below, against this module's limits.
  ignore_max_length: true,
  host_blacklist: [],
  host_whitelist: [],
};

/** Spaces, control, format and separator characters, and lone surrogates: never part of an address. */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included, is the point.
const NON_ASCII = /[^\x00-\x7f]/;

/** Why an address is refused, as the message key that says so (parameter: `max`). */
export type EmailProblem = "BAD_USER_INPUT.emailInvalid" | "BAD_USER_INPUT.emailTooLong" | "BAD_USER_INPUT.emailNonAscii";

export type EmailCheck = { ok: true; email: string } | { ok: false; problem: EmailProblem };

/** `value` without the spaces (U+0020 only) around it; a loop, since `/ +$/` backtracks quadratically. */
function withoutSurroundingSpaces(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && value[start] === " ") start++;
  while (end > start && value[end - 1] === " ") end--;
  return value.slice(start, end);
}

/** An `xn--` label must be punycode that decodes, and encodes back to itself (no mail system would route it otherwise). */
function isValidPunycode(domain: string): boolean {
  if (!/(^|\.)xn--/.test(domain)) return true;
  const unicode = domainToUnicode(domain);
  return unicode !== "" && domainToASCII(unicode) === domain;
}

/** Checks an address and gives its stored form, or the reason it is refused. */
export function checkEmail(value: unknown): EmailCheck {
  const invalid = { ok: false, problem: "BAD_USER_INPUT.emailInvalid" } as const;
  if (typeof value !== "string") return invalid;
  if (value.length > EMAIL_MAX_LENGTH) return { ok: false, problem: "BAD_USER_INPUT.emailTooLong" };
  const address = withoutSurroundingSpaces(value);
  if (INVISIBLE.test(address)) return invalid;
  const at = address.lastIndexOf("@");
  if (at < 1) return invalid;
  const localPart = address.slice(0, at);
  let domain = address.slice(at + 1);
  if (NON_ASCII.test(localPart)) return { ok: false, problem: "BAD_USER_INPUT.emailNonAscii" };
  if (NON_ASCII.test(domain)) {
    // WHATWG's domainToASCII also percent-decodes, which no address may rely on.
    if (domain.includes("%")) return invalid;
    domain = domainToASCII(domain);
    if (!domain) return invalid;
  }
  const email = `${localPart}@${domain}`.toLowerCase();
  if (email.length > EMAIL_MAX_LENGTH) return { ok: false, problem: "BAD_USER_INPUT.emailTooLong" };
  if (!isValidPunycode(email.slice(email.lastIndexOf("@") + 1))) return invalid;
  if (localPart.length > LOCAL_PART_MAX_LENGTH || domain.split(".").some((label) => label.length > DOMAIN_LABEL_MAX_LENGTH)) return invalid;
  return isEmailSyntax(email, SYNTAX) ? { ok: true, email } : invalid;
}

/** The stored form of an address (see above), or null when it is not one the service accepts. */
export function normaliseEmail(value: unknown): string | null {
  const checked = checkEmail(value);
  return checked.ok ? checked.email : null;
}

export function isEmail(value: unknown): boolean {
  return checkEmail(value).ok;
}

/** The class-validator decorator for every input field that takes an email address. */
export function IsEmailAddress(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: "isEmailAddress",
      validator: {
        validate: (value: unknown) => isEmail(value),
        defaultMessage: () => "That is not a valid email address",
      },
    },
    {
      ...validationOptions,
      ...worded((value) => {
        const checked = checkEmail(value);
        return message(checked.ok ? "BAD_USER_INPUT.emailInvalid" : checked.problem, { max: EMAIL_MAX_LENGTH });
      }),
    },
  );
}

/**
 * The mailbox a stored address reaches, for counting mail per recipient: a `+tag` is dropped for every
 * domain, and the providers' own rules applied (Gmail ignores dots and answers at googlemail.com too;
 * Yahoo's `-tag`). Two addresses with one mailbox here may still be two mailboxes (a domain without
 * sub-addressing): a cap that counts them together errs on the side of sending less.
 */
export function mailboxOf(email: string): string {
  const at = email.lastIndexOf("@");
  const untagged = at > 0 ? `${email.slice(0, at).split("+")[0] || email.slice(0, at)}${email.slice(at)}` : email;
  return normalizeEmail(untagged, { all_lowercase: true }) || untagged;
}
