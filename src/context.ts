import type { Database } from "./database";
import type { Identity } from "./auth/tokens";
import type { User } from "./users/user.entity";
import { createLoaders, type Loaders } from "./loaders";
import { createHealthLoaders, type HealthLoaders } from "./health/health.loaders";
import type { Outbox } from "./outbox/outbox.service";

/** Who the request says it comes from, before the user record is looked up. */
export type Caller =
  | { kind: "anonymous" }
  | { kind: "invalid"; reason: string }
  | { kind: "identified"; identity: Identity };

/** The per-request context every resolver receives. */
export class Context {
  /** The signed-in user; set by the auth checker on the first field that needs it. */
  viewer: User | null = null;
  viewerLoading: Promise<User> | null = null;
  loaders: Loaders;
  /** Loaders for contact health (verifications, failed deliveries). */
  health: HealthLoaders;

  constructor(
    readonly db: Database,
    readonly caller: Caller,
    /** Where mail is queued, within the caps the configuration sets. */
    readonly outbox: Outbox,
    /** The client's address (from X-Forwarded-For only when TRUST_PROXY trusts the proxy): callers without a token are counted by it. */
    readonly clientAddress = "unknown",
  ) {
    this.loaders = createLoaders(db);
    this.health = createHealthLoaders(db);
  }

  /** Forgets everything loaded so far: called after each mutation so its answer shows the new state. */
  refresh(): void {
    this.loaders = createLoaders(this.db);
    this.health = createHealthLoaders(this.db);
  }

  get requiredViewer(): User {
    if (!this.viewer) throw new Error("The auth checker did not run before a resolver that needs the viewer.");
    return this.viewer;
  }
}
