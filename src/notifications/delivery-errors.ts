/**
 * Why a message could not be sent, in words a member may read: what kind of failure and the SMTP
 * reply code, never the mail server's host, port or reply text. The full error goes to the log.
 */

export const DELIVERY_FAILURES = ["UNREACHABLE", "TIMEOUT", "SIGN_IN_REFUSED", "RECIPIENT_REFUSED", "MESSAGE_REFUSED", "OTHER"] as const;
export type DeliveryFailure = (typeof DELIVERY_FAILURES)[number];

/** What is stored in `lastError`: the kind, then the SMTP reply code when there is one (`RECIPIENT_REFUSED 451`). */
export interface ClassifiedFailure {
  failure: DeliveryFailure;
  smtpCode: number | null;
}

/** nodemailer's error codes, by the failure they mean. */
const BY_CODE: Record<string, DeliveryFailure> = {
  ECONNECTION: "UNREACHABLE",
  EDNS: "UNREACHABLE",
  ECONNREFUSED: "UNREACHABLE",
  ENOTFOUND: "UNREACHABLE",
  EHOSTUNREACH: "UNREACHABLE",
  ETIMEDOUT: "TIMEOUT",
  EAUTH: "SIGN_IN_REFUSED",
  ENOAUTH: "SIGN_IN_REFUSED",
  EENVELOPE: "RECIPIENT_REFUSED",
  EMESSAGE: "MESSAGE_REFUSED",
};

export function classifyDeliveryError(error: unknown): ClassifiedFailure {
  const { code, responseCode, command } = (typeof error === "object" && error !== null ? error : {}) as {
    code?: unknown;
    responseCode?: unknown;
    command?: unknown;
  };
  const smtpCode = typeof responseCode === "number" && responseCode >= 200 && responseCode < 600 ? responseCode : null;
  let failure: DeliveryFailure = typeof code === "string" ? (BY_CODE[code] ?? "OTHER") : "OTHER";
  // nodemailer reports a refused, reset or timed-out connection as ESOCKET, with the system's code in the text.
  if (code === "ESOCKET") failure = /ETIMEDOUT|timed? ?out/i.test(error instanceof Error ? error.message : "") ? "TIMEOUT" : "UNREACHABLE";
  if (failure === "OTHER" && smtpCode !== null) failure = command === "RCPT TO" ? "RECIPIENT_REFUSED" : "MESSAGE_REFUSED";
  return { failure, smtpCode };
}

export function storedFailure({ failure, smtpCode }: ClassifiedFailure): string {
  return smtpCode === null ? failure : `${failure} ${smtpCode}`;
}

/** Reads `lastError` back; text stored by an older release (which held the server's own words) reads as OTHER. */
export function parseStoredFailure(stored: string): ClassifiedFailure {
  const match = /^([A-Z_]+)(?: (\d{3}))?$/.exec(stored);
  const failure = match && (DELIVERY_FAILURES as readonly string[]).includes(match[1]!) ? (match[1] as DeliveryFailure) : "OTHER";
  return { failure, smtpCode: match && failure !== "OTHER" && match[2] ? Number(match[2]) : null };
}

/** An error's text for the log: one line, every email address replaced, since log lines carry no recipient. */
export function loggedErrorText(error: unknown, maxLength = 1000): string {
  const text = error instanceof Error ? error.message : String(error);
  return withoutAddresses(text).replace(/\s+/g, " ").trim().slice(0, maxLength) || "Unknown error";
}

export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g, "<address>");
}
