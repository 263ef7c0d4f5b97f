import express, { type ErrorRequestHandler, type Express, type Request, type Response } from "express";
import type { Database } from "../database";
import type { Logger } from "../observability/logger";
import type { MutationAllowance } from "../security/rate-limit";
import { trackPageRequests } from "../observability/http";
import { requestScope } from "../observability/logger";
import { contactRole } from "../contacts/contact.enums";
import { oneLine } from "../notifications/mail-text";
import { DomainError } from "../errors";
import { VerificationState } from "./contact-verification.entity";
import { CONFIRMATION_PATH, type ConfirmationLinks } from "./confirmation-links";
import {
  confirmationRequest,
  declineContactEmail,
  verifyContactEmail,
  VERIFICATION_TOKEN_TTL_MS,
  type ConfirmationRequest,
} from "./verification.service";
import { CONFIRMATION_PAGE_CSP, messagePage, questionPage } from "./confirmation-page.html";
import { CONFIRMATION_PAGE_TEXT, pageLocale, type PageLocale } from "./confirmation-page.text";

/** A form with a token, an answer and a language is far smaller than this. */
const FORM_LIMIT = "2kb";

/** Headers of every confirmation page: never cached, never framed, and no Referer carrying the token anywhere. */
export function pageHeaders(response: Response, locale: PageLocale): void {
  response.set({
    "Content-Security-Policy": CONFIRMATION_PAGE_CSP,
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Language": locale,
  });
}

function send(response: Response, status: number, locale: PageLocale, markup: string): void {
  pageHeaders(response, locale);
  response.status(status).type("html").send(markup);
}

/** How many characters of an account's name the page shows. */
const NAME_LENGTH = 200;

/**
 * An account's name as the page shows it: one line, in quotes, so a name cannot pose as the page's own
 * words. Unlike mail, a page turns no text into links, so domains in it are left as typed.
 */
export function pageName(name: string): string {
  const characters = [...oneLine(name.normalize("NFKC"))];
  return `"${characters.length > NAME_LENGTH ? `${characters.slice(0, NAME_LENGTH - 1).join("")}…` : characters.join("")}"`;
}

/** "27 November 2026, 10:00 UTC" in the page's language. */
export function expiry(date: Date, locale: PageLocale): string {
  return `${new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", hourCycle: "h23", timeZone: "UTC" }).format(date)} UTC`;
}

/** Where a token's request stands: open to an answer, or settled with the page that says why not. */
type Standing = { open: ConfirmationRequest } | { open: null; status: number; markup: string };

function standing(found: ConfirmationRequest | null, locale: PageLocale): Standing {
  const text = CONFIRMATION_PAGE_TEXT[locale];
  const settled = (status: number, title: string, body: string): Standing => ({
    open: null,
    status,
    markup: messagePage(locale, title, body),
  });
  if (!found) return settled(404, text.unknownTitle, text.unknownBody);
  if (found.verification.state === VerificationState.VERIFIED) return settled(200, text.alreadyConfirmedTitle, text.alreadyConfirmedBody);
  if (found.verification.state === VerificationState.DECLINED) return settled(200, text.alreadyDeclinedTitle, text.alreadyDeclinedBody);
  if (found.expired) return settled(410, text.expiredTitle, text.expiredBody(VERIFICATION_TOKEN_TTL_MS / 86_400_000));
  return { open: found };
}

/**
 * Whether a form post comes from a page of another site. Browsers say so in Sec-Fetch-Site, and name
 * the page's origin in Origin (as "null" under this page's no-referrer policy); a post without either
 * (curl, an API client) is not a browser being steered by another site.
 */
export function fromAnotherSite(request: Request, links: ConfirmationLinks): boolean {
  const site = request.get("sec-fetch-site");
  if (site !== undefined && site !== "same-origin" && site !== "none") return true;
  const origin = request.get("origin");
  if (origin === undefined || origin === "null") return false;
  return origin !== links.origin() && origin !== `${request.protocol}://${request.get("host")}`;
}

export interface ConfirmationPageOptions {
  db: Database;
  links: ConfirmationLinks;
  /** The allowance the pages share per client address (the GraphQL endpoint's limit). */
  limiter: MutationAllowance;
  logger: Logger;
  /** Told of unexpected errors. */
  reportError: (error: unknown, requestId?: string) => void;
}

/**
 * The page an outside address's owner reaches from the verification message: `GET /verify/<token>`
 * shows the question and changes nothing (mail scanners open links); `POST /verify` with the token in
 * the form answers it. The token is in the path, not the query, so no form or log that keeps queries
 * picks it up; request lines log the path redacted, and no Referer carries it.
 */
export function mountConfirmationPage(app: Express, options: ConfirmationPageOptions): void {
  const { db, links, limiter, logger, reportError } = options;

  /** False (after answering 429) when this client address has used up its allowance. */
  const allowed = async (request: Request, response: Response, locale: PageLocale): Promise<boolean> => {
    const wait = await limiter.take(
      `confirmation-page:${request.ip ?? request.socket.remoteAddress ?? "unknown"}`,
      1,
      requestScope(request)?.requestId,
    );
    if (wait === 0) return true;
    const text = CONFIRMATION_PAGE_TEXT[locale];
    response.set("Retry-After", String(wait));
    send(response, 429, locale, messagePage(locale, text.rateLimitedTitle, text.rateLimitedBody(wait)));
    return false;
  };

  app.get(`${CONFIRMATION_PATH}/:token`, trackPageRequests(logger, `${CONFIRMATION_PATH}/[redacted]`), async (request, response) => {
    const acceptLanguage = request.get("accept-language");
    let locale = pageLocale(request.query, { acceptLanguage });
    try {
      if (!(await allowed(request, response, locale))) return;
      const token = String(request.params.token);
      const asked = await confirmationRequest(db, token);
      locale = pageLocale(request.query, { account: asked?.locale, acceptLanguage });
      const now = standing(asked, locale);
      if (!now.open) {
        send(response, now.status, locale, now.markup);
        return;
      }
      const found = now.open;
      const { verification } = found;
      send(
        response,
        200,
        locale,
        questionPage(locale, {
          token,
          accountName: pageName(found.accountName),
          role: contactRole(verification.role).title[locale],
          requestedBy: found.requestedBy,
          email: verification.email,
          expiresAt: expiry(verification.tokenExpiresAt, locale),
          formAction: links.formAction(),
        }),
      );
    } catch (error) {
      reportError(error, requestScope(request)?.requestId);
      const text = CONFIRMATION_PAGE_TEXT[locale];
      send(response, 500, locale, messagePage(locale, text.errorTitle, text.errorBody));
    }
  });

  app.post(
    CONFIRMATION_PATH,
    trackPageRequests(logger, CONFIRMATION_PATH),
    express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 10 }),
    async (request, response) => {
      const form = (request.body ?? {}) as Record<string, unknown>;
      const acceptLanguage = request.get("accept-language");
      let locale = pageLocale(form, { acceptLanguage });
      let text = CONFIRMATION_PAGE_TEXT[locale];
      try {
        if (fromAnotherSite(request, links)) {
          send(response, 403, locale, messagePage(locale, text.crossSiteTitle, text.crossSiteBody));
          return;
        }
        if (!(await allowed(request, response, locale))) return;
        // As verifyContactEmail does: a token pasted with spaces or a line break around it is still the token.
        const token = typeof form.token === "string" ? form.token.trim() : "";
        const answer =
          form.answer === "confirm" ? VerificationState.VERIFIED : form.answer === "decline" ? VerificationState.DECLINED : null;
        const asked = answer === null ? null : await confirmationRequest(db, token);
        locale = pageLocale(form, { account: asked?.locale, acceptLanguage });
        text = CONFIRMATION_PAGE_TEXT[locale];
        const before = standing(asked, locale);
        if (!before.open) {
          send(response, answer === null ? 400 : before.status, locale, before.markup);
          return;
        }
        const found = before.open;
        try {
          if (answer === VerificationState.VERIFIED) await verifyContactEmail(db, token);
          else await declineContactEmail(db, token);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          // Answered or replaced between the look and the change: say how it stands now.
          const now = standing(await confirmationRequest(db, token), locale);
          if (now.open) throw error;
          send(response, now.status, locale, now.markup);
          return;
        }
        const email = found.verification.email;
        const markup =
          answer === VerificationState.VERIFIED
            ? messagePage(locale, text.confirmedTitle, text.confirmedBody(email, contactRole(found.verification.role).title[locale]))
            : messagePage(locale, text.declinedTitle, text.declinedBody(email));
        send(response, 200, locale, markup);
      } catch (error) {
        reportError(error, requestScope(request)?.requestId);
        send(response, 500, locale, messagePage(locale, text.errorTitle, text.errorBody));
      }
    },
  );

  // A form the body parser refuses (too large, badly encoded) gets a page too, not the API's JSON error.
  const refusedForm: ErrorRequestHandler = (error: { status?: number }, request, response, next) => {
    if (response.headersSent || !error.status || error.status >= 500) return next(error);
    const locale = pageLocale(request.query, { acceptLanguage: request.get("accept-language") });
    const text = CONFIRMATION_PAGE_TEXT[locale];
    send(response, error.status, locale, messagePage(locale, text.unknownTitle, text.unknownBody));
  };
  app.use(CONFIRMATION_PATH, refusedForm);
}
