import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";
import type { RequestLimits } from "../config";
import { checkAnonymousIntrospections, checkCost, fragmentsOf, measureOperation } from "./cost";
import { mutationCount, rateLimited, type MutationAllowance } from "./rate-limit";
import type { Metrics } from "../observability/metrics";

/** Who a mutation is counted against: the signed-in person (whichever token they use), else the address. */
export function rateLimitKey(context: Context): string {
  const caller = context.caller;
  if (caller.kind === "identified") return `user:${caller.identity.email}`;
  // On the context itself: Apollo runs each operation with a shallow copy of the context object.
  return `address:${context.clientAddress}`;
}

/** What `extensions.cost` says on every answer. */
export interface CostReport {
  /** The operation's cost in points, or null when it was refused before it could be costed (syntax, validation). */
  requested: number | null;
  /** The most one operation may cost (MAX_QUERY_COST). */
  limit: number;
  /** On an operation with mutations, while the mutation rate limit is on: the caller's allowance after it. */
  mutations?: { limit: number; remaining: number; windowSeconds: number };
}

/** The cost report of a request refused before its operation was known. */
export function uncostedReport(limits: RequestLimits): CostReport {
  return { requested: null, limit: limits.maxCost };
}

/**
 * Checks each operation once it is known and before anything runs: first how often a caller without a
 * token introspects, then its cost, then the caller's mutation allowance, so a refused operation never
 * spends the allowance. Every answer then reports the cost and the allowance in `extensions.cost`.
 */
export function securityPlugin(
  limits: RequestLimits,
  limiter: MutationAllowance,
  metrics: Metrics | null = null,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const report = uncostedReport(limits);
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue, response }) {
          if (!operation) return;
          const measured = measureOperation(schema, document, operation, request.variables ?? {});
          if (measured) {
            report.requested = measured.cost;
            if (contextValue.caller.kind !== "identified") checkAnonymousIntrospections(measured.introspections);
            checkCost(measured.cost, limits.maxCost);
          }
          const mutations = mutationCount(operation, fragmentsOf(document));
          if (!limiter.enabled || mutations === 0) return;
          const { wait, remaining } = await limiter.spend(rateLimitKey(contextValue), mutations, contextValue.scope?.requestId);
          report.mutations = { limit: limiter.limit, remaining, windowSeconds: Math.round(limiter.windowMs / 1000) };
          if (wait > 0) {
            metrics?.mutationsRefused();
            response.http.headers.set("retry-after", String(wait));
            throw rateLimited(wait, limiter);
          }
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== "single") return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: report };
        },
      };
    },
  };
}
