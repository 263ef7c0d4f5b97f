// Where the page gets its settings and the user's token. The token lives in memory only: never in
// localStorage, sessionStorage or a cookie, so closing or reloading the tab forgets it.

/** The API's URL, written into the page by the server that serves it (scripts/serve.mjs). */
export function apiUrlFromPage(doc: Document): string {
  const url = doc.querySelector<HTMLMetaElement>('meta[name="contact-points-api"]')?.content ?? "";
  return url || "http://127.0.0.1:4000/graphql";
}

/**
 * A token handed over in the address's fragment (`#token=…`), read once and removed from the address
 * bar and the history entry. A fragment never reaches a server: not in request lines, logs or Referer.
 */
export function takeTokenFromAddress(location: Location, history: History): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const token = params.get("token");
  if (token === null) return null;
  params.delete("token");
  const rest = params.toString();
  history.replaceState(history.state, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
  return cleanToken(token);
}

/** A pasted token, with or without the `Authorization: Bearer ` that `npm start` prints before it. */
export function cleanToken(text: string): string | null {
  const token = text
    .trim()
    .replace(/^authorization:\s*/i, "")
    .replace(/^bearer\s+/i, "")
    .trim();
  return token === "" ? null : token;
}
