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

/**
 * Checks each operation once it is known and before anything runs: first how often a caller without a
 * token introspects, then its cost, then the caller's mutation allowance, so a refused operation never
 * spends the allowance.
 */
export function securityPlugin(limits: RequestLimits, limiter: MutationAllowance, metrics: Metrics | null = null): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue, response }) {
          if (!operation) return;
          const measured = measureOperation(schema, document, operation, request.variables ?? {});
          if (measured) {
            if (contextValue.caller.kind !== "identified") checkAnonymousIntrospections(measured.introspections);
            checkCost(measured.cost, limits.maxCost);
          }
          if (!limiter.enabled) return;
          const wait = await limiter.take(rateLimitKey(contextValue), mutationCount(operation, fragmentsOf(document)), contextValue.scope?.requestId);
          if (wait > 0) {
            metrics?.mutationsRefused();
            response.http.headers.set("retry-after", String(wait));
            throw rateLimited(wait, limiter);
          }
        },
      };
    },
  };
}
