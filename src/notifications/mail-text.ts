/*
 * Text that someone else chose (an account's name, above all) goes into mail we send from our own
 * address, often to people who have never heard of the account. These helpers keep it looking like
 * what it is: a name on a line of its own, never extra lines, headers or a link to click.
 */

/** Control and format characters (line breaks, bidi overrides, zero-width marks), line and paragraph separators. */
const INVISIBLE_OR_BREAKING = /[\p{C}\p{Zl}\p{Zp}]+/gu;

/** Every dot a mail client or browser reads as one, between two letters or digits. */
const DOMAIN_DOT = /(?<=[\p{L}\p{N}])[.\u3002\uFF0E\uFF61](?=[\p{L}\p{N}])/gu;

/** One line of plain text: control and format characters become spaces, runs of white space one space. */
export function oneLine(text: string): string {
  return text.replace(INVISIBLE_OR_BREAKING, " ").replace(/\s+/g, " ").trim();
}

/** At most `max` characters (whole code points), with an ellipsis when something was cut. */
function capped(text: string, max: number): string {
  const characters = [...text];
  return characters.length <= max
    ? text
    : `${characters
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`;
}

/**
 * A name as mail shows it: one line, compatibility characters folded (so full-width letters cannot
 * spell a hidden address), and anything a mail client would turn into a link broken up the way
 * security notices do (`evil[.]example`, `https[:]//`), in double quotes with inner quotes escaped.
 */
export function quotedName(name: string, max = 200): string {
  const plain = oneLine(name.normalize("NFKC")).replace(/:\/\//g, "[:]//").replace(DOMAIN_DOT, "[.]");
  return `"${capped(plain, max).replace(/["\\]/g, "\\$&")}"`;
}

/** How much of an account's name a subject line carries. */
export const SUBJECT_NAME_LENGTH = 40;

/** The name as a subject line carries it: quoted and short. */
export function nameForSubject(name: string): string {
  return quotedName(name, SUBJECT_NAME_LENGTH);
}

/** A header value that cannot start another header: every control character, CR and LF among them, becomes a space. */
export function headerValue(value: string): string {
  return oneLine(value);
}
