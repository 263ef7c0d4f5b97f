import Negotiator from "negotiator";
import { en, type MessageKey } from "./en";
import { pl } from "./pl";
import type { Catalogue, PluralForms, Template } from "./catalogue";

export type { MessageKey } from "./en";
export type { Catalogue, PluralForms, Template } from "./catalogue";

/** The languages the service speaks. */
export const LOCALES = ["en", "pl"] as const;
export type Locale = (typeof LOCALES)[number];

/** Errors are answered in this language when the request names none the service speaks. */
export const FALLBACK_LOCALE: Locale = "en";

export const CATALOGUES: Record<Locale, Catalogue> = { en, pl };

/** The same text in every language, for a parameter that is itself translated (a role's title, say). */
export type LocalisedText = Readonly<Record<Locale, string>>;

export type ParamValue = string | number | LocalisedText;
export type Params = Readonly<Record<string, ParamValue>>;

/** A message not yet put in words: rendered in the reader's language when it is sent. */
export interface Message {
  readonly key: MessageKey;
  readonly params: Params;
}

export const message = (key: MessageKey, params: Params = {}): Message => ({ key, params });

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

const pluralRules: Record<Locale, Intl.PluralRules> = { en: new Intl.PluralRules("en"), pl: new Intl.PluralRules("pl") };

function render(value: ParamValue | undefined, locale: Locale): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "object" ? value[locale] : String(value);
}

function pick(template: Template, locale: Locale, params: Params): string {
  if (typeof template === "string") return template;
  const count = Number(params[(template as PluralForms).plural]);
  const category = Number.isFinite(count) ? pluralRules[locale].select(count) : "other";
  return template[category] ?? template.other;
}

/**
 * The message `key` in `locale`, with `{name}` replaced by `params.name`. One pass over the template:
 * a parameter's value (an account's name, say) is inserted as it is and never read as a template.
 */
export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  const template = CATALOGUES[locale][key] ?? CATALOGUES[FALLBACK_LOCALE][key];
  return pick(template, locale, params).replace(/\{([A-Za-z]+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? (render(params[name], locale) ?? whole) : whole,
  );
}

export const renderMessage = (locale: Locale, { key, params }: Message): string => translate(locale, key, params);

/** The language mail to a contact goes in: the language of their BCP 47 tag when the service speaks it (`pl-PL` → pl), `fallback` otherwise. */
export function localeOfTag(tag: string | null | undefined, fallback: Locale): Locale {
  if (!tag) return fallback;
  try {
    const language = new Intl.Locale(tag).language;
    return isLocale(language) ? language : fallback;
  } catch {
    return fallback;
  }
}

/** Longer Accept-Language headers are not read: no browser sends one, and parsing it costs time for nothing. */
const MAX_ACCEPT_LANGUAGE_LENGTH = 512;

/** The language an `Accept-Language` header prefers among those the service speaks (q-values honoured); `fallback` otherwise. */
export function negotiateLocale(acceptLanguage: string | string[] | undefined, fallback: Locale = FALLBACK_LOCALE): Locale {
  const header = Array.isArray(acceptLanguage) ? acceptLanguage.join(",") : acceptLanguage;
  if (!header || header.length > MAX_ACCEPT_LANGUAGE_LENGTH) return fallback;
  const [preferred] = new Negotiator({ headers: { "accept-language": header } }).languages([...LOCALES]);
  return isLocale(preferred) ? preferred : fallback;
}
