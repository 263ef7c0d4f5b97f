import { createHash } from "node:crypto";
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import type pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config";
import type { Database } from "../database";
import { DomainError } from "../errors";
import type { Logger } from "../observability/logger";
import type { Metrics } from "../observability/metrics";

/** What taking from an allowance answered: 0 seconds to wait when allowed, and the mutations left afterwards. */
export interface Spent {
  wait: number;
  remaining: number;
}

/** How many mutations each caller may still send; counted in this process or shared by all of them. */
export interface MutationAllowance {
  readonly limit: number;
  readonly windowMs: number;
  readonly enabled: boolean;
  /**
   * Takes `count` mutations from `caller`'s allowance; answers 0 if allowed, or the seconds to wait. A refusal
   * spends nothing. `requestId` names the request in a log line the store's failure writes.
   */
  take(caller: string, count: number, requestId?: string): number | Promise<number>;
  /** As `take`, also saying how many mutations the caller has left. */
  spend(caller: string, count: number, requestId?: string): Spent | Promise<Spent>;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Above this many tracked callers, callers whose allowance is full again are forgotten. */
const SWEEP_ABOVE = 10_000;

/**
 * How many mutations each caller may send: a token bucket per caller that holds `limit` mutations and
 * refills at `limit` per window, so a burst of `limit` is allowed and then `limit` per window.
 * It lives in this process's memory: each server process counts on its own, and a restart forgets.
 * SQLite uses it; on PostgreSQL it stands in while the shared count cannot be reached.
 */
export class MutationRateLimiter implements MutationAllowance {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.limit > 0;
  }

  /** Takes `count` mutations from `caller`'s allowance; answers 0 if allowed, or the seconds to wait. */
  take(caller: string, count: number): number {
    return this.spend(caller, count).wait;
  }

  spend(caller: string, count: number): Spent {
    if (!this.enabled) return { wait: 0, remaining: 0 };
    const now = this.now();
    const perMs = this.limit / this.windowMs;
    const previous = this.buckets.get(caller);
    const tokens = previous ? Math.min(this.limit, previous.tokens + (now - previous.at) * perMs) : this.limit;
    if (count === 0) return { wait: 0, remaining: Math.floor(tokens) };
    if (tokens >= count) {
      this.buckets.set(caller, { tokens: tokens - count, at: now });
      if (this.buckets.size > SWEEP_ABOVE) this.sweep(now, perMs);
      return { wait: 0, remaining: Math.floor(tokens - count) };
    }
    this.buckets.set(caller, { tokens, at: now });
    return { wait: Math.max(1, Math.ceil((Math.min(count, this.limit) - tokens) / perMs / 1000)), remaining: Math.floor(tokens) };
  }

  /** How many callers are tracked (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(now: number, perMs: number): void {
    for (const [caller, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.at) * perMs >= this.limit) this.buckets.delete(caller);
    }
  }
}

/** How many mutations an operation runs: its root fields (each alias counts), `__typename` aside. */
export function mutationCount(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): number {
  if (operation.operation !== "mutation") return 0;
  const count = (selectionSet: SelectionSetNode, seen: Set<string>): number =>
    selectionSet.selections.reduce((sum, selection) => {
      if (selection.kind === Kind.FIELD) return sum + (selection.name.value === "__typename" ? 0 : 1);
      if (selection.kind === Kind.INLINE_FRAGMENT) return sum + count(selection.selectionSet, seen);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return sum;
      return sum + count(fragment.selectionSet, new Set([...seen, fragment.name.value]));
    }, 0);
  return count(operation.selectionSet, new Set());
}

export function rateLimited(retryAfterSeconds: number, limiter: MutationAllowance): DomainError {
  const window = Math.round(limiter.windowMs / 1000);
  return new DomainError(
    "RATE_LIMITED.tooManyChanges",
    { limit: limiter.limit, window, retryAfter: retryAfterSeconds },
    { retryAfterSeconds },
  );
}

/** The table migration 1796500000000 creates; rate-limiter-flexible reads and writes it. */
const RATE_LIMIT_TABLE = "mutation_rate_limits";
/** A refusal this close to the end of the window is not refunded: the window's count is about to go anyway. */
const REFUND_MIN_MS = 1000;

/**
 * One allowance per caller for every process on a PostgreSQL database: at most `limit` mutations in a
 * window of `windowMs` that starts at the caller's first mutation, counted by rate-limiter-flexible in
 * one `INSERT … ON CONFLICT DO UPDATE` per request on the service's own pool. Callers are stored as a
 * SHA-256 of their key, so the table holds no addresses and emails, and every key fits its column.
 *
 * When the table cannot be reached, mutations are counted in this process instead (fail open, but not
 * unlimited): the store is the database every mutation needs anyway, and refusing all changes because a
 * counter failed would turn a fault of the limiter into an outage. Each failure is counted in the
 * metrics; the first of a run, and the recovery, are logged.
 */
export class SharedMutationRateLimiter implements MutationAllowance {
  private readonly store: RateLimiterPostgres;
  private readonly fallback: MutationRateLimiter;
  private storeFailing = false;

  constructor(
    pool: pg.Pool,
    readonly limit: number,
    readonly windowMs: number,
    private readonly logger: Logger,
    private readonly metrics: Metrics | null,
  ) {
    this.store = new RateLimiterPostgres({
      storeClient: pool,
      storeType: "pool",
      tableName: RATE_LIMIT_TABLE,
      tableCreated: true, // by the migration, not by the library at start-up
      keyPrefix: "mutations",
      points: limit,
      duration: windowMs / 1000,
    });
    this.fallback = new MutationRateLimiter(limit, windowMs);
  }

  get enabled(): boolean {
    return this.limit > 0;
  }

  async take(caller: string, count: number, requestId?: string): Promise<number> {
    return (await this.spend(caller, count, requestId)).wait;
  }

  /** A request without mutations reads nothing: what is left is said only where mutations are counted. */
  async spend(caller: string, count: number, requestId?: string): Promise<Spent> {
    if (!this.enabled || count === 0) return { wait: 0, remaining: 0 };
    const key = createHash("sha256").update(caller).digest("hex");
    try {
      const taken = await this.store.consume(key, count);
      this.storeAnswered();
      return { wait: 0, remaining: Math.max(0, taken.remainingPoints) };
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) return this.countHere(caller, count, outcome, requestId);
      this.storeAnswered();
      // consume() counted the refused mutations too; handing them back keeps a refusal free.
      let remaining = 0;
      if (outcome.msBeforeNext > REFUND_MIN_MS) {
        remaining = Math.max(0, this.limit - (outcome.consumedPoints - count));
        await this.store.reward(key, count).catch((error: unknown) => this.storeFailed(error, requestId));
      }
      return { wait: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)), remaining };
    }
  }

  private countHere(caller: string, count: number, error: unknown, requestId: string | undefined): Spent {
    this.storeFailed(error, requestId);
    return this.fallback.spend(caller, count);
  }

  private storeFailed(error: unknown, requestId: string | undefined): void {
    this.metrics?.rateLimitStoreFailed();
    if (this.storeFailing) return;
    this.storeFailing = true;
    this.logger.error(
      requestId === undefined ? { err: error } : { err: error, reqId: requestId },
      "The shared mutation rate limit cannot be read; each process counts mutations on its own until it can.",
    );
  }

  private storeAnswered(): void {
    if (!this.storeFailing) return;
    this.storeFailing = false;
    this.logger.info("The shared mutation rate limit answers again.");
  }
}

/** The mutation limit for this database: shared through PostgreSQL, or this process's own on SQLite. */
export function createMutationRateLimiter(config: Config, db: Database, logger: Logger, metrics: Metrics | null): MutationAllowance {
  const windowMs = config.mutationRateWindowSeconds * 1000;
  const pool = db.pool;
  if (pool && config.mutationRateLimit > 0) return new SharedMutationRateLimiter(pool, config.mutationRateLimit, windowMs, logger, metrics);
  return new MutationRateLimiter(config.mutationRateLimit, windowMs);
}
