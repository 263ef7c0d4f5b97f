import { createHash } from "node:crypto";
import { print, type DocumentNode } from "graphql";
import type { EntityManager } from "typeorm";
import type { Database } from "../database";
import { DomainError } from "../errors";
import { insertKeyRow, keyRow, storeAnswerRow, type StoredKey } from "./idempotency.queries";

/*
 * `Idempotency-Key` on mutations, with Stripe's semantics: the same key with the same document and
 * variables gets the first answer again, without running anything; the same key with anything else is
 * refused (IDEMPOTENCY_KEY_REUSED). A key covers the whole request (every mutation of the document) and
 * belongs to one caller. Its row is written inside the transaction of the first change the request
 * commits, so a change is never kept without its key, even if the answer is lost; the answer is stored
 * once the request has run. A request that changed nothing leaves no row: running it again is safe.
 */

/** The request as the key remembers it: the document (printed, so spacing does not matter), the operation and the variables. */
export function requestFingerprint(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === "object"
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
          )
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
   */
  async claim(manager: EntityManager): Promise<boolean> {
    if (this.claimed) return false;
    const now = Date.now();
    if (!(await insertKeyRow(manager, this.caller, this.key, this.fingerprint, now, now - this.keptMs))) {
      throw new DomainError("IDEMPOTENCY_KEY_IN_USE.running", {}, { retryAfterSeconds: 1 });
    }
    return true;
  }

  /** Stores the answer this request gave, for its retries. */
  storeAnswer(db: Database, status: number, response: string): Promise<void> {
    return db.write((manager) => storeAnswerRow(manager, this.caller, this.key, status, response, Date.now() - this.keptMs));
  }
}

/** The live row of a caller's key, if any. */
export function storedKey(db: Database, caller: string, key: string, keptMs: number): Promise<StoredKey | null> {
  return keyRow(db, caller, key, Date.now() - keptMs);
}
