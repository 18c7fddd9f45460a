// Keep-alive for every SSE response, in both graphql-sse modes: a comment line whenever the stream has
// been quiet for `intervalMs`, so proxies and load balancers do not cut idle streams; and
// `X-Accel-Buffering: no`, so nginx passes each event on at once instead of buffering it.
import type { Plugin } from 'graphql-yoga';

const PING = new TextEncoder().encode(':\n\n');
const EVENT_END = '\n\n'.charCodeAt(0);

/** Passes the stream through, adding a ping after each quiet interval, only ever between two events. */
function heartbeat(intervalMs: number): TransformStream<Uint8Array, Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  let atEventBoundary = true;
  const arm = (controller: TransformStreamDefaultController<Uint8Array>) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      // A ping inside an event (between its `event:` and `data:` lines) would end it early: wait for the end.
      if (atEventBoundary) {
        try {
          controller.enqueue(PING);
        } catch {
          return;
        }
      }
      arm(controller);
    }, intervalMs);
  };
  return new TransformStream({
    start: arm,
    transform(chunk, controller) {
      controller.enqueue(chunk);
      const length = chunk.length;
      atEventBoundary = length >= 2 && chunk[length - 1] === EVENT_END && chunk[length - 2] === EVENT_END;
      arm(controller);
    },
    flush: () => clearTimeout(timer),
    cancel: () => clearTimeout(timer),
  } as Transformer<Uint8Array, Uint8Array>);
}

export function useSseHeartbeat(intervalMs: number): Plugin {
  return {
    onResponse({ response, setResponse, fetchAPI }) {
      if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return;
      const headers = new fetchAPI.Headers(response.headers);
      headers.set('x-accel-buffering', 'no');
      setResponse(
        new fetchAPI.Response(response.body.pipeThrough(heartbeat(intervalMs)), {
          status: response.status,
          statusText: response.statusText,
          headers,
        }),
      );
    },
  };
}
