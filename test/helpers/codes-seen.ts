import type http from "node:http";

/** Every `extensions.code` an in-process test server has answered with, in this mocha run. */
export const CODES_SEEN = new Set<string>();

/** Notes the error codes of every GraphQL answer `server` sends. */
export function noteErrorCodes(server: http.Server): void {
  server.prependListener("request", (_request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    const write = response.write.bind(response) as (...args: unknown[]) => boolean;
    const end = response.end.bind(response) as (...args: unknown[]) => http.ServerResponse;
    const keep = (chunk: unknown) => {
      if (typeof chunk === "string" || Buffer.isBuffer(chunk)) chunks.push(Buffer.from(chunk));
    };
    response.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk);
      return write(chunk, ...rest);
    }) as typeof response.write;
    response.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== "function") keep(chunk);
      if (String(response.getHeader("content-type") ?? "").includes("json")) {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { errors?: { extensions?: { code?: unknown } }[] };
          for (const error of body.errors ?? []) if (typeof error.extensions?.code === "string") CODES_SEEN.add(error.extensions.code);
        } catch {
          // Not a GraphQL answer.
        }
      }
      return end(chunk, ...rest);
    }) as typeof response.end;
  });
}
