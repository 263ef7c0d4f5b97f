import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";
import { simpleParser } from "mailparser";

export interface ReceivedMail {
  to: string[];
  raw: string;
  /** The subject, decoded. */
  subject: string;
  mail: ParsedMail;
}

/** A real SMTP server on loopback that keeps what it receives and refuses recipients as told. */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  readonly refused: string[] = [];
  /** Recipients refused on their first attempt only. */
  readonly refuseOnce = new Set<string>();
  /** Recipients always refused. */
  readonly refuseAlways = new Set<string>();
  /** Recipients whose RCPT TO is never answered (a hung server) until `release()`. */
  readonly hangOn = new Set<string>();
  private readonly hung: ((error?: Error) => void)[] = [];
  private readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      disabledCommands: ["AUTH", "STARTTLS"],
      authOptional: true,
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        const to = address.address;
        if (this.hangOn.has(to)) {
          this.hung.push(callback);
          return;
        }
        if (this.refuseAlways.has(to) || this.refuseOnce.delete(to)) {
          this.refused.push(to);
          const error = Object.assign(new Error(`Mailbox ${to} is busy, try again later`), { responseCode: 451 });
          return callback(error);
        }
        callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          void parseMail(raw).then((mail) => {
            this.received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), raw, subject: mail.subject, mail });
            callback();
          }, callback);
        });
      },
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** How many RCPT TO commands wait unanswered. */
  get hanging(): number {
    return this.hung.length;
  }

  /** Answers every hung RCPT TO with a temporary failure, so the clients waiting on them finish. */
  release(): void {
    this.hangOn.clear();
    for (const callback of this.hung.splice(0)) callback(Object.assign(new Error("Try again later"), { responseCode: 451 }));
  }

  to(email: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.includes(email));
  }

  close(): Promise<void> {
    this.release();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface ParsedMail {
  /** Every header line's name, lower-cased, in order. */
  headerNames: string[];
  from: string;
  subject: string;
  /** The plain-text body, decoded. */
  text: string;
}

/** A received message as a mail client reads it (headers decoded, quoted-printable undone). */
export async function parseMail(raw: string): Promise<ParsedMail> {
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  return {
    headerNames: parsed.headerLines.map((line) => line.key),
    from: parsed.headerLines.find((line) => line.key === "from")?.line ?? "",
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
  };
}
