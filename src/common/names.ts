import { ValidateBy, type ValidationOptions } from "class-validator";
import { message } from "../i18n";
import { worded } from "../errors";

/*
 * Names people read: account names, the name an admin gives a member, the name in a sign-in token.
 * They end up in mail subjects, screens and logs, so a name holds no line breaks, no control
 * characters (Unicode Cc), no lone surrogates and no invisible format characters (Cf): the bidi
 * overrides, isolates and marks that make text display in another order than it is stored, zero-width
 * spaces, tags (outside a subdivision flag), interlinear annotations; nor noncharacters. A name needs
 * at least one visible character, is stored trimmed in Unicode NFC, and is at most 200 characters.
 */

export const NAME_MAX_LENGTH = 200;

/**
 * Control characters, lone surrogates, line and paragraph separators, and every invisible format
 * character (Unicode Cf: direction marks U+200E/U+200F/U+061C, zero-width space, tags, interlinear
 * annotations U+FFF9–U+FFFB, …) except the joiners that emoji and some scripts need (U+200C, U+200D);
 * and the noncharacters (U+FDD0–U+FDEF and the last two code points of every plane).
 */
const FORBIDDEN =
  /[\p{Cc}\p{Cs}\u2028\u2029\uFDD0-\uFDEF\uFFFE\uFFFF\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{EFFFE}\u{EFFFF}\u{10FFFE}\u{10FFFF}]|(?![\u200c\u200d])\p{Cf}/u;
const FORBIDDEN_ALL = new RegExp(FORBIDDEN.source, "gu");
/** A subdivision flag (🏴 then tag letters then CANCEL TAG, e.g. Scotland's) is the one use of tag characters a name may have. */
const FLAG_TAG_SEQUENCE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/gu;

/** Whether `value` holds a forbidden character outside a subdivision flag. */
function hasForbidden(value: string): boolean {
  return FORBIDDEN.test(value.replace(FLAG_TAG_SEQUENCE, "\u{1F3F4}"));
}
/** Letters, marks, digits, punctuation and symbols, but not the fillers that render as blank. */
const VISIBLE = /(?![\u115f\u1160\u2800\u3164\uffa0])[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/** Why a name is refused, as the message key that says so (parameters: `field`, `max`). */
export type NameProblem =
  | "BAD_USER_INPUT.nameNotText"
  | "BAD_USER_INPUT.nameHasControls"
  | "BAD_USER_INPUT.nameEmpty"
  | "BAD_USER_INPUT.nameTooLong";

export type NameCheck = { ok: true; name: string } | { ok: false; problem: NameProblem };

/** Checks a name typed into an input and gives its stored form, or the reason it is refused. */
export function checkName(value: unknown, max = NAME_MAX_LENGTH): NameCheck {
  if (typeof value !== "string") return { ok: false, problem: "BAD_USER_INPUT.nameNotText" };
  if (hasForbidden(value)) return { ok: false, problem: "BAD_USER_INPUT.nameHasControls" };
  const name = value.trim().normalize("NFC");
  if (!VISIBLE.test(name)) return { ok: false, problem: "BAD_USER_INPUT.nameEmpty" };
  if ([...name].length > max) return { ok: false, problem: "BAD_USER_INPUT.nameTooLong" };
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

/** The class-validator decorator for every input field that takes a name people read (at most `max` characters). */
export function IsDisplayName(validationOptions?: ValidationOptions, max = NAME_MAX_LENGTH): PropertyDecorator {
  return ValidateBy(
    {
      name: "isDisplayName",
      validator: {
        validate: (value: unknown) => checkName(value, max).ok,
        defaultMessage: () => "The name is not valid",
      },
    },
    {
      ...validationOptions,
      ...worded((value, property) => {
        const checked = checkName(value, max);
        return checked.ok
          ? message("BAD_USER_INPUT.invalidField", { field: property })
          : message(checked.problem, { field: property, max });
      }),
    },
  );
}
