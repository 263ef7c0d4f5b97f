import type http from "node:http";
import type { Express, Request } from "express";
import type { Config } from "../config";
import type { Database } from "../database";
import { DEMO_ADMIN } from "../seed";
import { translate, type Locale } from "../i18n";
import { graphiqlAssets, type GraphiQLAssets } from "./graphiql.assets";
import { demoTokenDecision, isLocalRequest, signDemoToken } from "./demo-token";

/** Where GraphiQL's files are served from; outside /graphql, which belongs to the API. */
export const GRAPHIQL_ASSET_PATH = "/graphiql";

/**
 * Only same-origin files run; styles come from the stylesheets (React sets inline styles through the
 * DOM, which style-src does not restrict); GraphiQL's fonts are data: URLs inside its stylesheet.
 */
export const GRAPHIQL_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/** The comment the editor opens with, in the server's DEFAULT_LOCALE: a welcome, then how to send a token. */
function helpText(locale: Locale, withToken: boolean): string {
  const howTo = withToken ? translate(locale, "graphiql.demoToken", { email: DEMO_ADMIN.email }) : translate(locale, "graphiql.noToken");
  return `${[translate(locale, "graphiql.welcome"), "", ...howTo.split("\n")].map((line) => (line ? `# ${line}` : "#")).join("\n")}\n`;
}

/**
 * The operation the editor opens with: the data an account-settings screen starts from, in the API's
 * 1.0 shapes (global ids on every object, a Relay connection with its pageInfo, members named by
 * displayName).
 */
export const GRAPHIQL_DEFAULT_OPERATION = `query MyAccountsAndContacts {
  viewer {
    id
    email
  }
  accounts(first: 10) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      cursor
      node {
        id
        name
        viewerRole
        primaryContact {
          id
          email
        }
        billingContacts {
          id
          email
        }
        roleContacts {
          id
          role
          email
          isExternal
        }
        members(first: 10) {
          totalCount
          nodes {
            id
            role
            displayName
            user {
              id
              email
            }
          }
        }
      }
    }
  }
}
`;

/** The settings start.js reads from the page. */
export interface GraphiQLSettings {
  defaultQuery: string;
  /** JSON text for the Headers editor; absent when the page must not hold a token. */
  defaultHeaders?: string;
}

/** A browser navigating to the endpoint (not a client asking for JSON). */
function wantsHtml(request: Request): boolean {
  return request.accepts(["application/graphql-response+json", "application/json", "text/html"]) === "text/html";
}

/** The page's settings: with the demo admin's token only when `demoTokenDecision` offered it for this request. */
export async function graphiqlSettings(config: Config, offerDemoToken: boolean): Promise<GraphiQLSettings> {
  if (!offerDemoToken) return { defaultQuery: `${helpText(config.defaultLocale, false)}\n${GRAPHIQL_DEFAULT_OPERATION}` };
  const token = await signDemoToken(config);
  return {
    defaultQuery: `${helpText(config.defaultLocale, true)}\n${GRAPHIQL_DEFAULT_OPERATION}`,
    defaultHeaders: JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function renderGraphiQLPage(assets: GraphiQLAssets, settings: GraphiQLSettings): string {
  const url = (name: string) => escapeHtml(`${GRAPHIQL_ASSET_PATH}/${assets.version}/${name}`);
  // "<" escaped so no value can close the data block early.
  const data = JSON.stringify(settings).replace(/</g, "\\u003c");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    "<title>contact-points · GraphiQL</title>",
    '<link rel="icon" href="data:,">',
    ...assets.stylesheets.map((name) => `<link rel="stylesheet" href="${url(name)}">`),
    "</head>",
    "<body>",
    '<div id="graphiql">Loading GraphiQL…</div>',
    `<script type="application/json" id="graphiql-settings">${data}</script>`,
    ...assets.scripts.map((name) => `<script src="${url(name)}"></script>`),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * GraphiQL, served entirely from the server's own files: `GET /graphql` from a browser gets the
 * page, and its scripts and styles come from GRAPHIQL_ASSET_PATH. Mount before the API.
 * The routes go on the app itself: a nested Router would answer CORS preflights (OPTIONS) itself.
 */
export function mountGraphiQL(app: Express, config: Config, db: Database, httpServer: http.Server): void {
  app.get(`${GRAPHIQL_ASSET_PATH}/:version/:name`, async (request, response) => {
    const assets = await graphiqlAssets();
    const asset = assets.assets.get(String(request.params.name));
    if (request.params.version !== assets.version || !asset) {
      response.status(404).type("text/plain").send("Not found.");
      return;
    }
    response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    response.setHeader("Content-Type", asset.contentType);
    response.setHeader("ETag", asset.etag);
    response.setHeader("Vary", "Accept-Encoding");
    response.setHeader("X-Content-Type-Options", "nosniff");
    if (request.headers["if-none-match"] === asset.etag) {
      response.status(304).end();
      return;
    }
    const gzipped = asset.gzipped !== null && request.acceptsEncodings("gzip", "identity") === "gzip" ? asset.gzipped : null;
    const body = gzipped ?? asset.body;
    if (gzipped) response.setHeader("Content-Encoding", "gzip");
    response.setHeader("Content-Length", String(body.length));
    response.end(body);
  });

  app.get("/graphql", async (request, response, next) => {
    if (!wantsHtml(request)) return next();
    const offer = isLocalRequest(request) && (await demoTokenDecision(config, db, httpServer.address())).offered;
    const [assets, settings] = await Promise.all([graphiqlAssets(), graphiqlSettings(config, offer)]);
    response.setHeader("Content-Security-Policy", GRAPHIQL_CSP);
    // The page may hold a token: keep it out of every cache.
    response.setHeader("Cache-Control", "no-store");
    response.setHeader("Vary", "Accept");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("Referrer-Policy", "no-referrer");
    response.type("html").send(renderGraphiQLPage(assets, settings));
  });
}
