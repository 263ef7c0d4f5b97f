// @ts-check
// `npm run example:settings`: builds the settings screen, then serves it on loopback and prints its URL.
//
//   SETTINGS_API_URL  the API the screen calls   (default http://127.0.0.1:4000/graphql)
//   SETTINGS_PORT     where the screen is served (default 5173; 0 picks a free port)
//
// `--no-build` serves dist/ as last built (a second screen on another API, say).
//
// The API must let this page's origin call it: start it with CORS_ORIGINS=http://127.0.0.1:5173.
import fs from "node:fs";
import path from "node:path";
import express from "express";
import { build, OUT } from "./build.mjs";

const HOST = "127.0.0.1";
const DEFAULT_API_URL = "http://127.0.0.1:4000/graphql";

/**
 * @param {string | undefined} value
 * @returns {URL}
 */
function apiUrlSetting(value) {
  const text = value || DEFAULT_API_URL;
  const url = URL.canParse(text) ? new URL(text) : null;
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new Error(`SETTINGS_API_URL must be the API's http(s) URL, such as ${DEFAULT_API_URL}; got "${text}".`);
  }
  return url;
}

/**
 * @param {string | undefined} value
 * @returns {number}
 */
function portSetting(value) {
  const port = value === undefined || value === "" ? 5173 : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`SETTINGS_PORT must be a port number (0 picks a free one); got "${value}".`);
  return port;
}

/** @param {string} text */
function escapeAttribute(text) {
  return text.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/**
 * The API's WebSocket origin (live updates): ws: for http:, wss: for https:.
 * @param {URL} apiUrl
 */
function webSocketOrigin(apiUrl) {
  const url = new URL(apiUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.origin;
}

/**
 * The static files of dist/, with the API's URL written into the page and headers that keep the page
 * to itself: scripts and styles from this origin only, requests to the API (HTTP and WebSocket) only,
 * no Referer.
 * @param {URL} apiUrl
 */
export function createSettingsApp(apiUrl) {
  const page = fs
    .readFileSync(path.join(OUT, "index.html"), "utf8")
    .replace(
      '<meta name="contact-points-api" content="" />',
      `<meta name="contact-points-api" content="${escapeAttribute(apiUrl.href)}" />`,
    );
  const app = express();
  app.disable("x-powered-by");
  app.use((_request, response, next) => {
    response.set({
      "Content-Security-Policy": `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${apiUrl.origin} ${webSocketOrigin(apiUrl)}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
      "Referrer-Policy": "no-referrer",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    });
    next();
  });
  app.get(["/", "/index.html"], (_request, response) => {
    response.type("html").send(page);
  });
  app.use(express.static(OUT, { index: false, etag: false, lastModified: false }));
  return app;
}

/**
 * Asks the API, as a browser on `origin` would, whether it may call it; a hint to print if not.
 * @param {URL} apiUrl
 * @param {string} origin
 */
async function corsHint(apiUrl, origin) {
  try {
    const response = await fetch(apiUrl, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" },
      signal: AbortSignal.timeout(3000),
    });
    const allowed = response.headers.get("access-control-allow-origin");
    if (allowed === origin || allowed === "*") return null;
    return `The API at ${apiUrl.href} does not let ${origin} call it: restart it with CORS_ORIGINS=${origin} npm start`;
  } catch {
    return `The API is not answering at ${apiUrl.href} yet: start it with CORS_ORIGINS=${origin} npm start`;
  }
}

async function main() {
  const apiUrl = apiUrlSetting(process.env.SETTINGS_API_URL);
  const port = portSetting(process.env.SETTINGS_PORT);
  if (!process.argv.includes("--no-build")) await build();
  const app = createSettingsApp(apiUrl);
  /** @type {import("node:http").Server} */
  const server = await new Promise((resolve, reject) => {
    const listening = app.listen(port, HOST, (/** @type {Error | undefined} */ error) => (error ? reject(error) : resolve(listening)));
  });
  const address = server.address();
  const origin = `http://${HOST}:${address && typeof address === "object" ? address.port : port}`;
  console.log(`The settings screen is served on ${origin}/`);
  console.log(`It calls the API at ${apiUrl.href}, which must allow this origin: CORS_ORIGINS=${origin} npm start`);
  console.log(`Sign in with the token \`npm start\` printed: paste it into the page, or open ${origin}/#token=<the token>`);
  const hint = await corsHint(apiUrl, origin);
  if (hint) console.log(hint);
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
