import type { MessageKey } from "./en";
import type { Template } from "./catalogue";

/* Every text of en.ts in Polish; the type makes a missing or extra key a compile error. */
export const pl: Readonly<Record<MessageKey, Template>> = {
  "UNAUTHENTICATED.missingToken": "Zaloguj się: wyślij z żądaniem nagłówek Authorization: Bearer z tokenem.",
  "UNAUTHENTICATED.malformedHeader":
    "Nagłówek Authorization musi mieć postać `Bearer <token>`. Zaloguj się ponownie, aby dostać nowy token.",
  "UNAUTHENTICATED.tokenExpired": "Token wygasł. Zaloguj się ponownie, aby dostać nowy.",
  "UNAUTHENTICATED.tokenWithoutExpiry": "Token musi mieć czas wygaśnięcia (exp). Zaloguj się ponownie, aby dostać nowy.",
  "UNAUTHENTICATED.tokenWrongIssuer":
    "Token wystawił inny wystawca niż ten, którego akceptuje ten serwer. Zaloguj się ponownie, aby dostać nowy.",
  "UNAUTHENTICATED.tokenWrongAudience":
    "Token jest przeznaczony dla innego odbiorcy niż ten serwer. Zaloguj się ponownie, aby dostać nowy.",
  "UNAUTHENTICATED.tokenNotYetValid": "Token nie jest jeszcze ważny. Zaloguj się ponownie, aby dostać nowy.",
  "UNAUTHENTICATED.tokenInvalid": "Token jest nieprawidłowy. Zaloguj się ponownie, aby dostać nowy.",
  "UNAUTHENTICATED.tokenFromTheFuture": "Token został wystawiony w przyszłości. Zaloguj się ponownie, aby dostać nowy.",
  "UNAUTHENTICATED.tokenLivesTooLong": "Token jest ważny dłużej, niż akceptuje ten serwer. Zaloguj się ponownie, aby dostać nowy.",
  "UNAUTHENTICATED.tokenWithoutEmail": "Token nie zawiera prawidłowego adresu e-mail (email). Zaloguj się ponownie, aby dostać nowy.",

  "NOT_FOUND.account": "Nie ma konta o tym identyfikatorze albo nie jesteś jego członkiem.",
  "NOT_FOUND.object": "Nie ma obiektu {type} o tym identyfikatorze albo nie jesteś członkiem jego konta.",
  "NOT_FOUND.node": "Nie ma niczego o tym identyfikatorze, do czego masz dostęp.",

  "FORBIDDEN.adminOnly": "Tylko administrator tego konta może je zmieniać: ustawienia, członków i kontakty.",

  "BAD_USER_INPUT.invalidInput": "Dane wejściowe są nieprawidłowe.",
  "BAD_USER_INPUT.invalidField": "Pole {field} jest nieprawidłowe.",
  "BAD_USER_INPUT.negativeSequence": "afterSequence to numer zmiany, do której konto doszło: 0 lub więcej.",
  "BAD_USER_INPUT.invalidVariables": "Zmienne nie pasują do operacji: {detail}",
  "BAD_USER_INPUT.tooManyIds": {
    plural: "count",
    one: "Poproś naraz o najwyżej {count} identyfikator.",
    few: "Poproś naraz o najwyżej {count} identyfikatory.",
    many: "Poproś naraz o najwyżej {count} identyfikatorów.",
    other: "Poproś naraz o najwyżej {count} identyfikatora.",
  },
  "BAD_USER_INPUT.invalidCursor": "Kursor w `{field}` nie pasuje do tej listy. Zacznij od początku bez niego.",
  "BAD_USER_INPUT.firstAndLast": "Podaj first albo last, nie oba naraz.",
  "BAD_USER_INPUT.pageSize": "{field} musi mieścić się w przedziale od 1 do {max}.",
  "BAD_USER_INPUT.nameNotText": "Pole {field} musi być tekstem.",
  "BAD_USER_INPUT.nameHasControls":
    "Pole {field} nie może zawierać podziałów wiersza, znaków sterujących, znaków kierunku tekstu ani innych niewidocznych znaków.",
  "BAD_USER_INPUT.nameEmpty": "Pole {field} nie może być puste.",
  "BAD_USER_INPUT.nameTooLong": {
    plural: "max",
    one: "Pole {field} może mieć najwyżej {max} znak.",
    few: "Pole {field} może mieć najwyżej {max} znaki.",
    many: "Pole {field} może mieć najwyżej {max} znaków.",
    other: "Pole {field} może mieć najwyżej {max} znaku.",
  },
  "BAD_USER_INPUT.emailInvalid": "To nie jest prawidłowy adres e-mail.",
  "BAD_USER_INPUT.notABillingContact":
    "Ta osoba nie będzie kontaktem ds. rozliczeń po tym zapisie, więc nie można ustawić jej telefonu ani stanowiska.",
  "BAD_USER_INPUT.languageTagInvalid": "To nie jest znacznik języka. Podaj np. pl, en-GB albo pt-BR (BCP 47).",
  "BAD_USER_INPUT.phoneInvalid": "To nie jest prawidłowy numer telefonu. Wpisz go z numerem kierunkowym kraju, np. +48 601 234 567.",
  "BAD_USER_INPUT.emailTooLong": "Adres e-mail może mieć najwyżej {max} znaków.",
  "BAD_USER_INPUT.emailNonAscii": "Przed znakiem @ adres e-mail może zawierać tylko litery, cyfry i znaki interpunkcyjne ASCII.",
  "BAD_USER_INPUT.userOrEmail": "Podaj dla kontaktu userId albo email: jedno z nich, nie oba i nie żadne.",
  "BAD_USER_INPUT.memberOnlyRole": "Tylko {roles} może być osobą spoza konta. Wybierz do tej roli członka konta.",
  "BAD_USER_INPUT.notOutsideAddress": "Tej roli nie pełni adres spoza konta, więc nie ma czego potwierdzać.",
  "BAD_USER_INPUT.verificationTokenInvalid": "Ten token potwierdzenia jest nieprawidłowy albo został już użyty.",
  "BAD_USER_INPUT.verificationTokenExpired": "Ten token potwierdzenia wygasł. Poproś administratora konta o wysłanie nowego.",
  "BAD_USER_INPUT.duplicateBillingContacts": "billingContactUserIds wymienia tego samego członka więcej niż raz.",
  "BAD_USER_INPUT.duplicateBillingContactDetails": "billingContactDetails wymienia tego samego członka więcej niż raz.",
  "BAD_USER_INPUT.idempotencyKeyInvalid": "Nagłówek Idempotency-Key musi mieć od 1 do 255 widocznych znaków ASCII, np. UUID.",
  "BAD_USER_INPUT.duplicateRoles": "roleContacts wymienia tę samą rolę więcej niż raz.",
  "BAD_USER_INPUT.clearWithContact": "Wpis, który czyści rolę, nie podaje userId, email, phone, title ani languageTag.",
  "BAD_USER_INPUT.tooManyItems": {
    plural: "max",
    one: "{field} może zawierać najwyżej {max} pozycję.",
    few: "{field} może zawierać najwyżej {max} pozycje.",
    many: "{field} może zawierać najwyżej {max} pozycji.",
    other: "{field} może zawierać najwyżej {max} pozycji.",
  },
  "BAD_USER_INPUT.negativeVersion": "expectedVersion nie może być ujemne.",
  "BAD_USER_INPUT.reassignToSelf": "reassignTo musi wskazywać innego członka niż usuwany.",
  "BAD_USER_INPUT.notAMember": "Ten użytkownik nie jest członkiem tego konta.",
  "BAD_USER_INPUT.deliveryNotFailed": "Ponownie można wysłać tylko wiadomość w stanie FAILED; ta jest w stanie {state}.",
  "BAD_USER_INPUT.verificationNotRequeued":
    "Wiadomości weryfikacyjnej nie wysyła się ponownie: poproś o nową przez resendContactVerification.",

  "BILLING_CONTACT_LIMIT.limitReached": {
    plural: "limit",
    one: "Konto może mieć najwyżej {limit} kontakt rozliczeniowy. Usuń go, zanim dodasz kolejny.",
    few: "Konto może mieć najwyżej {limit} kontakty rozliczeniowe. Usuń jeden, zanim dodasz kolejny.",
    many: "Konto może mieć najwyżej {limit} kontaktów rozliczeniowych. Usuń jeden, zanim dodasz kolejny.",
    other: "Konto może mieć najwyżej {limit} kontaktu rozliczeniowego. Usuń jeden, zanim dodasz kolejny.",
  },
  "PRIMARY_CONTACT_REQUIRED.removingPrimary":
    "Ten członek jest głównym kontaktem konta. Zanim go usuniesz, ustaw jako główny kontakt kogoś innego.",
  "PRIMARY_CONTACT_REQUIRED.leavingPrimary":
    "Jesteś głównym kontaktem konta. Zanim odejdziesz, poproś administratora, aby ustawił jako główny kontakt kogoś innego.",
  "INVITATION_PENDING.notAccepted":
    "Ta osoba nie przyjęła jeszcze zaproszenia do konta: może pełnić rolę kontaktu dopiero po jego przyjęciu.",
  "BAD_USER_INPUT.invitationExpired": "To zaproszenie wygasło. Poproś administratora konta o ponowne zaproszenie.",
  "BAD_USER_INPUT.invitationTokenInvalid":
    "Ten link do zaproszenia jest nieważny: zaproszenie zostało już rozpatrzone, wycofane albo wysłane ponownie.",
  "LAST_ADMIN.lastAdmin":
    "Konto potrzebuje co najmniej jednego administratora. Najpierw nadaj uprawnienia administratora innemu członkowi.",
  "VERSION_CONFLICT.staleVersion": "Ktoś inny zmienił kontakty tego konta, odkąd je wczytano. Wczytaj je ponownie i spróbuj jeszcze raz.",

  "SERVICE_UNAVAILABLE.writeFailed": "Nic nie zapisano: baza danych nie może teraz przyjmować zmian. Spróbuj ponownie za chwilę.",
  "SERVICE_UNAVAILABLE.readFailed": "Baza danych nie odpowiedziała. Spróbuj ponownie za chwilę.",
  "INTERNAL_SERVER_ERROR.unexpected": "Coś poszło nie tak po naszej stronie. Spróbuj ponownie.",

  "QUERY_TOO_DEEP.tooDeep": {
    plural: "max",
    one: "Zapytanie ma więcej niż {max} poziom zagnieżdżenia. Poproś naraz o mniej.",
    few: "Zapytanie ma więcej niż {max} poziomy zagnieżdżenia. Poproś naraz o mniej.",
    many: "Zapytanie ma więcej niż {max} poziomów zagnieżdżenia. Poproś naraz o mniej.",
    other: "Zapytanie ma więcej niż {max} poziomu zagnieżdżenia. Poproś naraz o mniej.",
  },
  "TOO_MANY_ALIASES.tooManyAliases": {
    plural: "max",
    one: "Zapytanie używa więcej niż {max} alias. Podziel je na kilka żądań.",
    few: "Zapytanie używa więcej niż {max} aliasy. Podziel je na kilka żądań.",
    many: "Zapytanie używa więcej niż {max} aliasów. Podziel je na kilka żądań.",
    other: "Zapytanie używa więcej niż {max} aliasu. Podziel je na kilka żądań.",
  },
  "TOO_MANY_DIRECTIVES.tooManyDirectives": {
    plural: "max",
    one: "Zapytanie używa więcej niż {max} dyrektywę.",
    few: "Zapytanie używa więcej niż {max} dyrektywy.",
    many: "Zapytanie używa więcej niż {max} dyrektyw.",
    other: "Zapytanie używa więcej niż {max} dyrektywy.",
  },
  "QUERY_TOO_COMPLEX.tooCostly":
    "To zapytanie kosztowałoby {cost} pkt, a limit wynosi {maxCost}. Poproś o mniej pozycji na stronę albo o mniej zagnieżdżonych list.",
  "QUERY_TOO_COMPLEX.tooManySelections":
    "Fragmenty zapytania, rozwinięte jeden w drugim, dają więcej niż {max} pól do wyceny. Rozwijaj każdy fragment rzadziej.",
  "QUERY_TOO_COMPLEX.tooManyVariables": "Zapytanie deklaruje więcej niż {max} zmiennych. Wysyłaj ich mniej naraz.",
  "QUERY_TOO_COMPLEX.repeatedFields":
    "Zapytanie zbyt często powtarza te same pola w tym samym miejscu (najwyżej {max} par, licząc fragmenty tam, gdzie są rozwinięte). Podaj każde pole raz.",
  "TOO_MANY_INTROSPECTIONS.anonymousIntrospection": "Bez tokenu pytaj o schemat (__schema lub __type) najwyżej raz na żądanie.",
  "QUERY_TOO_LARGE.tooManyTokens": {
    plural: "max",
    one: "Zapytanie ma więcej niż {max} token. Wyślij mniejszy dokument.",
    few: "Zapytanie ma więcej niż {max} tokeny. Wyślij mniejszy dokument.",
    many: "Zapytanie ma więcej niż {max} tokenów. Wyślij mniejszy dokument.",
    other: "Zapytanie ma więcej niż {max} tokenu. Wyślij mniejszy dokument.",
  },
  "BATCHING_NOT_SUPPORTED.batched": "Wysyłaj jedną operację na żądanie: żądania zbiorcze nie są obsługiwane.",
  "PERSISTED_QUERY_NOT_FOUND.unknownDocument":
    "Ten serwer nie ma zaufanego dokumentu o takim identyfikatorze. Wyślij dokument z manifestu, z którym serwer został wdrożony.",
  "TRUSTED_DOCUMENT_REQUIRED.notTrusted":
    "Ten serwer wykonuje tylko zaufane dokumenty, z którymi został wdrożony: wyślij identyfikator dokumentu (documentId) zamiast jego treści.",
  "PAYLOAD_TOO_LARGE.bodyTooLarge": "Treść żądania jest za duża.",
  "BAD_REQUEST.invalidJson": "Treść żądania nie jest prawidłowym JSON-em.",
  "GRAPHQL_VALIDATION_FAILED.subscriptionOverHttp": "Subskrypcje działają przez WebSocket (graphql-ws) pod tym adresem, nie przez HTTP.",
  "GRAPHQL_VALIDATION_FAILED.onlySubscriptionsOverWebSocket":
    "Przez WebSocket działają tylko subskrypcje; zapytania i mutacje wysyłaj przez HTTP.",
  "GRAPHQL_VALIDATION_FAILED.unknownOperationType": "To API nie ma operacji typu {operation}.",
  "IDEMPOTENCY_KEY_REUSED.otherRequest": "Ten Idempotency-Key został już użyty dla innego żądania. Do nowej zmiany użyj nowego klucza.",
  "IDEMPOTENCY_KEY_IN_USE.running":
    "Żądanie z tym Idempotency-Key zapisało zmianę i jeszcze się nie zakończyło. Nie wysyłaj zmiany ponownie; odśwież widok lub spróbuj za chwilę.",
  "RATE_LIMITED.tooManySubscriptions": "To połączenie ma już {max} subskrypcji, najwięcej, ile może. Najpierw zakończ którąś.",
  "RATE_LIMITED.tooManyChanges": "Za dużo zmian: najwyżej {limit} na {window} s. Spróbuj ponownie za {retryAfter} s.",
  "RATE_LIMITED.accountMailCap":
    "To konto wysłało już tyle wiadomości, ile może w ciągu godziny ({limit}). Spróbuj ponownie za {retryAfter} s.",
  "ADDRESS_DECLINED.declinedAskedAgain": {
    plural: "waitDays",
    one: "Właściciel tego adresu stwierdził, że adres nie należy do niego, i już raz zapytano go ponownie: adres, który odmówił, pytamy ponownie najwyżej raz na {days} dni. Spróbuj ponownie za {waitDays} dzień.",
    few: "Właściciel tego adresu stwierdził, że adres nie należy do niego, i już raz zapytano go ponownie: adres, który odmówił, pytamy ponownie najwyżej raz na {days} dni. Spróbuj ponownie za {waitDays} dni.",
    many: "Właściciel tego adresu stwierdził, że adres nie należy do niego, i już raz zapytano go ponownie: adres, który odmówił, pytamy ponownie najwyżej raz na {days} dni. Spróbuj ponownie za {waitDays} dni.",
    other:
      "Właściciel tego adresu stwierdził, że adres nie należy do niego, i już raz zapytano go ponownie: adres, który odmówił, pytamy ponownie najwyżej raz na {days} dni. Spróbuj ponownie za {waitDays} dnia.",
  },
  "RATE_LIMITED.addressVerificationCap":
    "Na ten adres wysłano już tyle próśb o potwierdzenie, ile można w ciągu doby ({limit}). Spróbuj ponownie za {retryAfter} s.",

  "changeSaved.readBackFailed":
    "Zmianę zapisano, ale nie udało się jej odczytać: wczytaj dane ponownie zamiast wysyłać zmianę jeszcze raz. ({message})",

  "category.INVOICE": "faktury",
  "category.RECEIPT": "potwierdzenia płatności",
  "category.ORDER": "zamówienia",
  "category.RENEWAL": "odnowienia",
  "category.ACCOUNT_UPDATE": "zmiany na koncie",
  "category.SECURITY": "bezpieczeństwo",
  "category.TECHNICAL": "sprawy techniczne",
  "category.IMPLEMENTATION": "wdrożenie",
  "delivery.failure.UNREACHABLE": "Nie udało się połączyć z serwerem poczty.",
  "delivery.failure.TIMEOUT": "Serwer poczty nie odpowiedział na czas.",
  "delivery.failure.SIGN_IN_REFUSED": "Serwer poczty odrzucił logowanie tej usługi.",
  "delivery.failure.RECIPIENT_REFUSED": "Serwer poczty odrzucił adres odbiorcy.",
  "delivery.failure.MESSAGE_REFUSED": "Serwer poczty odrzucił wiadomość.",
  "delivery.failure.OTHER": "Wysyłka nie powiodła się; szczegóły są w dzienniku usługi.",
  "delivery.failure.withCode": "{reason} (odpowiedź SMTP {code})",

  "WEBHOOK_URL_REFUSED.invalidUrl": "Podaj pełny adres URL punktu odbioru, np. https://hooks.example.com/contact-points.",
  "WEBHOOK_URL_REFUSED.notHttps": "Adres URL punktu odbioru musi zaczynać się od https://.",
  "WEBHOOK_URL_REFUSED.hasCredentials": "Adres URL punktu odbioru nie może zawierać nazwy użytkownika ani hasła: sprawdzaj podpis.",
  "WEBHOOK_URL_REFUSED.unresolvable": "Nazwa hosta punktu odbioru nie wskazuje żadnego adresu.",
  "WEBHOOK_URL_REFUSED.internalAddress":
    "Host punktu odbioru wskazuje adres wewnętrzny (pętla zwrotna, sieć prywatna, link-local lub podobny); webhooki trafiają tylko pod adresy publiczne.",
  "BAD_USER_INPUT.webhookUrlTooLong": "Adres URL punktu odbioru może mieć najwyżej {max} znaków.",
  "BAD_USER_INPUT.webhookNoEventTypes": "Wybierz co najmniej jeden rodzaj zmian, które ma otrzymywać punkt odbioru.",
  "BAD_USER_INPUT.webhookDescriptionTooLong": "Opis może mieć najwyżej {max} znaków.",
  "BAD_USER_INPUT.webhookEndpointLimit": "Konto może mieć najwyżej {max} punktów odbioru webhooków: najpierw usuń jeden.",
  "BAD_USER_INPUT.webhookCannotDisable": "Tylko usługa wyłącza punkt odbioru; zamiast tego wstrzymaj go (PAUSED).",
  "CONTACT_DOMAIN_NOT_ALLOWED.notAllowed":
    "To konto przyjmuje adresy kontaktowe spoza konta tylko w domenach wskazanych przez administratorów, a {domain} do nich nie należy. Podaj adres w jednej z tych domen albo wybierz członka konta.",
  "BAD_USER_INPUT.contactDomainInvalid": "To nie jest nazwa domeny: podaj np. example.com, bez @, * ani ścieżki.",
  "BAD_USER_INPUT.contactDomainsTooMany": "Konto może mieć na liście najwyżej {max} domen.",
  "webhook.disabledReason": {
    plural: "failures",
    one: "Wyłączony po {failures} nieudanej próbie doręczenia ({error}), błędy od {since}. Napraw odbiorcę i ustaw status ENABLED: doręczanie wznowi się od zdarzenia, na którym stanęło.",
    few: "Wyłączony po {failures} nieudanych próbach doręczenia z rzędu (ostatnia: {error}), błędy od {since}. Napraw odbiorcę i ustaw status ENABLED: doręczanie wznowi się od zdarzenia, na którym stanęło.",
    many: "Wyłączony po {failures} nieudanych próbach doręczenia z rzędu (ostatnia: {error}), błędy od {since}. Napraw odbiorcę i ustaw status ENABLED: doręczanie wznowi się od zdarzenia, na którym stanęło.",
    other:
      "Wyłączony po {failures} nieudanych próbach doręczenia z rzędu (ostatnia: {error}), błędy od {since}. Napraw odbiorcę i ustaw status ENABLED: doręczanie wznowi się od zdarzenia, na którym stanęło.",
  },
  "slot.PRIMARY": "główny kontakt konta",
  "slot.BILLING": "kontakt rozliczeniowy",

  "mail.verification.subject": "Potwierdź rolę „{title}” dla konta {account}",
  "mail.verification.intro": "Administrator konta podał Twój adres w roli „{title}”. Potwierdź, że to się zgadza.",
  "mail.verification.confirmWithin": {
    plural: "days",
    one: "Potwierdź to albo daj nam znać, że to nie Ty, w ciągu {days} dnia na tej stronie:",
    few: "Potwierdź to albo daj nam znać, że to nie Ty, w ciągu {days} dni na tej stronie:",
    many: "Potwierdź to albo daj nam znać, że to nie Ty, w ciągu {days} dni na tej stronie:",
    other: "Potwierdź to albo daj nam znać, że to nie Ty, w ciągu {days} dnia na tej stronie:",
  },
  "mail.verification.tokenHint": "Albo tym tokenem (to token mutacji verifyContactEmail; logowanie nie jest potrzebne):",
  "mail.verification.ignore":
    "Jeśli nie znasz tego konta, zignoruj tę wiadomość: dopóki adres nie zostanie potwierdzony, nic więcej na niego nie wyślemy.",
  "mail.invitation.subject": "Zaproszenie do konta {account}",
  "mail.invitation.intro":
    "Administrator zaprasza Cię do konta jako {role}. Członkiem konta zostaniesz tylko wtedy, gdy przyjmiesz zaproszenie.",
  "mail.invitation.acceptWithin": {
    plural: "days",
    one: "Przyjmij je albo odrzuć w ciągu {days} dnia na tej stronie:",
    few: "Przyjmij je albo odrzuć w ciągu {days} dni na tej stronie:",
    many: "Przyjmij je albo odrzuć w ciągu {days} dni na tej stronie:",
    other: "Przyjmij je albo odrzuć w ciągu {days} dnia na tej stronie:",
  },
  "mail.invitation.signIn": "Możesz też zalogować się tym adresem i przyjąć je tam (acceptInvitation).",
  "mail.invitation.ignore":
    "Jeśli nie znasz tego konta, zignoruj tę wiadomość: nie zostaniesz członkiem i nic więcej od niego nie dostaniesz.",
  "mail.label.invitedBy": "Zaprasza: {email}",
  "role.ADMIN": "administrator",
  "role.MEMBER": "członek",
  "mail.label.accountName": "Nazwa konta: {account}",
  "mail.label.askedBy": "Prośbę wysłał(a): {email}",
  "mail.label.yourAddress": "Twój adres: {email}",
  "mail.label.sentBy": "Wysłał(a): {email}",
  "mail.label.category": "Kategoria: {category}",
  "mail.test.subject": "Testowe powiadomienie ({category}) dla konta {account}",
  "mail.test.intro": "To wiadomość testowa: nic nie trzeba robić.",
  "mail.test.reasons": "Otrzymujesz ją jako: {reasons}",

  "graphiql.welcome": "Witaj w contact-points.",
  "graphiql.demoToken":
    "Zakładka Headers poniżej zawiera token\nadministratora demo, {email}.\nNaciśnij przycisk uruchamiania (lub Ctrl-Enter),\naby wczytać jego konta z kontaktami\ni członkami każdego z nich.\nDocs (u góry po lewej) opisuje każde pole.",
  "graphiql.noToken":
    'Każde żądanie wymaga tokenu: otwórz poniżej\nzakładkę Headers i dodaj\n  { "Authorization": "Bearer <token>" }\na potem naciśnij przycisk uruchamiania (lub Ctrl-Enter).\nOsoba uruchamiająca ten serwer może go wypisać:\n  npm run token -- --email you@example.com',
};
