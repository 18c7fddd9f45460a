// Keep-alive for every SSE response, in both graphql-sse modes: a comment line whenever the stream has
// been quiet for `intervalMs`, so proxies and load balancers do not cut idle streams; and
// `X-Accel-Buffering: no`, so nginx passes each event on at once instead of buffering it.
//
// One timer looks after every open stream. Distinct-connections streams are written by our own result
// processor (src/http/sse-result.ts), which reports each write here; single-connection responses, written by
// graphql-sse, pass through a pull-based ReadableStream. (A TransformStream and a timer per stream cost a
// third of a stream's heap: bench/FINDINGS.md.)
import type { Plugin } from 'graphql-yoga';

/** How many streams one turn of the event loop looks after. */
const TICK_SLICE = 500;

/** An SSE comment: keeps a stream alive and shows nothing. */
export const PING = new TextEncoder().encode(':\n\n');
const EVENT_END = '\n\n'.charCodeAt(0);
export const NO_BUFFERING = { name: 'x-accel-buffering', value: 'no' } as const;

/** Where a stream's bytes go: its WHATWG stream's controller, or the socket's response itself. */
export interface Sink {
  enqueue(chunk: Uint8Array): void;
}

export interface Watched {
  controller: Sink;
  lastWrite: number;
  /** A ping inside an event (between its `event:` and `data:` lines) would end it early. */
  atEventBoundary: boolean;
  /** Whether the stream is asking its source for more: its reader has taken what it had. */
  pulling: boolean;
  /** When it last stopped asking; undefined until its reader first asked (the response is not sent yet). */
  pulledAt: number | undefined;
  /** Ends the stream: its reader has taken nothing for too long while data waited for it. */
  stalled(): void;
}

/**
 * Pings the streams quiet for `intervalMs`; it checks twice an interval, so none is quiet for over 1.5×.
 * The same ticks end a stream that has not asked its source for more for `stallMs`: what it wrote last
 * still waits in the socket's write buffer, which is not draining (a client that stopped reading), and all
 * the stream holds (its lease, its queue, its Redis channel) would otherwise be held for as long as the
 * client keeps the connection open. (Seen through pulls, not `desiredSize`: Yoga's ReadableStream on Node
 * is a Readable whose controllers report a fixed size.)
 */
export class Heartbeat {
  private readonly streams = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(
    private readonly intervalMs: number,
    private readonly stallMs = 2 * intervalMs,
  ) {}

  add(controller: Sink, stalled: () => void): Watched {
    const now = performance.now();
    const watched: Watched = {
      controller,
      lastWrite: now,
      atEventBoundary: true,
      pulling: false,
      pulledAt: undefined,
      stalled,
    };
    this.streams.add(watched);
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs / 2).unref();
    return watched;
  }

  /** `chunk` was written to the stream. */
  wrote(watched: Watched, chunk: Uint8Array | string): void {
    const length = chunk.length;
    watched.lastWrite = performance.now();
    watched.atEventBoundary =
      typeof chunk === 'string'
        ? chunk.endsWith('\n\n')
        : length >= 2 && chunk[length - 1] === EVENT_END && chunk[length - 2] === EVENT_END;
  }

  /** The stream asks its source for more (`true`), or has got it (`false`). */
  pulling(watched: Watched, pulling: boolean): void {
    watched.pulling = pulling;
    if (!pulling) watched.pulledAt = performance.now();
  }

  remove(watched: Watched): void {
    this.streams.delete(watched);
    if (this.streams.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** `body`, with pings added: for streams written by others. */
  watch(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
    const reader = body.getReader();
    let watched: Watched;
    let finished = false;
    const finish = () => {
      if (finished) return false;
      finished = true;
      this.remove(watched);
      return true;
    };
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          // Cancelling the source (graphql-sse's stream) ends its operations.
          watched = this.add(controller, () => {
            if (!finish()) return;
            reader.cancel().catch(() => {});
            controller.close();
          });
        },
        pull: async (controller) => {
          try {
            this.pulling(watched, true);
            const { done, value } = await reader.read();
            this.pulling(watched, false);
            if (finished) return;
            if (done) {
              finish();
              controller.close();
              return;
            }
            controller.enqueue(value);
            this.wrote(watched, value);
          } catch (error) {
            if (!finish()) return;
            controller.error(error);
          }
        },
        cancel: (reason) => {
          finish();
          return reader.cancel(reason);
        },
      },
      // Read from the source only when the consumer wants more.
      { highWaterMark: 0 },
    );
  }

  private async tick() {
    if (this.ticking) return;
    this.ticking = true;
    try {
      let seen = 0;
      let now = performance.now();
      for (const stream of this.streams) {
        // A slice at a time, letting other work run between: 10,000 socket writes in one go held the event loop
        // for tens of milliseconds, and every delivery and request waited behind them (bench/FINDINGS.md).
        if (++seen % TICK_SLICE === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          now = performance.now();
        }
        this.check(stream, now);
      }
    } finally {
      this.ticking = false;
    }
  }

  private check(stream: Watched, now: number) {
    const quietSince = now - this.intervalMs;
    if (!stream.pulling && stream.pulledAt !== undefined && now - stream.pulledAt >= this.stallMs) {
      stream.stalled();
      return;
    }
    // A ping behind data still waiting adds nothing.
    if (!stream.pulling || stream.lastWrite > quietSince || !stream.atEventBoundary) return;
    try {
      stream.controller.enqueue(PING);
      stream.lastWrite = now;
    } catch {
      // Closed meanwhile: its own end removes it.
    }
  }
}

/** Pings and no buffering for the SSE responses our own result processor did not write. */
export function useSseHeartbeat(heartbeat: Heartbeat): Plugin {
  return {
    onResponse({ response, setResponse, fetchAPI }) {
      if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return;
      if (response.headers.has(NO_BUFFERING.name)) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set(NO_BUFFERING.name, NO_BUFFERING.value);
      setResponse(
        new fetchAPI.Response(heartbeat.watch(response.body), {
          status: response.status,
          statusText: response.statusText,
          headers,
        }),
      );
    },
  };
}
