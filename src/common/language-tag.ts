import { ValidateBy, type ValidationOptions } from "class-validator";
import { message } from "../i18n";
import { worded } from "../errors";

/** Longer than any tag a person has (BCP 47 allows more, but nothing stores it). */
export const LANGUAGE_TAG_MAX_LENGTH = 35;

/** A BCP 47 language tag in its canonical form (`en-gb` → `en-GB`), or null when `value` is not one. */
export function normaliseLanguageTag(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > LANGUAGE_TAG_MAX_LENGTH) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    return canonical && canonical.length <= LANGUAGE_TAG_MAX_LENGTH ? canonical : null;
  } catch {
    return null;
  }
}

/** The class-validator decorator for every input field that takes a language tag. */
export function IsLanguageTag(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: "isLanguageTag",
      validator: {
        validate: (value: unknown) => normaliseLanguageTag(value) !== null,
        defaultMessage: () => "That is not a language tag",
      },
    },
    { ...validationOptions, ...worded(() => message("BAD_USER_INPUT.languageTagInvalid")) },
  );
}
