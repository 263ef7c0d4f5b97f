import { createHash } from "node:crypto";
import { print, type DocumentNode } from "graphql";
import { HeaderMap, type ApolloServerPlugin, type GraphQLResponse } from "@apollo/server";
import type { EntityManager } from "typeorm";
import type { Database } from "../database";
import type { Caller } from "../context";
import { changeRows, selectRows, sql } from "../common/sql";
import { DomainError, ErrorCode } from "../errors";
import { FALLBACK_LOCALE, translate, type Locale } from "../i18n";

/*
 * `Idempotency-Key` on mutations, with Stripe's semantics: the same key with the same document and
 * variables gets the first answer again, without running anything; the same key with anything else is
 * refused (IDEMPOTENCY_KEY_REUSED). A key covers the whole request (every mutation of the document) and
 * belongs to one caller. Its row is written inside the transaction of the first change the request
 * commits, so a change is never kept without its key, even if the answer is lost; the answer is stored
 * once the request has run. A request that changed nothing leaves no row: running it again is safe.
 */

/** The header, as Stripe names it. */
export const IDEMPOTENCY_HEADER = "idempotency-key";
/** Printable ASCII, as a header carries it; a UUID fits easily. */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;
/** How long a retry waits for the first request with its key to finish before it is told to come back. */
const IN_FLIGHT_WAIT_MS = 5_000;
/** How often a waiting retry looks for the first answer. */
const IN_FLIGHT_POLL_MS = 100;

/** Who may use a key: a signed-in user by their address; anonymous callers (confirmation links) share one space. */
function callerScope(caller: Caller): string | null {
  if (caller.kind === "identified") return `user:${caller.identity.email.toLowerCase()}`;
  if (caller.kind === "anonymous") return "anonymous";
  return null;
}

/** The request as the key remembers it: the document (printed, so spacing does not matter), the operation and the variables. */
export function requestFingerprint(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]))
        : value;
  return createHash("sha256")
    .update(JSON.stringify([print(document), operationName ?? null, canonical(variables ?? {})]))
    .digest("hex");
}

/** One mutation request that carries a key. */
export class IdempotentRequest {
  /** Whether a transaction of this request has committed the key's row: the request owns the key. */
  claimed = false;

  constructor(
    readonly caller: string,
    readonly key: string,
    readonly fingerprint: string,
    /** How long keys are kept, in milliseconds: an older row of the same key is taken over. */
    private readonly keptMs: number,
  ) {}

  /**
   * Writes the key's row inside a change's transaction, unless an earlier change of this request did.
   * True when it wrote it; another request holding the key (running, or done) refuses the change.
   * On PostgreSQL a concurrent insert of the same key waits here for the other transaction to end.
   */
  async claim(manager: EntityManager): Promise<boolean> {
    if (this.claimed) return false;
    const rows = await selectRows(
      manager,
      sql`INSERT INTO "idempotency_keys" ("caller", "key", "fingerprint", "createdAt") VALUES (${this.caller}, ${this.key}, ${this.fingerprint}, ${Date.now()})
          ON CONFLICT ("caller", "key") DO UPDATE SET "fingerprint" = excluded."fingerprint", "createdAt" = excluded."createdAt", "status" = NULL, "response" = NULL
          WHERE "idempotency_keys"."createdAt" < ${Date.now() - this.keptMs} RETURNING "key"`,
    );
    if (rows.length === 0) throw new DomainError("IDEMPOTENCY_KEY_IN_USE.running", {}, { retryAfterSeconds: 1 });
    return true;
  }
}

interface StoredKey {
  fingerprint: string;
  createdAt: number;
  status: number | null;
  response: string | null;
}

async function storedKey(db: Database, caller: string, key: string, since: number): Promise<StoredKey | null> {
  const [row] = await db.select(
    sql`SELECT "fingerprint", "createdAt", "status", "response" FROM "idempotency_keys" WHERE "caller" = ${caller} AND "key" = ${key} AND "createdAt" >= ${since}`,
  );
  return row ? { fingerprint: String(row.fingerprint), createdAt: Number(row.createdAt), status: row.status == null ? null : Number(row.status), response: (row.response as string | null) ?? null } : null;
}

/** An answer of this plugin's own: one error with its code, in the request's language. */
function refusal(code: ErrorCode, key: `${ErrorCode}.${string}`, status: number, locale: Locale, extensions: Record<string, unknown> = {}): GraphQLResponse {
  const headers = new HeaderMap();
  if (typeof extensions.retryAfterSeconds === "number") headers.set("retry-after", String(extensions.retryAfterSeconds));
  return {
    http: { status, headers },
    body: { kind: "single", singleResult: { errors: [{ message: translate(locale, key as Parameters<typeof translate>[1]), extensions: { code, ...extensions } }] } },
  };
}

export interface IdempotencySettings {
  /** How long keys are kept, in hours. */
  keyHours: number;
}

interface IdempotencyContext {
  caller: Caller;
  idempotency: IdempotentRequest | null;
  scope?: { locale?: Locale };
}

/**
 * Reads `Idempotency-Key` on mutations: answers a retry from the stored answer, refuses a key used for
 * another request, and stores the answer of a request that changed something. Keys older than
 * `keyHours` are forgotten (and deleted as new answers are stored).
 */
export function idempotencyPlugin<TContext extends IdempotencyContext>(db: Database, settings: IdempotencySettings, log: (error: unknown) => void): ApolloServerPlugin<TContext> {
  const keptMs = settings.keyHours * 3600_000;
  return {
    async requestDidStart({ request }) {
      const key = request.http?.headers.get(IDEMPOTENCY_HEADER);
      if (key === undefined) return;
      let replayed = false;
      return {
        async responseForOperation({ operation, document, contextValue, request: graphqlRequest }) {
          if (operation.operation !== "mutation") return null;
          const locale = contextValue.scope?.locale ?? FALLBACK_LOCALE;
          if (!KEY_SHAPE.test(key)) {
            return refusal(ErrorCode.BAD_USER_INPUT, "BAD_USER_INPUT.idempotencyKeyInvalid", 400, locale, {
              invalidFields: [{ field: "Idempotency-Key", message: translate(locale, "BAD_USER_INPUT.idempotencyKeyInvalid") }],
            });
          }
          const caller = callerScope(contextValue.caller);
          if (caller === null) return null; // an invalid token: the mutation is refused as UNAUTHENTICATED
          const fingerprint = requestFingerprint(document, graphqlRequest.operationName, graphqlRequest.variables);
          const deadline = Date.now() + IN_FLIGHT_WAIT_MS;
          for (;;) {
            const stored = await storedKey(db, caller, key, Date.now() - keptMs);
            if (!stored) break;
            if (stored.fingerprint !== fingerprint) return refusal(ErrorCode.IDEMPOTENCY_KEY_REUSED, "IDEMPOTENCY_KEY_REUSED.otherRequest", 422, locale);
            if (stored.response !== null) {
              replayed = true;
              return {
                http: { status: stored.status ?? 200, headers: new HeaderMap([["idempotent-replayed", "true"]]) },
                body: { kind: "single", singleResult: JSON.parse(stored.response) as Record<string, never> },
              };
            }
            // The first request with this key has committed a change and is still running, or stopped before it answered.
            if (Date.now() >= deadline) return refusal(ErrorCode.IDEMPOTENCY_KEY_IN_USE, "IDEMPOTENCY_KEY_IN_USE.running", 409, locale, { retryAfterSeconds: 1 });
            await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
          }
          contextValue.idempotency = new IdempotentRequest(caller, key, fingerprint, keptMs);
          return null;
        },
        async willSendResponse({ response, contextValue }) {
          const idempotent = contextValue.idempotency;
          if (replayed || !idempotent?.claimed || response.body.kind !== "single") return;
          // The answer as this plugin sees it; the plugins after it shape it the same way again when it is replayed.
          const body = JSON.stringify(response.body.singleResult);
          // The change is kept whatever happens here; a retry then hears IDEMPOTENCY_KEY_IN_USE rather than running it again.
          await db
            .write(async (manager) => {
              await changeRows(
                manager,
                sql`UPDATE "idempotency_keys" SET "status" = ${response.http.status ?? 200}, "response" = ${body} WHERE "caller" = ${idempotent.caller} AND "key" = ${idempotent.key}`,
              );
              await changeRows(manager, sql`DELETE FROM "idempotency_keys" WHERE "createdAt" < ${Date.now() - keptMs}`);
            })
            .catch(log);
        },
      };
    },
  };
}
