import { ValidateBy, type ValidationArguments, type ValidationOptions } from "class-validator";

/*
 * Names people read: account names, the name an admin gives a member, the name in a sign-in token.
 * They end up in mail subjects, screens and logs, so a name holds no line breaks, no control
 * characters (Unicode Cc), no lone surrogates and none of the bidi overrides and isolates that make
 * text display in another order than it is stored (U+202A–U+202E, U+2066–U+2069). A name needs
 * at least one visible character, is stored trimmed in Unicode NFC, and is at most 200 characters.
 */

export const NAME_MAX_LENGTH = 200;

const FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, "gu");
/** Letters, marks, digits, punctuation and symbols, but not the fillers that render as blank. */
const VISIBLE = /(?![\u115f\u1160\u2800\u3164\uffa0])[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

export type NameCheck = { ok: true; name: string } | { ok: false; problem: string };

/** Checks a name typed into an input and gives its stored form, or the reason it is refused (finishing "name …"). */
export function checkName(value: unknown): NameCheck {
  if (typeof value !== "string") return { ok: false, problem: "must be a string" };
  if (FORBIDDEN.test(value)) return { ok: false, problem: "must not contain line breaks, control characters or text direction controls" };
  const name = value.trim().normalize("NFC");
  if (!VISIBLE.test(name)) return { ok: false, problem: "must not be empty" };
  if ([...name].length > NAME_MAX_LENGTH) return { ok: false, problem: `must be at most ${NAME_MAX_LENGTH} characters long` };
  return { ok: true, name };
}

/**
 * A name from somewhere the service cannot refuse (a sign-in token's `name` claim), made safe to
 * store: control characters and line breaks become spaces, direction controls and lone surrogates
 * go, spaces are collapsed, and it is cut to 200 characters. Null when nothing visible is left.
 */
export function cleanName(value: unknown): string | null {
  if (typeof value !== "string") return null;
  const spaced = value.replace(FORBIDDEN_ALL, (character) => (/[\p{Cc}\u2028\u2029]/u.test(character) ? " " : ""));
  const name = [...spaced.replace(/\s+/gu, " ").trim().normalize("NFC")].slice(0, NAME_MAX_LENGTH).join("").trim();
  return VISIBLE.test(name) ? name : null;
}

/** The class-validator decorator for every input field that takes a name people read. */
export function IsDisplayName(validationOptions?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: "isDisplayName",
      validator: {
        validate: (value: unknown) => checkName(value).ok,
        defaultMessage: (args?: ValidationArguments) => {
          const checked = checkName(args?.value);
          return `${args?.property ?? "name"} ${checked.ok ? "is not valid" : checked.problem}`;
        },
      },
    },
    validationOptions,
  );
}
