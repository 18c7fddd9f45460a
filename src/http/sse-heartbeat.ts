// Keep-alive for every SSE response, in both graphql-sse modes: a comment line whenever the stream has
// been quiet for `intervalMs`, so proxies and load balancers do not cut idle streams; and
// `X-Accel-Buffering: no`, so nginx passes each event on at once instead of buffering it.
//
// One timer looks after every open stream. Distinct-connections streams are written by our own result
// processor (src/http/sse-result.ts), which reports each write here; single-connection responses, written by
// graphql-sse, pass through a pull-based ReadableStream. (A TransformStream and a timer per stream cost a
// third of a stream's heap: bench/FINDINGS.md.)
import type { Plugin } from 'graphql-yoga';

/** An SSE comment: keeps a stream alive and shows nothing. */
export const PING = new TextEncoder().encode(':\n\n');
const EVENT_END = '\n\n'.charCodeAt(0);
export const NO_BUFFERING = { name: 'x-accel-buffering', value: 'no' } as const;

export interface Watched {
  controller: ReadableStreamDefaultController<Uint8Array>;
  lastWrite: number;
  /** A ping inside an event (between its `event:` and `data:` lines) would end it early. */
  atEventBoundary: boolean;
}

/** Pings the streams quiet for `intervalMs`; it checks twice an interval, so none is quiet for over 1.5×. */
export class Heartbeat {
  private readonly streams = new Set<Watched>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs: number) {}

  add(controller: ReadableStreamDefaultController<Uint8Array>): Watched {
    const watched = { controller, lastWrite: performance.now(), atEventBoundary: true };
    this.streams.add(watched);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs / 2).unref();
    return watched;
  }

  /** `chunk` was written to the stream. */
  wrote(watched: Watched, chunk: Uint8Array): void {
    const length = chunk.length;
    watched.lastWrite = performance.now();
    watched.atEventBoundary = length >= 2 && chunk[length - 1] === EVENT_END && chunk[length - 2] === EVENT_END;
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
    return new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          watched = this.add(controller);
        },
        pull: async (controller) => {
          try {
            const { done, value } = await reader.read();
            if (done) {
              this.remove(watched);
              controller.close();
              return;
            }
            controller.enqueue(value);
            this.wrote(watched, value);
          } catch (error) {
            this.remove(watched);
            controller.error(error);
          }
        },
        cancel: (reason) => {
          this.remove(watched);
          return reader.cancel(reason);
        },
      },
      // Read from the source only when the consumer wants more.
      { highWaterMark: 0 },
    );
  }

  private tick() {
    const quietSince = performance.now() - this.intervalMs;
    for (const stream of this.streams) {
      if (stream.lastWrite > quietSince || !stream.atEventBoundary) continue;
      try {
        stream.controller.enqueue(PING);
        stream.lastWrite = performance.now();
      } catch {
        // Closed meanwhile: its own end removes it.
      }
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
