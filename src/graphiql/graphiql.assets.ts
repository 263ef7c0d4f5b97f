import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";

const gzip = promisify(zlib.gzip);

/** A file GraphiQL's page loads, held in memory with its gzipped form. */
export interface StaticAsset {
  name: string;
  contentType: string;
  body: Buffer;
  /** Null when gzip would not make the file smaller. */
  gzipped: Buffer | null;
  etag: string;
}

/** Every file the GraphiQL page needs, under one version derived from their contents. */
export interface GraphiQLAssets {
  /** Changes whenever any file changes, so asset URLs can be cached forever. */
  version: string;
  assets: Map<string, StaticAsset>;
  stylesheets: string[];
  /** In the order the page must load them: React, ReactDOM, GraphiQL, then the start-up script. */
  scripts: string[];
}

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

function packageDir(name: string): string {
  // react's "exports" map hides its umd/ folder from require.resolve, but not package.json.
  return path.dirname(require.resolve(`${name}/package.json`));
}

// Compiled to dist/src/graphiql/; the browser files are not TypeScript, so they are read from src/.
const BROWSER_DIR = path.resolve(__dirname, "..", "..", "..", "src", "graphiql", "browser");

function sources(): { name: string; file: string; contentType: string; kind: "script" | "stylesheet" }[] {
  const graphiql = packageDir("graphiql");
  return [
    { name: "graphiql.min.css", file: path.join(graphiql, "graphiql.min.css"), contentType: CSS, kind: "stylesheet" },
    { name: "page.css", file: path.join(BROWSER_DIR, "page.css"), contentType: CSS, kind: "stylesheet" },
    {
      name: "react.production.min.js",
      file: path.join(packageDir("react"), "umd", "react.production.min.js"),
      contentType: JS,
      kind: "script",
    },
    {
      name: "react-dom.production.min.js",
      file: path.join(packageDir("react-dom"), "umd", "react-dom.production.min.js"),
      contentType: JS,
      kind: "script",
    },
    { name: "graphiql.min.js", file: path.join(graphiql, "graphiql.min.js"), contentType: JS, kind: "script" },
    { name: "start.js", file: path.join(BROWSER_DIR, "start.js"), contentType: JS, kind: "script" },
  ];
}

async function loadAssets(): Promise<GraphiQLAssets> {
  const list = sources();
  const assets = new Map<string, StaticAsset>();
  const version = crypto.createHash("sha256");
  for (const source of list) {
    const body = await fs.readFile(source.file);
    const hash = crypto.createHash("sha256").update(body).digest("base64url").slice(0, 16);
    version.update(`${source.name}:${hash}\n`);
    const gzipped = await gzip(body);
    assets.set(source.name, {
      name: source.name,
      contentType: source.contentType,
      body,
      gzipped: gzipped.length < body.length ? gzipped : null,
      // Weak: the gzipped and the plain bytes are the same file.
      etag: `W/"${hash}"`,
    });
  }
  return {
    version: version.digest("base64url").slice(0, 12),
    assets,
    stylesheets: list.filter((source) => source.kind === "stylesheet").map((source) => source.name),
    scripts: list.filter((source) => source.kind === "script").map((source) => source.name),
  };
}

let loading: Promise<GraphiQLAssets> | undefined;

/** Reads and compresses the files once, on the first GraphiQL request, so servers that never show it pay nothing. */
export function graphiqlAssets(): Promise<GraphiQLAssets> {
  loading ??= loadAssets().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
