import type { Config } from "../config";

/** The path, under PUBLIC_URL, of the page that confirms an address: `GET /verify/<token>` shows it, `POST /verify` answers it. */
export const CONFIRMATION_PATH = "/verify";

/** The path, under PUBLIC_URL, of the page answering an invitation: `GET /invitation/<token>` shows it, `POST /invitation` answers it. */
export const INVITATION_PATH = "/invitation";

/**
 * Where people outside the API are sent: PUBLIC_URL, or by default the address the server listens on
 * (its actual port once listening, so PORT=0 works too).
 */
export class ConfirmationLinks {
  constructor(
    private readonly config: Pick<Config, "publicUrl" | "verificationLinkUrl" | "host" | "port">,
    private readonly listeningPort: () => number | null = () => null,
  ) {}

  /** Scheme, host, port and any path prefix, without a trailing slash. */
  publicUrl(): string {
    if (this.config.publicUrl !== null) return this.config.publicUrl;
    const host = this.config.host.includes(":") && !this.config.host.startsWith("[") ? `[${this.config.host}]` : this.config.host;
    return `http://${host}:${this.listeningPort() ?? this.config.port}`;
  }

  /** The origin a browser names when it posts the page's form from this server. */
  origin(): string {
    return new URL(this.publicUrl()).origin;
  }

  /** The link a verification message carries: a frontend's own page when VERIFICATION_LINK_URL is set, else this server's. */
  verificationLink(token: string): string {
    if (this.config.verificationLinkUrl !== null) return `${this.config.verificationLinkUrl}?token=${token}`;
    return `${this.publicUrl()}${CONFIRMATION_PATH}/${token}`;
  }

  /** The link an invitation message carries: this server's invitation page. */
  invitationLink(token: string): string {
    return `${this.publicUrl()}${INVITATION_PATH}/${token}`;
  }

  /** Where the invitation page's buttons post to. */
  invitationFormAction(): string {
    return `${new URL(this.publicUrl()).pathname.replace(/\/$/, "")}${INVITATION_PATH}`;
  }

  /** Where the page's buttons post to: the same path under PUBLIC_URL's prefix, without the token. */
  formAction(): string {
    return `${new URL(this.publicUrl()).pathname.replace(/\/$/, "")}${CONFIRMATION_PATH}`;
  }
}
