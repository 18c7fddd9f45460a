// A distinct-connections stream written straight into Node's ServerResponse: the same bytes and the same
// endings as sse-result.ts's WHATWG stream, without the stream. On Node the server adapter (whatwg-node)
// pipes a Readable body into the response after every onResponse hook has set its headers; this body's
// `pipe` takes the response and writes each frame to it, so a held stream is its socket, its iterator and
// a few closures, not a ReadableStream, the Readable inside it, a pipe and their promises per stream
// (bench/FINDINGS.md, streams). Backpressure: a write the socket cannot take at once waits for 'drain'
// before the next event is asked for, which is what the Heartbeat's stall detection watches.
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Heartbeat, Watched } from './sse-heartbeat.js';

/** Frames a stream writes; `next` for each result, then `complete` when the source is done. */
export interface SseFrames {
  ping: Uint8Array;
  complete: Uint8Array;
  /** The last frame of a stream ended for falling behind, before `complete`. */
  slowConsumer: Uint8Array;
  next(value: unknown): string;
}

/** Whether the server context's `res` is a Node response this body can write to. */
export function isServerResponse(value: unknown): value is ServerResponse {
  const response = value as Partial<ServerResponse> | null | undefined;
  return typeof response?.writeHead === 'function' && typeof response.write === 'function' && !!response.socket;
}

/**
 * The body of a stream's Response on Node. Never read as a Readable: the adapter pipes it into the
 * ServerResponse (started then), and destroys it when that response closes (ended then).
 */
class SocketSseBody extends Readable {
  constructor(private readonly writeTo: (response: ServerResponse) => void) {
    super();
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T): T {
    this.writeTo(destination as unknown as ServerResponse);
    return destination;
  }

  override _read(): void {
    // Only ever piped (see above): a reader would wait forever, so it is told.
    this.destroy(new Error('an SSE socket body is piped into its response, not read'));
  }
}

/** The body of a stream's Response on Node: `iterator`'s frames into the response it is piped into. */
export function socketSseBody(
  iterator: AsyncIterator<unknown>,
  frames: SseFrames,
  heartbeat: Heartbeat,
  signal: AbortSignal,
): Readable {
  const writer = sseWriter(iterator, frames, heartbeat, signal);
  const body = new SocketSseBody(writer.start);
  body._destroy = (error, callback) => {
    writer.abandon();
    callback(error);
  };
  return body;
}

export interface SseWriter {
  /** Starts writing into the response, whose head is written already (or about to be, by its adapter). */
  start(response: ServerResponse): void;
  /** Ends the stream: nothing more can be written. */
  abandon(): void;
}

/**
 * `iterator`'s results as SSE frames into a ServerResponse. Ends, once, when the iterator completes or fails,
 * when `signal` aborts (the client left), when the response closes, or when the heartbeat finds the client
 * stopped reading (SLOW_CONSUMER, then complete).
 */
export function sseWriter(
  iterator: AsyncIterator<unknown>,
  frames: SseFrames,
  heartbeat: Heartbeat,
  signal: AbortSignal,
): SseWriter {
  let response: ServerResponse | undefined;
  let watched: Watched | undefined;
  let finished = false;
  let drained: (() => void) | undefined;

  const writable = () => response !== undefined && !response.destroyed && !response.writableEnded;
  /** True the first time only: whoever ends the stream first releases what it holds. */
  const finish = () => {
    if (finished) return false;
    finished = true;
    if (watched) heartbeat.remove(watched);
    signal.removeEventListener('abort', abandon);
    drained?.();
    return true;
  };
  const release = () => void Promise.resolve(iterator.return?.()).catch(() => {});
  const write = (chunk: Uint8Array | string): boolean => {
    if (!writable()) return true;
    const flushed = response!.write(chunk);
    heartbeat.wrote(watched!, chunk);
    return flushed;
  };
  // The client left, or the response closed: nothing more can be written.
  function abandon() {
    if (!finish()) return;
    release();
    if (writable()) response!.end();
  }
  // The client stopped reading: what waits for it is dropped with everything the stream holds, and
  // SLOW_CONSUMER is the last thing it reads, should it read again.
  const stalled = () => {
    if (!finish()) return;
    release();
    if (!writable()) return;
    response!.write(frames.slowConsumer);
    response!.write(frames.complete);
    response!.end();
  };
  const waitForDrain = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        response!.off('drain', done);
        drained = undefined;
        resolve();
      };
      drained = done;
      response!.once('drain', done);
    });

  async function pump() {
    try {
      for (;;) {
        heartbeat.pulling(watched!, true);
        const { done, value } = await iterator.next();
        heartbeat.pulling(watched!, false);
        if (finished) return;
        const flushed = value == null || write(frames.next(value));
        if (done) {
          write(frames.complete);
          finish();
          if (writable()) response!.end();
          return;
        }
        if (!flushed) await waitForDrain();
        if (finished) return;
      }
    } catch (error) {
      if (!finish()) return;
      // As a failed body stream ends: the connection is cut, and the client resumes from its last position.
      response!.destroy(error as Error);
    }
  }

  const start = (target: ServerResponse) => {
    response = target;
    if (finished) {
      if (writable()) response.end();
      return;
    }
    watched = heartbeat.add({ enqueue: (chunk) => void write(chunk) }, stalled);
    // Some browsers hold a fetch until the first bytes arrive, headers alone are not enough.
    write(frames.ping);
    void pump();
  };
  // Checked now: a client may leave while its subscription is still being set up.
  if (signal.aborted) abandon();
  else signal.addEventListener('abort', abandon, { once: true });
  return { start, abandon };
}
