/*
 * Every text of the confirmation page, in each language it is shown in. Both languages have the same
 * keys; the role names are the product's (CONTACT_ROLES' titles). Values are plain text: the page
 * escapes them as it renders.
 */

import { negotiateLocale } from "../i18n";
import { ASK_AGAIN_AFTER_DECLINE_DAYS } from "./verification.service";

export const PAGE_LOCALES = ["en", "pl"] as const;
export type PageLocale = (typeof PAGE_LOCALES)[number];

export interface ConfirmationPageText {
  /** The language's own name, for the switch between languages. */
  languageName: string;
  confirmTitle: string;
  confirmIntro: (role: string) => string;
  account: string;
  role: string;
  askedBy: string;
  anAdmin: string;
  yourAddress: string;
  expires: string;
  nothingChangedYet: string;
  confirm: string;
  decline: string;
  declineHint: string;
  confirmedTitle: string;
  confirmedBody: (email: string, role: string) => string;
  declinedTitle: string;
  declinedBody: (email: string) => string;
  alreadyConfirmedTitle: string;
  alreadyConfirmedBody: string;
  alreadyDeclinedTitle: string;
  alreadyDeclinedBody: string;
  expiredTitle: string;
  expiredBody: (days: number) => string;
  unknownTitle: string;
  unknownBody: string;
  crossSiteTitle: string;
  crossSiteBody: string;
  rateLimitedTitle: string;
  rateLimitedBody: (seconds: number) => string;
  errorTitle: string;
  errorBody: string;
  closePage: string;
}

export const CONFIRMATION_PAGE_TEXT: Readonly<Record<PageLocale, ConfirmationPageText>> = {
  en: {
    languageName: "English",
    confirmTitle: "Is this your address?",
    confirmIntro: (role) => `An admin of the account below named your address as its ${role}. Please tell us whether that is right.`,
    account: "Account",
    role: "Role",
    askedBy: "Asked by",
    anAdmin: "an admin of the account",
    yourAddress: "Your address",
    expires: "This link works until",
    nothingChangedYet: "Opening this page has changed nothing. Only the buttons below do.",
    confirm: "Confirm",
    decline: "This is not me",
    declineHint: `If you do not know this account, press “This is not me”: nothing more will be sent to you for it, unless an admin asks you once more (at most once every ${ASK_AGAIN_AFTER_DECLINE_DAYS} days).`,
    confirmedTitle: "Thank you: your address is confirmed",
    confirmedBody: (email, role) => `${email} is now confirmed as the ${role} of this account. Its admins can see that you confirmed it.`,
    declinedTitle: "Thank you for telling us",
    declinedBody: (email) =>
      `Nothing more will be sent to ${email} for this account. Its admins can see that you declined, and may ask you once more: at most once every ${ASK_AGAIN_AFTER_DECLINE_DAYS} days.`,
    alreadyConfirmedTitle: "This address is already confirmed",
    alreadyConfirmedBody: "This link has been used to confirm the address. Nothing has changed.",
    alreadyDeclinedTitle: "You have already answered this request",
    alreadyDeclinedBody:
      "This link has been used to say that the address is not yours. Nothing has changed, and nothing more is sent to it for this account.",
    expiredTitle: "This link has expired",
    expiredBody: (days) =>
      `Links work for ${days} days and this one has run out. Nothing has changed. If you are expecting this request, ask an admin of the account to send a new message.`,
    unknownTitle: "This link is not valid",
    unknownBody:
      "It may be incomplete, or a newer message may have replaced it: use the link in the most recent message. If you do not know the account, you need do nothing.",
    crossSiteTitle: "This answer came from another site",
    crossSiteBody: "Nothing has changed. To answer, open the link in the message you received and press a button there.",
    rateLimitedTitle: "Too many attempts",
    rateLimitedBody: (seconds) => `Nothing has changed. Please try again in ${seconds} seconds.`,
    errorTitle: "Something went wrong",
    errorBody: "Something went wrong on our side, and your answer may not have been saved. Please try again in a few minutes.",
    closePage: "You can close this page.",
  },
  pl: {
    languageName: "Polski",
    confirmTitle: "Czy to Twój adres?",
    confirmIntro: (role) => `Administrator poniższego konta wskazał Twój adres jako: ${role}. Potwierdź, czy to prawda.`,
    account: "Konto",
    role: "Rola",
    askedBy: "Prośba od",
    anAdmin: "administratora konta",
    yourAddress: "Twój adres",
    expires: "Link jest ważny do",
    nothingChangedYet: "Otwarcie tej strony niczego nie zmieniło. Zmienić coś mogą tylko przyciski poniżej.",
    confirm: "Potwierdź",
    decline: "To nie ja",
    declineHint: `Jeśli nie znasz tego konta, naciśnij „To nie ja”: nie wyślemy Ci już żadnych wiadomości w jego sprawie, chyba że administrator zapyta Cię jeszcze raz (najwyżej raz na ${ASK_AGAIN_AFTER_DECLINE_DAYS} dni).`,
    confirmedTitle: "Dziękujemy: Twój adres został potwierdzony",
    confirmedBody: (email, role) =>
      `Adres ${email} jest teraz potwierdzony w roli: ${role}. Administratorzy konta widzą, że go potwierdzono.`,
    declinedTitle: "Dziękujemy za informację",
    declinedBody: (email) =>
      `Na adres ${email} nie wyślemy już nic w sprawie tego konta. Administratorzy konta widzą, że odmówiono, i mogą zapytać Cię jeszcze raz: najwyżej raz na ${ASK_AGAIN_AFTER_DECLINE_DAYS} dni.`,
    alreadyConfirmedTitle: "Ten adres jest już potwierdzony",
    alreadyConfirmedBody: "Tego linku użyto już do potwierdzenia adresu. Nic się nie zmieniło.",
    alreadyDeclinedTitle: "Na tę prośbę już odpowiedziano",
    alreadyDeclinedBody:
      "Tego linku użyto już, aby zgłosić, że to nie Twój adres. Nic się nie zmieniło i nie wysyłamy na niego nic więcej w sprawie tego konta.",
    expiredTitle: "Ten link wygasł",
    expiredBody: (days) =>
      `Linki są ważne przez ${days} dni, a ten już stracił ważność. Nic się nie zmieniło. Jeśli spodziewasz się tej prośby, poproś administratora konta o wysłanie nowej wiadomości.`,
    unknownTitle: "Ten link jest nieprawidłowy",
    unknownBody:
      "Może być niepełny albo zastąpiła go nowsza wiadomość: użyj linku z najnowszej wiadomości. Jeśli nie znasz tego konta, nie musisz nic robić.",
    crossSiteTitle: "Ta odpowiedź przyszła z innej strony",
    crossSiteBody: "Nic się nie zmieniło. Aby odpowiedzieć, otwórz link z otrzymanej wiadomości i naciśnij tam przycisk.",
    rateLimitedTitle: "Zbyt wiele prób",
    rateLimitedBody: (seconds) => `Nic się nie zmieniło. Spróbuj ponownie za ${seconds} s.`,
    errorTitle: "Coś poszło nie tak",
    errorBody: "Wystąpił błąd po naszej stronie i Twoja odpowiedź mogła nie zostać zapisana. Spróbuj ponownie za kilka minut.",
    closePage: "Możesz zamknąć tę stronę.",
  },
};

/**
 * The language a page is shown in: the one asked for (`?lang=` from the page's language switch, the
 * form's `lang` field), else the account's, else the browser's (`Accept-Language`). The one place that
 * chooses it.
 */
export function pageLocale(asked: { lang?: unknown }, otherwise: { account?: PageLocale | null; acceptLanguage?: string }): PageLocale {
  const lang = typeof asked.lang === "string" ? asked.lang.trim().toLowerCase() : "";
  if ((PAGE_LOCALES as readonly string[]).includes(lang)) return lang as PageLocale;
  return otherwise.account ?? negotiateLocale(otherwise.acceptLanguage);
}
