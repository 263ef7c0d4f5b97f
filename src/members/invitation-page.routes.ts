import express, { type Express, type Request, type Response } from "express";
import type { Database } from "../database";
import type { Logger } from "../observability/logger";
import type { MutationAllowance } from "../security/rate-limit";
import { trackPageRequests } from "../observability/http";
import { requestScope } from "../observability/logger";
import { DomainError } from "../errors";
import { INVITATION_PATH, type ConfirmationLinks } from "../verification/confirmation-links";
import { expiry, fromAnotherSite, pageHeaders, pageName } from "../verification/confirmation-page.routes";
import { html, messagePage, page } from "../verification/confirmation-page.html";
import { CONFIRMATION_PAGE_TEXT, pageLocale, type PageLocale } from "../verification/confirmation-page.text";
import { answerInvitation, invitationForToken, type InvitationAnswer } from "./invitation.service";
import type { MemberRole } from "./account-member.entity";

/** Every text of the invitation page, in both languages; the shared ones (errors, limits) are the confirmation page's. */
const TEXT = {
  en: {
    title: "Join this account?",
    intro: "You are invited to join this account. You become a member only if you accept.",
    account: "Account",
    role: "Role",
    invitedBy: "Invited by",
    yourAddress: "Your address",
    expires: "Link valid until",
    roles: { ADMIN: "Admin", MEMBER: "Member" } as Record<MemberRole, string>,
    nothingChangedYet: "Nothing has changed yet: opening this page does not answer the invitation.",
    accept: "Accept",
    decline: "Decline",
    acceptedTitle: "You are now a member",
    acceptedBody: "You joined the account. Sign in to see it.",
    declinedTitle: "Invitation declined",
    declinedBody: "You are not a member of the account, and it sends you nothing more.",
    unknownTitle: "This invitation is not open",
    unknownBody: "It was already answered, withdrawn by the account's admin, or sent again with a new link.",
    expiredTitle: "This invitation has expired",
    expiredBody: "Ask the account's admin to invite you again.",
  },
  pl: {
    title: "Dołączyć do tego konta?",
    intro: "Zaproszono Cię do tego konta. Członkiem zostaniesz tylko wtedy, gdy przyjmiesz zaproszenie.",
    account: "Konto",
    role: "Rola",
    invitedBy: "Zaprasza",
    yourAddress: "Twój adres",
    expires: "Link ważny do",
    roles: { ADMIN: "Administrator", MEMBER: "Członek" } as Record<MemberRole, string>,
    nothingChangedYet: "Nic się jeszcze nie zmieniło: samo otwarcie tej strony nie jest odpowiedzią na zaproszenie.",
    accept: "Przyjmij",
    decline: "Odrzuć",
    acceptedTitle: "Jesteś członkiem konta",
    acceptedBody: "Dołączono Cię do konta. Zaloguj się, aby je zobaczyć.",
    declinedTitle: "Zaproszenie odrzucone",
    declinedBody: "Nie jesteś członkiem konta i nic więcej od niego nie dostaniesz.",
    unknownTitle: "To zaproszenie nie jest już aktualne",
    unknownBody: "Zostało już rozpatrzone, wycofane przez administratora konta albo wysłane ponownie z nowym linkiem.",
    expiredTitle: "To zaproszenie wygasło",
    expiredBody: "Poproś administratora konta o ponowne zaproszenie.",
  },
} satisfies Record<PageLocale, unknown>;

/** A form with a token, an answer and a language is far smaller than this. */
const FORM_LIMIT = "2kb";

function send(response: Response, status: number, locale: PageLocale, markup: string): void {
  pageHeaders(response, locale);
  response.status(status).type("html").send(markup);
}

export interface InvitationPageOptions {
  db: Database;
  links: ConfirmationLinks;
  /** The allowance the pages share per client address (the GraphQL endpoint's limit). */
  limiter: MutationAllowance;
  logger: Logger;
  reportError: (error: unknown, requestId?: string) => void;
}

/**
 * The page an invited person reaches from the invitation message, with the confirmation page's
 * safety: `GET /invitation/<token>` shows the invitation and changes nothing (mail scanners open
 * links); `POST /invitation` with the token in the form answers it; no cookie, no Referer, no cache,
 * no framing, a rate limit per client address, and a post from another site refused.
 */
export function mountInvitationPage(app: Express, options: InvitationPageOptions): void {
  const { db, links, limiter, logger, reportError } = options;

  const allowed = async (request: Request, response: Response, locale: PageLocale): Promise<boolean> => {
    const wait = await limiter.take(
      `invitation-page:${request.ip ?? request.socket.remoteAddress ?? "unknown"}`,
      1,
      requestScope(request)?.requestId,
    );
    if (wait === 0) return true;
    const text = CONFIRMATION_PAGE_TEXT[locale];
    response.set("Retry-After", String(wait));
    send(response, 429, locale, messagePage(locale, text.rateLimitedTitle, text.rateLimitedBody(wait)));
    return false;
  };

  const failed = (request: Request, response: Response, locale: PageLocale, error: unknown) => {
    reportError(error, requestScope(request)?.requestId);
    const text = CONFIRMATION_PAGE_TEXT[locale];
    send(response, 500, locale, messagePage(locale, text.errorTitle, text.errorBody));
  };

  app.get(`${INVITATION_PATH}/:token`, trackPageRequests(logger, `${INVITATION_PATH}/[redacted]`), async (request, response) => {
    const acceptLanguage = request.get("accept-language");
    let locale = pageLocale(request.query, { acceptLanguage });
    try {
      if (!(await allowed(request, response, locale))) return;
      const token = String(request.params.token);
      const found = await invitationForToken(db, token);
      locale = pageLocale(request.query, { account: found?.account.locale, acceptLanguage });
      const text = TEXT[locale];
      if (!found) return send(response, 404, locale, messagePage(locale, text.unknownTitle, text.unknownBody));
      const { invitation, account, invitedBy } = found;
      if (invitation.expiresAt <= new Date()) return send(response, 410, locale, messagePage(locale, text.expiredTitle, text.expiredBody));
      const body = html`<p>${text.intro}</p>
<dl>
<dt>${text.account}</dt><dd id="account-name">${pageName(account.name)}</dd>
<dt>${text.role}</dt><dd id="role">${text.roles[invitation.role]}</dd>
<dt>${text.invitedBy}</dt><dd id="invited-by">${invitedBy ?? "—"}</dd>
<dt>${text.yourAddress}</dt><dd id="email">${invitation.email}</dd>
<dt>${text.expires}</dt><dd id="expires">${expiry(invitation.expiresAt, locale)}</dd>
</dl>
<p class="note">${text.nothingChangedYet}</p>
<form method="post" action="${links.invitationFormAction()}">
<input type="hidden" name="token" value="${token}">
<input type="hidden" name="lang" value="${locale}">
<button type="submit" name="answer" value="accept" class="primary">${text.accept}</button>
<button type="submit" name="answer" value="decline">${text.decline}</button>
</form>`;
      send(response, 200, locale, page({ locale, title: text.title, body, languageSwitch: true }));
    } catch (error) {
      failed(request, response, locale, error);
    }
  });

  app.post(
    INVITATION_PATH,
    trackPageRequests(logger, INVITATION_PATH),
    express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 10 }),
    async (request, response) => {
      const form = (request.body ?? {}) as Record<string, unknown>;
      const acceptLanguage = request.get("accept-language");
      let locale = pageLocale(form, { acceptLanguage });
      try {
        if (fromAnotherSite(request, links)) {
          const text = CONFIRMATION_PAGE_TEXT[locale];
          return send(response, 403, locale, messagePage(locale, text.crossSiteTitle, text.crossSiteBody));
        }
        if (!(await allowed(request, response, locale))) return;
        const token = typeof form.token === "string" ? form.token.trim() : "";
        const answer: InvitationAnswer | null = form.answer === "accept" ? "accept" : form.answer === "decline" ? "decline" : null;
        const found = answer && token ? await invitationForToken(db, token) : null;
        locale = pageLocale(form, { account: found?.account.locale, acceptLanguage });
        const text = TEXT[locale];
        if (!found || !answer) return send(response, answer ? 404 : 400, locale, messagePage(locale, text.unknownTitle, text.unknownBody));
        try {
          await answerInvitation(db, { token }, answer);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          // Expired, withdrawn or answered between the look and the change.
          const expired = error.code === "BAD_USER_INPUT" && found.invitation.expiresAt <= new Date();
          return send(
            response,
            expired ? 410 : 404,
            locale,
            expired ? messagePage(locale, text.expiredTitle, text.expiredBody) : messagePage(locale, text.unknownTitle, text.unknownBody),
          );
        }
        const markup =
          answer === "accept"
            ? messagePage(locale, text.acceptedTitle, text.acceptedBody)
            : messagePage(locale, text.declinedTitle, text.declinedBody);
        send(response, 200, locale, markup);
      } catch (error) {
        failed(request, response, locale, error);
      }
    },
  );
}
