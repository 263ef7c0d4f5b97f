// The screen's own texts in English and Polish: one catalogue per language, both of the type
// `Messages`, so a text missing in either language fails `tsc`. Error messages are chosen by the
// server's `extensions.code`, never by its English `message`. Polish role names are those of the help
// article the product follows.
import type { ContactIssueKind, ContactSlot, VerificationState } from "./gql/graphql";

export type Language = "en" | "pl";
export const LANGUAGES: readonly Language[] = ["en", "pl"];

/** The plural categories each language needs: Intl.PluralRules picks one for a count. */
type EnglishForms = Record<"one" | "other", string>;
type PolishForms = Record<"one" | "few" | "many" | "other", string>;

/** The form for `count` by the language's plural rules, with `{n}` replaced by it. */
function plural(rules: Intl.PluralRules, count: number, forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }): string {
  return (forms[rules.select(count)] ?? forms.other).replaceAll("{n}", String(count));
}
const englishRules = new Intl.PluralRules("en");
const polishRules = new Intl.PluralRules("pl");
const en = (count: number, forms: EnglishForms) => plural(englishRules, count, forms);
/** 1 kontakt, 2 kontakty, 5 kontaktów, 22 kontakty: Polish needs all three forms for whole numbers. */
const pl = (count: number, forms: PolishForms) => plural(polishRules, count, forms);
/** "A, B and C", "A, B i C". */
const englishList = new Intl.ListFormat("en", { type: "conjunction" });
const polishList = new Intl.ListFormat("pl", { type: "conjunction" });

/** A problem the server reported on one input field, by what kind of value the field holds. */
export type FieldProblem = "invalidEmail" | "notMember" | "invalidValue" | "addressRequired";

/** The error codes of the API (docs/frontend.md, "Errors: what the screen should show"), and this screen's own. */
export interface ErrorTexts {
  UNAUTHENTICATED: string;
  NOT_FOUND: string;
  FORBIDDEN: string;
  BAD_USER_INPUT: string;
  BILLING_CONTACT_LIMIT: (limit: number) => string;
  PRIMARY_CONTACT_REQUIRED: string;
  LAST_ADMIN: string;
  VERSION_CONFLICT: string;
  RATE_LIMITED: (retryAfterSeconds: number | null) => string;
  SERVICE_UNAVAILABLE: string;
  INTERNAL_SERVER_ERROR: string;
  /** The request was refused as malformed or beyond the server's limits: a fault of this screen. */
  clientFault: (code: string) => string;
  /** No answer from the API at all (not running, wrong address, or this origin not in CORS_ORIGINS). */
  network: (apiUrl: string) => string;
  /** A code this screen does not know yet (the API may add codes). */
  unknown: (code: string) => string;
  /** The mutation committed, but reading its answer failed: reload instead of sending it again. */
  changeSaved: string;
}

export interface Messages {
  languageName: string;
  languageLabel: string;
  dateTime: (iso: string) => string;
  title: string;
  breadcrumb: string;
  loading: string;
  signIn: {
    heading: string;
    explanation: string;
    tokenLabel: string;
    submit: string;
    signedInAs: (who: string) => string;
    forget: string;
  };
  accountLabel: string;
  noAccounts: string;
  readOnly: string;
  slots: Record<Exclude<ContactSlot, "%future added value">, string>;
  primary: { description: string };
  billing: {
    description: string;
    addAnother: string;
    limitReason: (limit: number) => string;
    free: (count: number) => string;
    none: string;
  };
  others: { heading: string; description: string; outsideOption: string; outsideAddress: string };
  details: { heading: string; phone: string; title: string; none: string };
  selectUser: string;
  nobody: string;
  remove: string;
  member: (label: string, email: string) => string;
  verification: Record<Exclude<VerificationState, "%future added value">, string> & {
    requested: (date: string) => string;
    verified: (date: string) => string;
    afterSave: string;
    resend: string;
    resent: string;
    askAgain: string;
    askAgainHint: (days: number) => string;
    askedAgainTooSoon: (days: number) => string;
  };
  save: string;
  saving: string;
  discard: string;
  saved: string;
  unsaved: (count: number) => string;
  health: {
    heading: string;
    allGood: string;
    summary: (count: number) => string;
    missingRole: (role: string) => string;
    /** `who` is a member's name, or the address where no name is known. */
    issue: Record<Exclude<ContactIssueKind, "%future added value">, (who: string, slot: string) => string>;
    unknownIssue: (kind: string, who: string, slot: string) => string;
  };
  history: {
    heading: string;
    count: (count: number) => string;
    none: string;
    more: string;
    when: string;
    who: string;
    what: string;
    added: (email: string) => string;
    removed: (email: string) => string;
    set: (before: string | null, after: string) => string;
    cleared: (before: string | null) => string;
    declined: (email: string) => string;
    verified: (email: string) => string;
  };
  conflict: {
    heading: string;
    explanation: string;
    changedBy: (names: string) => string;
    theirs: string;
    yours: string;
    none: string;
    reload: string;
    reloadHint: string;
    reloading: string;
    keepMine: string;
    theirsAndYours: (slot: string, theirs: string, yours: string) => string;
    merged: (names: string) => string;
  };
  /** Changes another admin saved while this screen is open (Subscription.accountChanged). */
  live: {
    /** A slot as the object of "changed": "the billing contacts", "kontakty rozliczeniowe". */
    slotObject: Record<Exclude<ContactSlot, "%future added value">, string>;
    members: string;
    settings: string;
    someone: string;
    /** "Grace Hopper changed the billing contacts and the decision maker" */
    changed: (who: string, what: string[]) => string;
    heading: string;
    explanation: string;
    contested: (slot: string, who: string, theirs: string, yours: string) => string;
    stopped: string;
  };
  change: (slot: string, before: string, after: string) => string;
  errorCode: string;
  errors: ErrorTexts;
  fields: Record<FieldProblem, string>;
}

const english: Messages = {
  languageName: "English",
  languageLabel: "Language",
  dateTime: (iso) => new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)),
  title: "Company information",
  breadcrumb: "Account and billing",
  loading: "Loading…",
  signIn: {
    heading: "Sign in",
    explanation:
      "Paste the bearer token that `npm start` printed (or `npm run token -- --email you@example.com`). It is kept in this page's memory only.",
    tokenLabel: "Bearer token",
    submit: "Continue",
    signedInAs: (who) => `Signed in as ${who}`,
    forget: "Forget the token",
  },
  accountLabel: "Account",
  noAccounts: "You are not a member of any account.",
  readOnly: "You are a member of this account: only its admins can change the contacts.",
  slots: {
    PRIMARY: "Primary account contact",
    BILLING: "Billing contacts",
    DECISION_MAKER: "Decision maker",
    IMPLEMENTATION: "Implementation contact",
    SECURITY: "Security contact",
    TECHNICAL_ADMIN: "Technical administrator",
  },
  primary: {
    description:
      "The person who works with the account day to day. They receive all important account notifications: invoices, updates, renewals and the rest.",
  },
  billing: {
    description: "Billing contacts receive copies of invoices, receipts, orders and renewal notices.",
    addAnother: "Add another",
    limitReason: (limit) =>
      en(limit, { one: "An account can have at most {n} billing contact.", other: "An account can have at most {n} billing contacts." }),
    free: (count) =>
      count === 0
        ? "No more billing contacts can be added."
        : en(count, { one: "{n} more can be added.", other: "{n} more can be added." }),
    none: "No billing contacts yet.",
  },
  details: { heading: "Phones and titles", phone: "Phone", title: "Title", none: "—" },
  others: {
    heading: "Other contacts",
    description:
      "Points of contact for other roles. The security contact can be a member or the email address of someone outside the account.",
    outsideOption: "Someone outside the account…",
    outsideAddress: "Their email address",
  },
  selectUser: "Select a user",
  nobody: "Nobody",
  remove: "Remove",
  member: (label, email) => (label === email ? email : `${label} (${email})`),
  verification: {
    PENDING: "Waiting for confirmation",
    VERIFIED: "Confirmed",
    DECLINED: "Declined: the owner says this is not their address",
    requested: (date) => `asked ${date}`,
    verified: (date) => `on ${date}`,
    afterSave: "Will be asked to confirm the address after saving",
    resend: "Send the confirmation again",
    resent: "The confirmation was sent again.",
    askAgain: "Ask them again",
    askAgainHint: (days) => `An address that declined can be asked again at most once every ${days} days.`,
    askedAgainTooSoon: (days) =>
      en(days, {
        one: "They were already asked again: you can ask once more in {n} day.",
        other: "They were already asked again: you can ask once more in {n} days.",
      }),
  },
  save: "Save",
  saving: "Saving…",
  discard: "Discard changes",
  saved: "Saved.",
  unsaved: (count) => en(count, { one: "{n} unsaved change", other: "{n} unsaved changes" }),
  health: {
    heading: "What needs attention",
    allGood: "Nothing needs attention.",
    summary: (count) => en(count, { one: "{n} thing needs attention.", other: "{n} things need attention." }),
    missingRole: (role) => `No ${role.toLowerCase()} is set.`,
    issue: {
      UNVERIFIED_EXTERNAL: (who, slot) => `${who} (${slot}) has not confirmed the address yet.`,
      DECLINED_EXTERNAL: (who, slot) =>
        `The owner of ${who} (${slot}) says it is not their address: set another contact, or ask them again.`,
      VERIFICATION_STALE: (who, slot) => `${who} (${slot}) was confirmed more than a year ago: ask for a new confirmation.`,
      DELIVERY_FAILED: (who, slot) => `The last message to ${who} (${slot}) could not be delivered.`,
      NEVER_SIGNED_IN: (who, slot) => `${who} (${slot}) has never signed in, so gets no optional mail.`,
      DOMAIN_NOT_ALLOWED: (who, slot) =>
        `${who} (${slot}) is outside the domains this account allows for outside contacts: choose another contact.`,
    },
    unknownIssue: (kind, who, slot) => `${who} (${slot}): ${kind}`,
  },
  history: {
    heading: "History",
    count: (count) => en(count, { one: "{n} change", other: "{n} changes" }),
    none: "No changes yet.",
    more: "Show older changes",
    when: "When",
    who: "Who",
    what: "What",
    added: (email) => `added ${email}`,
    removed: (email) => `removed ${email}`,
    set: (before, after) => (before ? `${before} → ${after}` : `set to ${after}`),
    cleared: (before) => (before ? `cleared (was ${before})` : "cleared"),
    declined: (email) => `${email} answered "This is not me"`,
    verified: (email) => `${email} confirmed the address`,
  },
  conflict: {
    heading: "Someone else changed the same contacts while you were editing",
    explanation: "Nothing was saved. You both changed:",
    changedBy: (names) => `Changed by ${names}.`,
    theirs: "What changed",
    yours: "Your changes, not saved",
    none: "The contacts were changed and changed back.",
    reload: "Use theirs",
    reloadHint: "Your other changes stay in the form, not saved yet.",
    reloading: "Reloading…",
    keepMine: "Keep mine",
    theirsAndYours: (slot, theirs, yours) => `${slot}: theirs ${theirs}, yours ${yours}`,
    merged: (names) => `Saved together with the changes ${names} made meanwhile:`,
  },
  live: {
    slotObject: {
      PRIMARY: "the primary account contact",
      BILLING: "the billing contacts",
      DECISION_MAKER: "the decision maker",
      IMPLEMENTATION: "the implementation contact",
      SECURITY: "the security contact",
      TECHNICAL_ADMIN: "the technical administrator",
    },
    members: "the members",
    settings: "the account's settings",
    someone: "Someone",
    changed: (who, what) => `${who} changed ${englishList.format(what)}`,
    heading: "Changed by someone else while you were editing",
    explanation: "Nothing is saved yet. Choose which value to keep; your other changes stay in the form.",
    contested: (slot, who, theirs, yours) => `${slot}: ${who} set ${theirs}; yours is ${yours}`,
    stopped: "Live updates stopped: reload the page to see changes others make.",
  },
  change: (slot, before, after) => `${slot}: ${before} → ${after}`,
  errorCode: "Error code",
  errors: {
    UNAUTHENTICATED: "Your sign-in is missing, not valid or has expired. Enter a new token.",
    NOT_FOUND: "This account does not exist or you no longer have access to it.",
    FORBIDDEN: "Only the account's admins can change its contacts.",
    BAD_USER_INPUT: "Some values are not valid: see the marked fields.",
    BILLING_CONTACT_LIMIT: (limit) =>
      en(limit, {
        one: "An account can have at most {n} billing contact: remove one first.",
        other: "An account can have at most {n} billing contacts: remove one first.",
      }),
    PRIMARY_CONTACT_REQUIRED: "Choose another primary account contact first.",
    LAST_ADMIN: "The account needs an admin: make someone else an admin first.",
    VERSION_CONFLICT: "Someone else changed the contacts since you loaded them. Nothing was saved.",
    RATE_LIMITED: (seconds) =>
      seconds === null
        ? "Too many changes in a short time. Try again in a moment."
        : en(seconds, {
            one: "Too many changes in a short time. Try again in {n} second.",
            other: "Too many changes in a short time. Try again in {n} seconds.",
          }),
    SERVICE_UNAVAILABLE: "Nothing was saved: the service cannot store changes right now. Try again in a moment.",
    INTERNAL_SERVER_ERROR: "Something went wrong on the server. Try again.",
    clientFault: (code) => `This screen sent a request the server does not accept (${code}): it needs updating.`,
    network: (apiUrl) => `Cannot reach the API at ${apiUrl}. Is it running, with this page's address in CORS_ORIGINS?`,
    unknown: (code) => `Something unexpected happened (${code}).`,
    changeSaved: "The change was saved, but reading it back failed. Reload the contacts.",
  },
  fields: {
    invalidEmail: "This is not a valid email address.",
    notMember: "Choose a member of this account.",
    invalidValue: "This value is not valid.",
    addressRequired: "Enter the address.",
  },
};

const polish: Messages = {
  languageName: "Polski",
  languageLabel: "Język",
  dateTime: (iso) => new Intl.DateTimeFormat("pl-PL", { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)),
  title: "Informacje o firmie",
  breadcrumb: "Konto i rozliczenia",
  loading: "Wczytywanie…",
  signIn: {
    heading: "Logowanie",
    explanation:
      "Wklej token, który wypisało `npm start` (albo `npm run token -- --email ty@example.com`). Jest przechowywany tylko w pamięci tej strony.",
    tokenLabel: "Token (Bearer)",
    submit: "Dalej",
    signedInAs: (who) => `Zalogowano jako ${who}`,
    forget: "Zapomnij token",
  },
  accountLabel: "Konto",
  noAccounts: "Nie należysz do żadnego konta.",
  readOnly: "Jesteś członkiem tego konta: tylko jego administratorzy mogą zmieniać kontakty.",
  slots: {
    PRIMARY: "Główny kontakt konta",
    BILLING: "Kontakty rozliczeniowe",
    DECISION_MAKER: "Osoba decyzyjna",
    IMPLEMENTATION: "Osoba kontaktowa ds. wdrażania",
    SECURITY: "Osoba kontaktowa ds. bezpieczeństwa",
    TECHNICAL_ADMIN: "Administrator techniczny",
  },
  primary: {
    description:
      "Główna osoba pracująca z kontem na co dzień. Otrzymuje wszystkie ważne powiadomienia dotyczące konta (w tym faktury, aktualizacje, odnowienia itp.).",
  },
  billing: {
    description: "Kontakty rozliczeniowe otrzymują kopie faktur, rachunków, zamówień i innych powiadomień o odnowieniu.",
    addAnother: "Dodaj kolejny",
    limitReason: (limit) =>
      pl(limit, {
        one: "Na koncie można ustawić najwyżej {n} kontakt rozliczeniowy.",
        few: "Na koncie można ustawić najwyżej {n} kontakty rozliczeniowe.",
        many: "Na koncie można ustawić najwyżej {n} kontaktów rozliczeniowych.",
        other: "Na koncie można ustawić najwyżej {n} kontaktu rozliczeniowego.",
      }),
    free: (count) =>
      count === 0
        ? "Nie można dodać więcej kontaktów rozliczeniowych."
        : pl(count, {
            one: "Można dodać jeszcze {n} kontakt.",
            few: "Można dodać jeszcze {n} kontakty.",
            many: "Można dodać jeszcze {n} kontaktów.",
            other: "Można dodać jeszcze {n} kontaktu.",
          }),
    none: "Nie ma jeszcze kontaktów rozliczeniowych.",
  },
  details: { heading: "Telefony i stanowiska", phone: "Telefon", title: "Stanowisko", none: "—" },
  others: {
    heading: "Inne kontakty",
    description:
      "Punkty kontaktowe dla innych ról. Osobą kontaktową ds. bezpieczeństwa może być członek konta albo osoba spoza niego, podana adresem e-mail.",
    outsideOption: "Osoba spoza konta…",
    outsideAddress: "Jej adres e-mail",
  },
  selectUser: "Wybierz użytkownika",
  nobody: "Nikt",
  remove: "Usuń",
  member: (label, email) => (label === email ? email : `${label} (${email})`),
  verification: {
    PENDING: "Czeka na potwierdzenie",
    VERIFIED: "Potwierdzony",
    DECLINED: "Odrzucony: właściciel twierdzi, że to nie jego adres",
    requested: (date) => `prośba wysłana ${date}`,
    verified: (date) => `dnia ${date}`,
    afterSave: "Po zapisaniu otrzyma prośbę o potwierdzenie adresu",
    resend: "Wyślij potwierdzenie ponownie",
    resent: "Prośbę o potwierdzenie wysłano ponownie.",
    askAgain: "Zapytaj ponownie",
    askAgainHint: (days) => `Adres, którego właściciel odmówił, można zapytać ponownie najwyżej raz na ${days} dni.`,
    askedAgainTooSoon: (days) =>
      pl(days, {
        one: "Już raz zapytano ponownie: kolejny raz możesz zapytać za {n} dzień.",
        few: "Już raz zapytano ponownie: kolejny raz możesz zapytać za {n} dni.",
        many: "Już raz zapytano ponownie: kolejny raz możesz zapytać za {n} dni.",
        other: "Już raz zapytano ponownie: kolejny raz możesz zapytać za {n} dnia.",
      }),
  },
  save: "Zapisz",
  saving: "Zapisywanie…",
  discard: "Odrzuć zmiany",
  saved: "Zapisano.",
  unsaved: (count) =>
    pl(count, {
      one: "{n} niezapisana zmiana",
      few: "{n} niezapisane zmiany",
      many: "{n} niezapisanych zmian",
      other: "{n} niezapisanej zmiany",
    }),
  health: {
    heading: "Co wymaga uwagi",
    allGood: "Wszystko w porządku.",
    summary: (count) =>
      pl(count, {
        one: "{n} sprawa wymaga uwagi.",
        few: "{n} sprawy wymagają uwagi.",
        many: "{n} spraw wymaga uwagi.",
        other: "{n} sprawy wymaga uwagi.",
      }),
    missingRole: (role) => `Nie ustawiono: ${role.toLowerCase()}.`,
    issue: {
      UNVERIFIED_EXTERNAL: (who, slot) => `Adres ${who} (${slot}) nie został jeszcze potwierdzony.`,
      DECLINED_EXTERNAL: (who, slot) =>
        `Właściciel adresu ${who} (${slot}) twierdzi, że to nie jego adres: wskaż inny kontakt albo zapytaj go ponownie.`,
      VERIFICATION_STALE: (who, slot) => `Adres ${who} (${slot}) potwierdzono ponad rok temu: poproś o ponowne potwierdzenie.`,
      DELIVERY_FAILED: (who, slot) => `Nie udało się dostarczyć ostatniej wiadomości do odbiorcy ${who} (${slot}).`,
      NEVER_SIGNED_IN: (who, slot) => `Osoba ${who} (${slot}) jeszcze się nie zalogowała, więc nie otrzymuje wiadomości opcjonalnych.`,
      DOMAIN_NOT_ALLOWED: (who, slot) =>
        `Adres ${who} (${slot}) jest spoza domen dozwolonych na tym koncie dla kontaktów zewnętrznych: wybierz inny kontakt.`,
    },
    unknownIssue: (kind, who, slot) => `${who} (${slot}): ${kind}`,
  },
  history: {
    heading: "Historia zmian",
    count: (count) => pl(count, { one: "{n} zmiana", few: "{n} zmiany", many: "{n} zmian", other: "{n} zmiany" }),
    none: "Nie ma jeszcze zmian.",
    more: "Pokaż starsze zmiany",
    when: "Kiedy",
    who: "Kto",
    what: "Co",
    added: (email) => `dodano ${email}`,
    removed: (email) => `usunięto ${email}`,
    set: (before, after) => (before ? `${before} → ${after}` : `ustawiono ${after}`),
    cleared: (before) => (before ? `usunięto (było: ${before})` : "usunięto"),
    declined: (email) => `${email} odpowiedział(a) „To nie ja”`,
    verified: (email) => `${email} potwierdził(a) adres`,
  },
  conflict: {
    heading: "Ktoś inny zmienił te same kontakty w czasie Twojej edycji",
    explanation: "Nic nie zostało zapisane. Oboje zmieniliście:",
    changedBy: (names) => `Zmiany wprowadził(a): ${names}.`,
    theirs: "Co się zmieniło",
    yours: "Twoje niezapisane zmiany",
    none: "Kontakty zmieniono, a potem przywrócono.",
    reload: "Zostaw ich wersję",
    reloadHint: "Pozostałe Twoje zmiany zostają w formularzu, jeszcze niezapisane.",
    reloading: "Wczytywanie…",
    keepMine: "Zostaw moją",
    theirsAndYours: (slot, theirs, yours) => `${slot}: u nich ${theirs}, u Ciebie ${yours}`,
    merged: (names) => `Zapisano razem ze zmianami, które w międzyczasie wprowadził(a) ${names}:`,
  },
  live: {
    slotObject: {
      PRIMARY: "główny kontakt konta",
      BILLING: "kontakty rozliczeniowe",
      DECISION_MAKER: "osobę decyzyjną",
      IMPLEMENTATION: "osobę kontaktową ds. wdrażania",
      SECURITY: "osobę kontaktową ds. bezpieczeństwa",
      TECHNICAL_ADMIN: "administratora technicznego",
    },
    members: "członków konta",
    settings: "ustawienia konta",
    someone: "Ktoś",
    changed: (who, what) => `${who} zmienił(a) ${polishList.format(what)}`,
    heading: "Zmienione przez kogoś innego w trakcie Twojej edycji",
    explanation: "Nic jeszcze nie zapisano. Wybierz, którą wartość zostawić; pozostałe Twoje zmiany zostają w formularzu.",
    contested: (slot, who, theirs, yours) => `${slot}: ${who} ustawił(a) ${theirs}; u Ciebie ${yours}`,
    stopped: "Aktualizacje na żywo zatrzymały się: wczytaj stronę ponownie, aby zobaczyć zmiany innych.",
  },
  change: (slot, before, after) => `${slot}: ${before} → ${after}`,
  errorCode: "Kod błędu",
  errors: {
    UNAUTHENTICATED: "Brak ważnego logowania albo token wygasł. Podaj nowy token.",
    NOT_FOUND: "To konto nie istnieje albo nie masz już do niego dostępu.",
    FORBIDDEN: "Tylko administratorzy konta mogą zmieniać jego kontakty.",
    BAD_USER_INPUT: "Niektóre wartości są nieprawidłowe: zobacz zaznaczone pola.",
    BILLING_CONTACT_LIMIT: (limit) =>
      pl(limit, {
        one: "Na koncie może być najwyżej {n} kontakt rozliczeniowy: najpierw usuń jeden.",
        few: "Na koncie mogą być najwyżej {n} kontakty rozliczeniowe: najpierw usuń jeden.",
        many: "Na koncie może być najwyżej {n} kontaktów rozliczeniowych: najpierw usuń jeden.",
        other: "Na koncie może być najwyżej {n} kontaktu rozliczeniowego: najpierw usuń jeden.",
      }),
    PRIMARY_CONTACT_REQUIRED: "Najpierw wybierz inny główny kontakt konta.",
    LAST_ADMIN: "Konto musi mieć administratora: najpierw nadaj tę rolę komuś innemu.",
    VERSION_CONFLICT: "Ktoś inny zmienił kontakty od czasu ich wczytania. Nic nie zostało zapisane.",
    RATE_LIMITED: (seconds) =>
      seconds === null
        ? "Zbyt wiele zmian w krótkim czasie. Spróbuj ponownie za chwilę."
        : pl(seconds, {
            one: "Zbyt wiele zmian w krótkim czasie. Spróbuj ponownie za {n} sekundę.",
            few: "Zbyt wiele zmian w krótkim czasie. Spróbuj ponownie za {n} sekundy.",
            many: "Zbyt wiele zmian w krótkim czasie. Spróbuj ponownie za {n} sekund.",
            other: "Zbyt wiele zmian w krótkim czasie. Spróbuj ponownie za {n} sekundy.",
          }),
    SERVICE_UNAVAILABLE: "Nic nie zostało zapisane: usługa chwilowo nie może zapisywać zmian. Spróbuj ponownie za chwilę.",
    INTERNAL_SERVER_ERROR: "Coś poszło nie tak po stronie serwera. Spróbuj ponownie.",
    clientFault: (code) => `Ten ekran wysłał żądanie, którego serwer nie przyjmuje (${code}): wymaga aktualizacji.`,
    network: (apiUrl) => `Brak połączenia z API pod adresem ${apiUrl}. Czy działa i ma adres tej strony w CORS_ORIGINS?`,
    unknown: (code) => `Wystąpił nieoczekiwany błąd (${code}).`,
    changeSaved: "Zmiana została zapisana, ale nie udało się jej odczytać. Wczytaj kontakty ponownie.",
  },
  fields: {
    invalidEmail: "To nie jest prawidłowy adres e-mail.",
    notMember: "Wybierz członka tego konta.",
    invalidValue: "Ta wartość jest nieprawidłowa.",
    addressRequired: "Podaj adres e-mail.",
  },
};

export const CATALOGUES: Record<Language, Messages> = { en: english, pl: polish };

/** The browser's first preferred language this screen speaks, else English. */
export function preferredLanguage(languages: readonly string[]): Language {
  for (const tag of languages) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "pl" || base === "en") return base;
  }
  return "en";
}

/** A slot's name; a slot added to the API after this screen was built shows as it is. */
export function slotName(messages: Messages, slot: ContactSlot | string): string {
  return (messages.slots as Record<string, string | undefined>)[slot] ?? slot;
}
