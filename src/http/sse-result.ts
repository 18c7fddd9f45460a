// Distinct-connections SSE streams, written by our own result processor in place of Yoga's: the same bytes
// (a first ping, then `event: next` / `event: complete`), but kept alive by the one shared Heartbeat instead
// of a timer per stream and a second stream around each response. Single results (an error answered before
// any stream, with its HTTP status) stay Yoga's.
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { slowConsumer } from '../notifications/live-streams.js';
import { publicResult } from './public-result.js';
import { type Heartbeat, NO_BUFFERING, PING, type Watched } from './sse-heartbeat.js';
import { isServerResponse, type SseFrames, socketSseBody } from './sse-socket.js';

type FetchAPI = { ReadableStream: typeof ReadableStream; Response: typeof Response };

const encoder = new TextEncoder();
export const COMPLETE = encoder.encode('event: complete\ndata:\n\n');
export const SLOW_CONSUMER = (() => {
  const { message, extensions } = slowConsumer();
  return encoder.encode(`event: next\ndata: ${JSON.stringify({ data: null, errors: [{ message, extensions }] })}\n\n`);
})();

const stringify = (result: ExecutionResult): string => JSON.stringify(publicResult(result));
const FRAMES: SseFrames = {
  ping: PING,
  complete: COMPLETE,
  slowConsumer: SLOW_CONSUMER,
  next: (value) => `event: next\ndata: ${stringify(value as ExecutionResult)}\n\n`,
};
/** A stream's response headers (compiled streams send them too: src/compiled-streams/handler.ts). */
export const HEADERS = {
  'content-type': 'text/event-stream',
  connection: 'keep-alive',
  'cache-control': 'no-cache',
  'content-encoding': 'none',
  [NO_BUFFERING.name]: NO_BUFFERING.value,
};

function streamResponse(
  result: AsyncIterable<ExecutionResult>,
  fetchAPI: FetchAPI,
  heartbeat: Heartbeat,
  signal: AbortSignal,
): Response {
  const iterator = result[Symbol.asyncIterator]();
  let watched: Watched;
  let stream: ReadableStreamDefaultController<Uint8Array>;
  let finished = false;
  /** True the first time only: whoever ends the stream first releases what it holds. */
  const finish = () => {
    if (finished) return false;
    finished = true;
    heartbeat.remove(watched);
    signal.removeEventListener('abort', abandon);
    return true;
  };
  // The client left: nothing may read or cancel this body any more (the server adapter skips writing to a
  // closed response, and a write waiting for 'drain' waits forever), so the stream is ended from here.
  function abandon() {
    if (!finish()) return;
    void Promise.resolve(iterator.return?.()).catch(() => {});
    try {
      stream.close();
    } catch {
      // Already closed.
    }
  }
  const write = (chunk: Uint8Array) => {
    stream.enqueue(chunk);
    heartbeat.wrote(watched, chunk);
  };
  // The client stopped reading: the events waiting for it are dropped with everything the stream holds, and
  // SLOW_CONSUMER is the last thing it will read, should it read again.
  const stalled = () => {
    if (!finish()) return;
    void Promise.resolve(iterator.return?.()).catch(() => {});
    stream.enqueue(SLOW_CONSUMER);
    stream.enqueue(COMPLETE);
    stream.close();
  };
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      stream = controller;
      watched = heartbeat.add(controller, stalled);
      // Some browsers hold a fetch until the first bytes arrive, headers alone are not enough.
      write(PING);
    },
    async pull() {
      try {
        heartbeat.pulling(watched, true);
        const { done, value } = await iterator.next();
        heartbeat.pulling(watched, false);
        if (finished) return;
        if (value != null) write(encoder.encode(`event: next\ndata: ${stringify(value)}\n\n`));
        if (done) {
          write(COMPLETE);
          finish();
          stream.close();
        }
      } catch (error) {
        if (!finish()) return;
        stream.error(error);
      }
    },
    async cancel(reason) {
      if (!finish()) return;
      await iterator.return?.(reason);
    },
  });
  // Checked after the stream exists: a client may leave while its subscription is still being set up.
  if (signal.aborted) abandon();
  else signal.addEventListener('abort', abandon, { once: true });
  return new fetchAPI.Response(body, { status: 200, headers: { ...HEADERS } });
}

export function useSseResults(heartbeat: Heartbeat): Plugin {
  return {
    onResultProcess({ request, result, resultProcessor, setResultProcessor, serverContext }) {
      // Yoga picked its SSE processor (so named in graphql-yoga's result-processor/sse.js) for a stream. Should
      // the name change, Yoga's processor stays and useSseHeartbeat wraps its response: the same, only heavier.
      if (resultProcessor?.name !== 'processSSEResult' || !isAsyncIterable(result)) return;
      // On Node, straight into the socket's response (src/http/sse-socket.ts); elsewhere (yoga.fetch), a stream.
      const response = (serverContext as { res?: unknown } | undefined)?.res;
      setResultProcessor((stream, fetchAPI) => {
        const iterable = stream as AsyncIterable<ExecutionResult>;
        if (!isServerResponse(response)) return streamResponse(iterable, fetchAPI, heartbeat, request.signal);
        const body = socketSseBody(iterable[Symbol.asyncIterator](), FRAMES, heartbeat, request.signal);
        // A copy: whatwg-node's Headers writes what later plugins set (CORS, the request id) into the object it
        // was given, which would carry them into every later stream's response.
        return new fetchAPI.Response(body as unknown as BodyInit, { status: 200, headers: { ...HEADERS } });
      }, 'text/event-stream');
    },
  };
}
