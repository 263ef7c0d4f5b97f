export interface PollingLoopOptions {
  /** The wait before the next round when the last one left nothing more to do. */
  pollMs: number;
  /** How long `stop` waits for the round in flight. */
  stopWaitMs: number;
  /** Told when a round throws; the loop carries on after `pollMs`. */
  onRoundError: (error: unknown) => void;
}

/**
 * Runs `round` again and again on a timer, one round at a time: at once while a round says there is
 * more to do, after `pollMs` when it says there is not. The timer does not keep the process alive.
 * Background workers (the mail outbox, webhook deliveries) run on it, each with its own round.
 */
export class PollingLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;

  constructor(
    /** One round of work; resolves true when more work is waiting. */
    private readonly round: () => Promise<boolean>,
    private readonly options: PollingLoopOptions,
  ) {}

  /** Starts the first round at once; does nothing while already started. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Schedules no further round and waits for the one in flight, for at most `stopWaitMs`. Resolves
   * false when it stopped waiting with a round still running.
   */
  async stop(): Promise<boolean> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.running.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.options.stopWaitMs))),
    ]);
    clearTimeout(timer);
    return finished;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const round = this.round()
        .catch((error: unknown) => {
          this.options.onRoundError(error);
          return false;
        })
        .then((more) => this.schedule(more ? 0 : this.options.pollMs))
        .finally(() => {
          if (this.running === round) this.running = null;
        });
      this.running = round;
    }, delayMs);
    this.timer.unref();
  }
}
