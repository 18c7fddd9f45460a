// Replay-then-live streams of a user's changes. Each stream knows the position it delivered last: it
// replays from the log what came after, then follows the user's channel, dropping what it already
// delivered and filling any gap from the log. So a stream misses nothing and repeats nothing, in order,
// whether events arrive late, out of order across instances, or not at all while Redis was away.
import { ExpectedError } from '../errors.js';
import type { BusSubscription, PubSubBus } from '../pubsub.js';
import { BoundedQueue } from '../streams/bounded-queue.js';
import { createDeadlines } from '../streams/deadlines.js';
import { withCleanup } from '../streams/with-cleanup.js';
import type { ChangeEvent, ChangeLog } from './changelog.js';
import { decodeChange } from './events.js';

/** What a stream yields: a change, or the reason it ends (delivered to the client as a coded error). */
export type StreamItem = { type: 'event'; event: ChangeEvent } | { type: 'end'; error: ExpectedError };

type QueueItem = { type: 'message'; message: string } | { type: 'catch-up' } | { type: 'end'; error: ExpectedError };

export interface LiveStreamsOptions {
  /** How many events may wait for a slow stream before it is ended with SLOW_CONSUMER. */
  queueCapacity: number;
  /** How many changes one replay query reads. */
  replayBatch: number;
  /** Told of what streams hand to their clients, for metrics. */
  observer?: StreamObserver;
}

export interface StreamObserver {
  /** A live event was handed to its stream's client, `latencyMs` after it was published. */
  delivered(latencyMs: number): void;
  /** Events were sent from the change log (replay on resume, or a gap filled). */
  replayed(count: number): void;
}

export interface OpenStreamOptions {
  /** Replay every change after this position first; without it, the stream starts live, now. */
  after?: number | undefined;
  /** The stream ends with AUTH_EXPIRED at this time (ms since the epoch): when the caller's token expires. */
  endsAt: number;
  /** Ends the stream when it aborts: the client went away. */
  signal?: AbortSignal | undefined;
  /** Which changes to yield; every change still advances the stream's position. */
  include?: (event: ChangeEvent) => boolean;
}

export const slowConsumer = (): ExpectedError =>
  new ExpectedError('SLOW_CONSUMER', 'The stream fell too far behind and was closed: resume from your last position.');
const authExpired = () =>
  new ExpectedError('AUTH_EXPIRED', 'Your token expired: resume from your last position with a fresh token.');
export const shuttingDown = () =>
  new ExpectedError('SHUTTING_DOWN', 'The server is stopping: resume from your last position.');

/** The stream of a client that left before it was set up: already over. */
function ended(): AsyncIterableIterator<StreamItem> {
  const done = async (): Promise<IteratorResult<StreamItem>> => ({ done: true, value: undefined });
  return {
    next: done,
    return: done,
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

export class LiveStreams {
  private readonly queues = new Set<BoundedQueue<QueueItem>>();
  // Token expiries of every open stream, on one timer.
  private readonly deadlines = createDeadlines();
  private drainedListeners: Array<() => void> = [];

  constructor(
    private readonly bus: PubSubBus,
    private readonly changeLog: ChangeLog,
    private readonly options: LiveStreamsOptions,
  ) {}

  /** How many streams are open in this instance. */
  get size(): number {
    return this.queues.size;
  }

  /**
   * Opens a stream of the user's changes. Resolves once it listens, so nothing committed after that is
   * missed; RESYNC_REQUIRED when `after` is no longer (or never was) in the log.
   */
  async open(
    userId: string,
    { after, endsAt, include = () => true, signal }: OpenStreamOptions,
  ): Promise<AsyncIterableIterator<StreamItem>> {
    if (signal?.aborted) return ended();
    // A queue that overflows lets go of everything at once (see close below), not when its consumer next reads.
    let release = () => {};
    const queue = new BoundedQueue<QueueItem>({
      capacity: this.options.queueCapacity,
      overflowError: slowConsumer,
      onClose: () => release(),
    });
    // Listening from the start: a client may leave during any step below, and an abort listener added after
    // its signal fired would never run.
    const gone = () => void queue.return();
    signal?.addEventListener('abort', gone, { once: true });
    let subscription: BusSubscription;
    try {
      subscription = await this.bus.subscribe('user', userId, {
        message: (message) => queue.push({ type: 'message', message }),
        reconnected: () => queue.interrupt({ type: 'catch-up' }),
      });
    } catch (error) {
      signal?.removeEventListener('abort', gone);
      throw error;
    }
    const cancelExpiry = this.deadlines.at(endsAt, () => queue.interrupt({ type: 'end', error: authExpired() }));
    this.queues.add(queue);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      signal?.removeEventListener('abort', gone);
      cancelExpiry();
      subscription.close();
      // An overflowed queue keeps its SLOW_CONSUMER for the consumer's next read.
      if (!queue.done) void queue.return();
      this.queues.delete(queue);
      if (this.queues.size === 0) for (const listener of this.drainedListeners.splice(0)) listener();
    };
    release = close;
    try {
      if (signal?.aborted) {
        close();
        return ended();
      }
      // Read after subscribing: whatever commits from here on arrives live or is found in the log.
      if (after !== undefined) await this.changeLog.assertResumable(userId, after);
      const start = after ?? (await this.changeLog.currentPosition(userId));
      if (signal?.aborted) {
        close();
        return ended();
      }
      return withCleanup(this.follow(userId, start, queue, include), close);
    } catch (error) {
      close();
      throw error;
    }
  }

  /** Ends every open stream with `error`; resolves when all have closed, or after `timeoutMs`. */
  async endAll(error: ExpectedError, timeoutMs: number): Promise<void> {
    for (const queue of this.queues) queue.interrupt({ type: 'end', error });
    if (this.queues.size === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.drainedListeners.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private async *follow(
    userId: string,
    start: number,
    queue: BoundedQueue<QueueItem>,
    include: (event: ChangeEvent) => boolean,
  ): AsyncGenerator<StreamItem, void, undefined> {
    let last = start;
    const changeLog = this.changeLog;
    const { replayBatch, observer } = this.options;
    // Everything the log holds after the last delivered position.
    async function* catchUp(): AsyncGenerator<StreamItem, void, undefined> {
      for (;;) {
        const batch = await changeLog.after(userId, last, replayBatch);
        for (const event of batch) {
          last = event.position;
          if (!include(event)) continue;
          observer?.replayed(1);
          yield { type: 'event', event };
        }
        if (batch.length < replayBatch) return;
      }
    }

    yield* catchUp();
    for (;;) {
      let item: QueueItem;
      try {
        const next = await queue.next();
        if (next.done) return;
        item = next.value;
      } catch (error) {
        yield { type: 'end', error: error as ExpectedError };
        return;
      }
      if (item.type === 'end') {
        yield item;
        return;
      }
      if (item.type === 'catch-up') {
        yield* catchUp();
        continue;
      }
      const { event, publishedAt } = decodeChange(item.message);
      if (event.position <= last) continue;
      if (event.position > last + 1) {
        // Something before it is missing here (lost while Redis was away, or still on its way from
        // another instance): the log has it all, in order.
        yield* catchUp();
        continue;
      }
      last = event.position;
      if (!include(event)) continue;
      if (publishedAt !== undefined) observer?.delivered(Date.now() - publishedAt);
      yield { type: 'event', event };
    }
  }
}
