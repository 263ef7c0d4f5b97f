import fs from "node:fs";
import path from "node:path";
import nodemailer from "nodemailer";

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
  close(): void;
}

/** SMTP through nodemailer, e.g. `smtp://user:pass@mail.example.com:587` or `smtps://…:465`. */
export function smtpTransport(url: string, from: string, timeoutMs = 10_000): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  const { host, port } = new URL(url);
  return {
    description: `SMTP server ${host}${port ? `:${port}` : ""}`,
    async send(message) {
      await transporter.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transporter.close();
    },
  };
}

/** For development without a mail server: each message is appended to a file, readable as plain text. */
export function logFileTransport(file: string, from: string): MailTransport {
  return {
    description: `the file ${file} (no SMTP_URL set)`,
    async send(message) {
      await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
      const entry = [
        `Date: ${new Date().toUTCString()}`,
        `From: ${from}`,
        `To: ${message.to}`,
        `Subject: ${message.subject}`,
        "",
        message.text,
        "",
        "-".repeat(72),
        "",
      ].join("\n");
      await fs.promises.appendFile(file, entry, "utf8");
    },
    close() {},
  };
}
