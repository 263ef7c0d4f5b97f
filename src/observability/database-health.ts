import type { Database, OutcomeListener } from "../database";
import type { DatabaseUnavailableError } from "../errors";
import type { Logger } from "./logger";

/** While an outage lasts, one reminder line at most this often. */
export const OUTAGE_REMINDER_MS = 60_000;

type Access = "read" | "write";

interface AccessState {
  /** Since when reads (or writes) fail; null while they work. */
  failingSince: Date | null;
  /** Failures since the last line about them. */
  unreported: number;
  lastLine: number;
}

/** A fault's cause in a log line: what, not where. Its stack is the driver's and the same for every request of an outage. */
function describeCause(fault: DatabaseUnavailableError): Record<string, unknown> {
  const cause = fault.cause;
  if (!(cause instanceof Error)) return { message: String(cause) };
  const code = (cause as { code?: unknown }).code ?? (cause as { driverError?: { code?: unknown } }).driverError?.code;
  return {
    type: cause.constructor.name,
    message: cause.message,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
  };
}

/**
 * Whether the database serves reads and writes, from the outcome of every one of them. An outage is
 * logged when it starts (one `error` line with the cause, no stack), at most once a minute while it
 * lasts (how many requests failed meanwhile) and when it ends; requests answered SERVICE_UNAVAILABLE
 * in between add nothing to the log but their own request line.
 */
export class DatabaseHealth {
  private readonly states: Record<Access, AccessState> = {
    read: { failingSince: null, unreported: 0, lastLine: 0 },
    write: { failingSince: null, unreported: 0, lastLine: 0 },
  };
  private readonly listener: OutcomeListener = (during, _seconds, fault) => (fault ? this.failed(during, fault) : this.served(during));

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly reminderMs = OUTAGE_REMINDER_MS,
  ) {
    db.outcomeListeners.push(this.listener);
  }

  /** 1 while reads (or writes) work, 0 while they fail. */
  up(access: Access): 0 | 1 {
    return this.states[access].failingSince === null ? 1 : 0;
  }

  /** Stops listening to the database (the server stopped). */
  detach(): void {
    const index = this.db.outcomeListeners.indexOf(this.listener);
    if (index >= 0) this.db.outcomeListeners.splice(index, 1);
  }

  private failed(access: Access, fault: DatabaseUnavailableError): void {
    const state = this.states[access];
    const now = Date.now();
    if (state.failingSince === null) {
      state.failingSince = new Date(now);
      state.unreported = 0;
      state.lastLine = now;
      this.logger.error(
        { access, cause: describeCause(fault) },
        `Database unavailable for ${access}s: requests that need them answer SERVICE_UNAVAILABLE.`,
      );
      return;
    }
    state.unreported++;
    if (now - state.lastLine >= this.reminderMs) {
      this.logger.error(
        {
          access,
          failingSinceSeconds: Math.round((now - state.failingSince.getTime()) / 1000),
          failedSinceLastLine: state.unreported,
          cause: describeCause(fault),
        },
        `Database still unavailable for ${access}s.`,
      );
      state.unreported = 0;
      state.lastLine = now;
    }
  }

  private served(access: Access): void {
    const state = this.states[access];
    if (state.failingSince === null) return;
    const seconds = Math.round((Date.now() - state.failingSince.getTime()) / 100) / 10;
    this.logger.warn(
      { access, outageSeconds: seconds, failedSinceLastLine: state.unreported },
      `Database serves ${access}s again after ${seconds} s.`,
    );
    state.failingSince = null;
    state.unreported = 0;
  }
}
