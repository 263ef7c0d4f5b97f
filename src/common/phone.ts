import { ValidateBy, type ValidationOptions } from "class-validator";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { message } from "../i18n";
import { worded } from "../errors";

/** Longer input is not a phone number however it is written; it is refused before it is parsed. */
const PHONE_INPUT_MAX_LENGTH = 40;

/**
 * A phone number in E.164 (`+48601234567`), the one form stored, or null when `value` is not a valid
 * number in international form. There is no default country: a number without its `+` country code
 * would be read as a guess.
 */
export function normalisePhone(value: unknown): string | null {
  if (typeof value !== "string" || value.length > PHONE_INPUT_MAX_LENGTH) return null;
  const written = value.trim();
  // Only the number itself: the parser would otherwise pull a number out of surrounding text and drop
  // an extension (`x12`, `;ext=12`) without a word, storing something other than what was typed.
  if (!PHONE_INPUT.test(written)) return null;
  const parsed = parsePhoneNumberFromString(written);
  return parsed?.isValid() ? parsed.number : null;
}

/** How a number in international form may be written: `+`, then digits grouped by spaces, hyphens, dots or parentheses. */
const PHONE_INPUT = /^\+[0-9][0-9 ().-]*[0-9]$/;

/** The class-validator decorator for every input field that takes a phone number. */
export function IsPhoneNumber(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: "isPhoneNumber",
      validator: {
        validate: (value: unknown) => normalisePhone(value) !== null,
        defaultMessage: () => "That is not a valid phone number",
      },
    },
    { ...validationOptions, ...worded(() => message("BAD_USER_INPUT.phoneInvalid")) },
  );
}
