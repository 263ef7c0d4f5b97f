import type { CommittedEvent, Database } from "../database";
import { memberChangesOfEvents, membershipsOf } from "../members/member.queries";
import { accountsByIds, settingChangesOfEvents } from "../accounts/account.queries";
import { contactChangesOfEvents } from "../history/history.queries";
import { groupBy } from "../common/group-by";
import type { Account } from "../accounts/account.entity";
import type { AccountMember } from "../members/account-member.entity";
import type { ContactChange } from "../history/contact-change.entity";
import type { MemberChange } from "../members/member-change.entity";
import type { AccountSettingChange } from "../accounts/account-setting-change.entity";
import { accountEventsAfter, latestEventSequences } from "../events/change-log.queries";
import type { AccountEvent } from "../events/account-event.entity";

/**
 * Live updates in one process. Committed events reach the feed as ids (`notify`: from this process's
 * commits, and on PostgreSQL from every process's through LISTEN); the rows are read again from
 * `account_events`, once per account however many subscribe to it, from the lowest sequence one of them
 * has been handed. Each subscriber is handed every event after its own last one, in order, exactly once,
 * however notifications coalesce or get lost: a notification only says "read again".
 */

/** The history rows an event wrote: read once per batch for every subscriber of the account. */
export interface EventRows {
  changes: ContactChange[];
  memberChanges: MemberChange[];
  settingChanges: AccountSettingChange[];
}

/**
 * What a subscriber is handed: an event (with the rows it wrote, the account as read with the batch
 * and the subscriber's membership), a marker that it must reload, or the end of its access.
 */
export type FeedItem =
  | { kind: "event"; event: AccountEvent; rows: EventRows; account: Account; member: AccountMember }
  /** More was missed than is sent again: reload the account and go on from `sequence`. */
  | { kind: "reload"; accountId: string; sequence: number }
  /** The viewer is no longer a member: nothing more is sent. */
  | { kind: "revoked" };

/** Events read per statement while catching up. */
const READ_BATCH = 100;
/** Events waiting for one slow client at most; more and they collapse into one reloadRequired. */
const MAX_QUEUED = 1000;
/** After a failed read, how long before the account's events are read again. */
const RETRY_MS = 1000;

/** One subscription's queue of items, read as an async iterator by the GraphQL subscription. */
export class Subscriber implements AsyncIterableIterator<FeedItem> {
  private readonly queue: FeedItem[] = [];
  private waiting: ((result: IteratorResult<FeedItem>) => void) | null = null;
  private ended = false;

  constructor(
    readonly accountId: string,
    readonly userId: string,
    /** The last sequence handed to this subscriber. */
    public delivered: number,
    private readonly onEnd: (subscriber: Subscriber) => void,
    /** Events queued at most for a client that reads slowly; past that they collapse into one reload. */
    private readonly maxQueued = Number.POSITIVE_INFINITY,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  push(item: FeedItem): void {
    if (this.ended) return;
    if (item.kind === "event") this.delivered = item.event.sequence;
    if (item.kind === "reload") this.delivered = item.sequence;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: item, done: false });
    } else if (item.kind === "event" && this.queue.length >= this.maxQueued) {
      // A client this far behind is told to reload, as one that resumes after too long away is.
      this.queue.length = 0;
      this.queue.push({ kind: "reload", accountId: this.accountId, sequence: item.event.sequence });
    } else {
      this.queue.push(item);
    }
  }

  /** No more items after those queued. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this);
    if (this.waiting && this.queue.length === 0) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<FeedItem>> {
    const item = this.queue.shift();
    if (item) return Promise.resolve({ value: item, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The client completed the subscription or its socket closed. */
  return(): Promise<IteratorResult<FeedItem>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<FeedItem> {
    return this;
  }
}

/** The subscribers of one account in this process, and the one reader that serves them. */
class AccountStream {
  readonly subscribers = new Set<Subscriber>();
  private running = false;
  private again = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Database,
    readonly accountId: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Reads again (now, or right after the read under way). */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  stop(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.catchUp();
      } while (this.again);
    } catch (error) {
      this.onError(error);
      this.retry ??= setTimeout(() => {
        this.retry = null;
        this.wake();
      }, RETRY_MS);
    } finally {
      this.running = false;
    }
  }

  /** Hands every subscriber the events after its own last one; a subscriber who is no longer a member is handed its end instead. */
  private async catchUp(): Promise<void> {
    for (;;) {
      const live = [...this.subscribers].filter((subscriber) => !subscriber.isEnded);
      if (live.length === 0) return;
      const from = Math.min(...live.map((subscriber) => subscriber.delivered));
      const events = await this.db.read((manager) => accountEventsAfter(manager, this.accountId, from, READ_BATCH));
      if (events.length === 0) return;
      // Checked after the events are read: a removal committed before them is seen, and its own event is not sent.
      const userIds = [...new Set(live.map((subscriber) => subscriber.userId))];
      const sequences = events.map((event) => event.sequence);
      // Once for every subscriber: the resolvers find these in their loaders instead of asking each.
      const [memberships, [account], changes, memberChanges, settingChanges] = await this.db.read((manager) =>
        Promise.all([
          membershipsOf(manager, [this.accountId], userIds),
          accountsByIds(manager, [this.accountId]),
          contactChangesOfEvents(manager, this.accountId, sequences),
          memberChangesOfEvents(manager, this.accountId, sequences),
          settingChangesOfEvents(manager, this.accountId, sequences),
        ]),
      );
      const members = new Map(memberships.map((member) => [member.userId, member]));
      const byEvent = <TRow extends { eventSequence: number | null }>(rows: TRow[]) => groupBy(rows, (row) => row.eventSequence);
      const [contactRows, memberRows, settingRows] = [byEvent(changes), byEvent(memberChanges), byEvent(settingChanges)];
      const rowsOf = (sequence: number): EventRows => ({
        changes: contactRows.get(sequence) ?? [],
        memberChanges: memberRows.get(sequence) ?? [],
        settingChanges: settingRows.get(sequence) ?? [],
      });
      for (const subscriber of live) {
        if (subscriber.isEnded) continue;
        const member = members.get(subscriber.userId);
        if (!member || !account) {
          subscriber.push({ kind: "revoked" });
          subscriber.end();
          continue;
        }
        for (const event of events)
          if (event.sequence > subscriber.delivered)
            subscriber.push({ kind: "event", event, rows: rowsOf(event.sequence), account, member });
      }
      if (events.length < READ_BATCH) return;
    }
  }
}

export interface FeedOptions {
  /** Events after `afterSequence` sent again at most; with more missed, the subscriber is told to reload. */
  resumeLimit: number;
  /** Told of a read that failed (it is tried again). */
  onError?: (error: unknown) => void;
}

/** The live-update subscriptions of one process, fed by committed events. */
export class AccountFeed {
  private readonly streams = new Map<string, AccountStream>();
  private readonly listener = (event: CommittedEvent) => this.notify(event);

  constructor(
    private readonly db: Database,
    private readonly options: FeedOptions,
  ) {
    db.committedEvents.push(this.listener);
  }

  /** An event was committed (here or, on PostgreSQL, by any process): its account's subscribers read again. */
  notify(event: CommittedEvent): void {
    this.streams.get(event.accountId)?.wake();
  }

  /** Every account read again: after notifications may have been lost (the PostgreSQL listener reconnected). */
  catchUpAll(): void {
    for (const stream of this.streams.values()) stream.wake();
  }

  /** Subscriptions open now. */
  get subscriptions(): number {
    let count = 0;
    for (const stream of this.streams.values()) count += stream.subscribers.size;
    return count;
  }

  /**
   * Subscribes `userId` (a member, checked by the caller) to the events of `accountId` after
   * `afterSequence`, or from now when null. More than `resumeLimit` missed, or a sequence the account
   * never reached, and the first item says to reload, carrying the latest sequence.
   */
  async subscribe(accountId: string, userId: string, afterSequence: number | null): Promise<Subscriber> {
    const latest = (await this.db.read((manager) => latestEventSequences(manager, [accountId]))).get(accountId) ?? 0;
    const after = afterSequence === null ? latest : Math.max(0, afterSequence);
    const reload = after > latest || latest - after > this.options.resumeLimit;
    let stream = this.streams.get(accountId);
    if (!stream) {
      stream = new AccountStream(this.db, accountId, (error) => this.options.onError?.(error));
      this.streams.set(accountId, stream);
    }
    const subscriber = new Subscriber(
      accountId,
      userId,
      reload ? latest : after,
      (ended) => this.forget(ended),
      Math.max(MAX_QUEUED, this.options.resumeLimit),
    );
    stream.subscribers.add(subscriber);
    if (reload) subscriber.push({ kind: "reload", accountId, sequence: latest });
    // Events committed since `latest` was read, or those missed before `afterSequence`, are read now.
    stream.wake();
    return subscriber;
  }

  /** Stops hearing of commits and ends every subscription. */
  close(): void {
    const index = this.db.committedEvents.indexOf(this.listener);
    if (index >= 0) this.db.committedEvents.splice(index, 1);
    for (const stream of this.streams.values()) {
      stream.stop();
      for (const subscriber of stream.subscribers) subscriber.end();
    }
    this.streams.clear();
  }

  private forget(subscriber: Subscriber): void {
    const stream = this.streams.get(subscriber.accountId);
    if (!stream) return;
    stream.subscribers.delete(subscriber);
    if (stream.subscribers.size === 0) {
      stream.stop();
      this.streams.delete(subscriber.accountId);
    }
  }
}
