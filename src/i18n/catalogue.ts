/** The forms of a message that depends on a number, chosen by Intl.PluralRules from the parameter `plural` names. */
export interface PluralForms {
  readonly plural: string;
  readonly zero?: string;
  readonly one?: string;
  readonly two?: string;
  readonly few?: string;
  readonly many?: string;
  readonly other: string;
}

/** A message: text with `{name}` placeholders, or its plural forms. */
export type Template = string | PluralForms;

export type Catalogue = Readonly<Record<string, Template>>;
