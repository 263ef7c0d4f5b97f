import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from "graphql";
import { DomainError, ErrorCode } from "../errors";

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
 */
export class MutationRateLimiter {
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
    if (!this.enabled || count === 0) return 0;
    const now = this.now();
    const perMs = this.limit / this.windowMs;
    const previous = this.buckets.get(caller);
    const tokens = previous ? Math.min(this.limit, previous.tokens + (now - previous.at) * perMs) : this.limit;
    if (tokens >= count) {
      this.buckets.set(caller, { tokens: tokens - count, at: now });
      if (this.buckets.size > SWEEP_ABOVE) this.sweep(now, perMs);
      return 0;
    }
    this.buckets.set(caller, { tokens, at: now });
    return Math.max(1, Math.ceil((Math.min(count, this.limit) - tokens) / perMs / 1000));
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

export function rateLimited(retryAfterSeconds: number, limiter: MutationRateLimiter): DomainError {
  const window = Math.round(limiter.windowMs / 1000);
  return new DomainError(
    ErrorCode.RATE_LIMITED,
    `Too many changes: at most ${limiter.limit} every ${window} seconds. Try again in ${retryAfterSeconds} seconds.`,
    { retryAfterSeconds },
  );
}
