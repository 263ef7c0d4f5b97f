import type { Database, Writer } from "./database";
import type { Identity, TokenRefusal } from "./auth/tokens";
import type { User } from "./users/user.entity";
import type { Account } from "./accounts/account.entity";
import { AccountChange } from "./accounts/account-change";
import type { CreateLoaders, Loaders } from "./loaders";
import type { Outbox } from "./notifications/outbox.service";
import { parseGlobalId, rowIdOf } from "./common/global-id";
import { notFound } from "./errors";
import type { Locale } from "./i18n";
import type { ContactChange } from "./history/contact-change.entity";
import { contactChangesOfVersion } from "./history/history.queries";
import type { RequestScope } from "./common/request-scope";
import type { EntityManager } from "typeorm";
import type { IdempotentRequest } from "./idempotency/idempotency.service";
import type { AccountFeed } from "./live/account-feed.service";
import { webhookSettings, type WebhookSettings } from "./config";

/** Who the request says it comes from, before the user record is looked up. */
export type Caller = { kind: "anonymous" } | { kind: "invalid"; reason: TokenRefusal } | { kind: "identified"; identity: Identity };

/** The per-request context every resolver receives. */
export class Context {
  /** The signed-in user; set by the auth checker on the first field that needs it. */
  viewer: User | null = null;
  viewerLoading: Promise<User> | null = null;
  /** The per-request dataloaders every module adds to (see src/loaders.ts). */
  loaders: Loaders;
  /** The request's Idempotency-Key, when it is a mutation that carries one. */
  idempotency: IdempotentRequest | null = null;
  /** Where a subscription over WebSocket is fed its account's events; null over HTTP. */
  accountFeed: AccountFeed | null = null;

  constructor(
    readonly db: Database,
    /** Makes the request's loaders: the modules' (src/modules.ts). */
    private readonly createLoaders: CreateLoaders,
    readonly caller: Caller,
    /** Where mail is queued, within the caps the configuration sets. */
    readonly outbox: Outbox,
    /** The client's address (from X-Forwarded-For only when TRUST_PROXY trusts the proxy): callers without a token are counted by it. */
    readonly clientAddress = "unknown",
    /** The language of an account created without one (DEFAULT_LOCALE). */
    readonly defaultLocale: Locale = "en",
    /** The HTTP request's id, language and what its log line will say; absent outside the HTTP server. */
    readonly scope?: RequestScope,
    /** Where webhook endpoints may point, and how long a rotated secret keeps signing. */
    readonly webhooks: WebhookSettings = webhookSettings({}),
  ) {
    this.loaders = createLoaders(db);
  }

  /** Forgets everything loaded so far: called after each mutation so its answer shows the new state. */
  refresh(): void {
    this.loaders = this.createLoaders(this.db);
  }

  get requiredViewer(): User {
    if (!this.viewer) throw new Error("The auth checker did not run before a resolver that needs the viewer.");
    return this.viewer;
  }

  /** Opens a mutation's transactions: the key's row is written in the first that commits. A getter: Apollo runs an operation on a shallow copy of the context. */
  get writer(): Writer {
    return { write: (work) => this.write(work) };
  }

  /** Runs one transaction of a mutation; with an Idempotency-Key, the key is recorded in the first one that commits. */
  async write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const idempotency = this.idempotency;
    if (!idempotency) return this.db.write(work);
    let claimed = false;
    const result = await this.db.write(async (manager) => {
      claimed = await idempotency.claim(manager);
      return work(manager);
    });
    if (claimed) idempotency.claimed = true;
    return result;
  }

  /** The account with this global id as the viewer, its member, sees it; to anyone else it does not exist (NOT_FOUND). */
  async readableAccount(id: string, field: string): Promise<Account> {
    const account = await this.loaders.accountAsMember.load({ accountId: rowIdOf(id, "Account", field), userId: this.requiredViewer.id });
    if (!account) throw notFound();
    return account;
  }

  /**
   * The history rows a change wrote (those carrying the version it produced), for a payload's
   * `changes`: read after the commit, and only if the client asks for them.
   */
  writtenChanges(accountId: string, version: number | null): PromiseLike<ContactChange[]> {
    let rows: Promise<ContactChange[]> | undefined;
    const read = () => (rows ??= version === null ? Promise.resolve([]) : contactChangesOfVersion(this.db, accountId, version));
    // biome-ignore lint/suspicious/noThenProperty: a lazy thenable on purpose, so nothing is read unless the client awaits it.
    return { then: (fulfilled, rejected) => read().then(fulfilled, rejected) };
  }

  /**
   * The one place account changes are opened: a transaction holding the account's lock, the viewer
   * checked as an admin, `work` applied, the version bumped, and this request's loaders refreshed.
   * `accountId` is the account's global id, as a client sends it.
   */
  async changeAccount<TResult = void>(
    accountId: string,
    work: (change: AccountChange) => Promise<TResult>,
    expectedVersion?: number | null,
    access: "admin" | "member" = "admin",
  ): Promise<{ account: Account; result: TResult; changes: PromiseLike<ContactChange[]> }> {
    const [id] = parseGlobalId(accountId, "Account", "accountId");
    const outcome = await this.write(async (manager) => {
      const change = await AccountChange.open(manager, id!, this.requiredViewer, this.outbox, expectedVersion, access);
      const result = await work(change);
      const account = await change.finish();
      return { account, result, changes: this.writtenChanges(account.id, change.producedVersion()) };
    });
    this.refresh();
    return outcome;
  }
}
