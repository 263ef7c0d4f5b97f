import http from "node:http";
import https from "node:https";
import net from "node:net";
import {
  DestinationRefused,
  guardedLookup,
  hostOf,
  isAllowedAddress,
  parseDestination,
  type DestinationPolicy,
} from "./webhook-destination";
import { WebhookDeliveryError } from "./webhook-endpoint.entity";

/** At most this much of a receiver's answer is read; the rest is discarded with the connection. */
export const RESPONSE_BODY_LIMIT = 64 * 1024;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** How one POST went: a status (2xx is success), or how it failed before one came. */
export interface WebhookResponse {
  ok: boolean;
  status: number | null;
  error: WebhookDeliveryError | null;
  durationMs: number;
  /** Bytes of the answer's body read (at most RESPONSE_BODY_LIMIT). */
  bodyBytes: number;
  /** The underlying failure, for the log. */
  cause?: unknown;
}

export type WebhookSender = (request: WebhookRequest) => Promise<WebhookResponse>;

/** What an error of node's http client means for the admin. */
function classify(error: unknown): WebhookDeliveryError {
  if (error instanceof DestinationRefused)
    return error.reason === "unresolvable" ? WebhookDeliveryError.HOST_NOT_FOUND : WebhookDeliveryError.ADDRESS_REFUSED;
  const code = String((error as NodeJS.ErrnoException)?.code ?? "");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") return WebhookDeliveryError.HOST_NOT_FOUND;
  if (/CERT|SSL|TLS|ERR_SSL|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME_MISMATCH/.test(code)) return WebhookDeliveryError.TLS_FAILED;
  return WebhookDeliveryError.CONNECTION_FAILED;
}

class DeliveryTimeout extends Error {}

/**
 * POSTs deliveries with node's own client: only to checked addresses (see webhook-destination.ts),
 * no redirects followed (a 3xx is a failure), one deadline for connecting and the whole answer, and
 * at most RESPONSE_BODY_LIMIT of the answer read. A fresh connection each time: nothing of one
 * receiver's connection is reused for another.
 */
export function httpWebhookSender(policy: DestinationPolicy, timeoutMs: number): WebhookSender {
  const lookup = guardedLookup(policy);
  return (request) =>
    new Promise<WebhookResponse>((resolve) => {
      const started = performance.now();
      let settled = false;
      let bodyBytes = 0;
      const finish = (outcome: Omit<WebhookResponse, "durationMs" | "bodyBytes">) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ ...outcome, durationMs: Math.round(performance.now() - started), bodyBytes });
      };
      const failed = (cause: unknown) =>
        finish({
          ok: false,
          status: null,
          error: cause instanceof DeliveryTimeout ? WebhookDeliveryError.TIMEOUT : classify(cause),
          cause,
        });
      let target: URL;
      try {
        target = parseDestination(request.url, policy);
        // A literal address is connected to without a lookup, so it is checked here.
        const host = hostOf(target);
        if (net.isIP(host) && !isAllowedAddress(host, policy)) throw new DestinationRefused("internalAddress", host);
      } catch (error) {
        settled = true;
        resolve({ ok: false, status: null, error: classify(error), durationMs: 0, bodyBytes: 0, cause: error });
        return;
      }
      const client = target.protocol === "https:" ? https : http;
      const outgoing = client.request(
        target,
        {
          method: "POST",
          agent: false,
          lookup: lookup as unknown as net.LookupFunction,
          headers: {
            ...request.headers,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(request.body, "utf8"),
            "user-agent": "contact-points-webhooks",
          },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          response.on("data", (chunk: Buffer) => {
            bodyBytes += chunk.length;
            // Enough read: the status is what counts; the rest of a large answer is not waited for.
            if (bodyBytes >= RESPONSE_BODY_LIMIT) {
              bodyBytes = Math.min(bodyBytes, RESPONSE_BODY_LIMIT);
              respond();
              response.destroy();
            }
          });
          const respond = () => {
            if (status >= 200 && status < 300) finish({ ok: true, status, error: null });
            else
              finish({
                ok: false,
                status,
                error: status >= 300 && status < 400 ? WebhookDeliveryError.REDIRECT : WebhookDeliveryError.HTTP_STATUS,
              });
          };
          response.on("end", respond);
          response.on("error", failed);
          response.on("aborted", () => failed(new Error("The answer was cut off")));
        },
      );
      const deadline = setTimeout(() => {
        failed(new DeliveryTimeout(`No complete answer within ${timeoutMs} ms`));
        outgoing.destroy();
      }, timeoutMs);
      outgoing.on("error", failed);
      outgoing.end(request.body);
    });
}
