import { createHash } from "node:crypto";
import escapeHtml from "escape-html";
import { CONFIRMATION_PAGE_TEXT, PAGE_LOCALES, type ConfirmationPageText, type PageLocale } from "./confirmation-page.text";

/** Markup that is already safe: only `html` makes one, so every other value is escaped where it is put. */
export class Html {
  constructor(readonly markup: string) {}
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function rendered(part: Part): string {
  if (part instanceof Html) return part.markup;
  if (Array.isArray(part)) return part.map(rendered).join("");
  if (part === null || part === undefined || part === false) return "";
  return escapeHtml(String(part));
}

/** A template whose interpolated values are HTML-escaped (text and double-quoted attributes alike), unless they are Html. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  return new Html(strings.reduce((markup, text, index) => markup + rendered(values[index - 1] as Part) + text));
}

const STYLE = `
body{margin:0;background:#f4f5f7;color:#1d2433;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.5rem;line-height:1.3;margin:0 0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:1.5rem 0}
dt{color:#5b6478}dd{margin:0;overflow-wrap:anywhere;font-weight:600}
.note{color:#5b6478;font-size:.95rem}
form{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.5rem 0 1rem}
button{font:inherit;padding:.6rem 1.4rem;border-radius:6px;border:1px solid #b6bdcc;background:#fff;color:#1d2433;cursor:pointer}
button.primary{background:#1f5fbf;border-color:#1f5fbf;color:#fff}
button:focus-visible{outline:3px solid #8fb4ee;outline-offset:2px}
nav{margin-top:2rem;font-size:.9rem}nav a{color:#1f5fbf;margin-right:1rem}
`;

/** The page allows exactly this stylesheet: no other style, script, image, frame or form target. */
export const CONFIRMATION_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

export interface PageContent {
  locale: PageLocale;
  title: string;
  body: Html;
  /** Links to the same page in the other languages; only where reloading the page is harmless. */
  languageSwitch?: boolean;
}

/** A whole page in its language, with a switch to the other languages where asked. */
export function page({ locale, title, body, languageSwitch }: PageContent): string {
  const others = PAGE_LOCALES.filter((other) => other !== locale);
  const nav = languageSwitch
    ? html`<nav>${others.map((other) => html`<a href="?lang=${other}" hreflang="${other}" lang="${other}">${CONFIRMATION_PAGE_TEXT[other].languageName}</a>`)}</nav>`
    : null;
  return `<!doctype html>\n${
    html`<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${body}
${nav}
</main>
</body>
</html>
`.markup
  }`;
}

/** A page that only says something: a title, a paragraph or two, and that the page may be closed. */
export function messagePage(locale: PageLocale, title: string, ...paragraphs: string[]): string {
  const text = CONFIRMATION_PAGE_TEXT[locale];
  return page({
    locale,
    title,
    body: html`${paragraphs.map((paragraph) => html`<p>${paragraph}</p>`)}<p class="note">${text.closePage}</p>`,
  });
}

export interface ConfirmationQuestion {
  token: string;
  accountName: string;
  role: string;
  requestedBy: string | null;
  email: string;
  expiresAt: string;
  formAction: string;
}

/** The question itself: who asks, about what, until when, and the two buttons that answer it. */
export function questionPage(locale: PageLocale, question: ConfirmationQuestion): string {
  const text: ConfirmationPageText = CONFIRMATION_PAGE_TEXT[locale];
  const body = html`<p>${text.confirmIntro(question.role)}</p>
<dl>
<dt>${text.account}</dt><dd id="account-name">${question.accountName}</dd>
<dt>${text.role}</dt><dd id="role">${question.role}</dd>
<dt>${text.askedBy}</dt><dd id="asked-by">${question.requestedBy ?? text.anAdmin}</dd>
<dt>${text.yourAddress}</dt><dd id="email">${question.email}</dd>
<dt>${text.expires}</dt><dd id="expires">${question.expiresAt}</dd>
</dl>
<p class="note">${text.nothingChangedYet}</p>
<form method="post" action="${question.formAction}">
<input type="hidden" name="token" value="${question.token}">
<input type="hidden" name="lang" value="${locale}">
<button type="submit" name="answer" value="confirm" class="primary">${text.confirm}</button>
<button type="submit" name="answer" value="decline">${text.decline}</button>
</form>
<p class="note">${text.declineHint}</p>`;
  return page({ locale, title: text.confirmTitle, body, languageSwitch: true });
}
