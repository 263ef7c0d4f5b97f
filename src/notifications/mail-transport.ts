import fs from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";
import { headerValue } from "./mail-text";
import { makeDirectories, makePrivate, PRIVATE_FILE_MODE } from "../common/private-files";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Where the delivery worker hands messages. `send` resolves once the message is accepted. */
export interface MailTransport {
  /** For start-up logs: where messages go. */
  readonly description: string;
  send(message: MailMessage): Promise<void>;
  /** Checks that messages can be handed over now (the SMTP server answers and accepts the sign-in); rejects saying why. */
  verify(): Promise<void>;
  close(): void;
}

/** Rejects when `work` has not settled after `ms`. */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what} did not answer within ${ms} ms`), { code: "ETIMEDOUT" })), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** SMTP through nodemailer, e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…:465`. */
export function smtpTransport(url: string, from: string, timeoutMs = 10_000): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  // `host` carries the port when the URL names one, and never the credentials.
  const description = `SMTP server ${new URL(url).host}`;
  return {
    description,
    async send(message) {
      await transporter.sendMail({ from, to: message.to, subject: headerValue(message.subject), text: message.text });
    },
    async verify() {
      // Connecting, the greeting and the sign-in each have `timeoutMs`; the whole check gets three of them.
      await within(timeoutMs * 3, `The ${description}`, transporter.verify());
    },
    close() {
      transporter.close();
    },
  };
}

/** The date as an mbox "From " line gives it: `Fri Nov 27 07:19:56 2026`, in UTC. */
function asctime(date: Date): string {
  const [weekday, day, month, year, time] = date.toUTCString().replace(",", "").split(" ");
  return `${weekday} ${month} ${day!.replace(/^0/, " ")} ${time} ${year}`;
}

/**
 * For development without a mail server: messages are appended to a file in mbox format (mboxrd),
 * plain UTF-8 text a person can read and a mail client can open. Header values are one line each,
 * and a body line that could pass for the start of another message is quoted with `>`, so no
 * message text can add a header or a message of its own.
 */
export function logFileTransport(file: string, from: string): MailTransport {
  // A log left 0644 by an older release would go on showing every new link to other local users.
  makePrivate(file);
  return {
    description: `the file ${file}`,
    async send(message) {
      makeDirectories(path.dirname(path.resolve(file)));
      const now = new Date();
      const body = message.text.replace(/\r\n?/g, "\n").replace(/^(>*From )/gm, ">$1");
      const entry = [
        `From contact-points ${asctime(now)}`,
        `Date: ${now.toUTCString()}`,
        `From: ${headerValue(from)}`,
        `To: ${headerValue(message.to)}`,
        `Subject: ${headerValue(message.subject)}`,
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        body,
        "",
        "",
      ].join("\n");
      // Unsent-message text may carry a live verification link: readable by the service's user only.
      await fs.promises.appendFile(file, entry, { encoding: "utf8", mode: PRIVATE_FILE_MODE });
    },
    async verify() {
      // The file, or the nearest folder that exists, where the first message will create the rest.
      let target = path.resolve(file);
      while (!fs.existsSync(target) && path.dirname(target) !== target) target = path.dirname(target);
      await fs.promises.access(target, fs.constants.W_OK);
    },
    close() {},
  };
}
