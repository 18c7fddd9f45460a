// Distinct-connections SSE streams, written by our own result processor in place of Yoga's: the same bytes
// (a first ping, then `event: next` / `event: complete`), but kept alive by the one shared Heartbeat instead
// of a timer per stream and a second stream around each response. Single results (an error answered before
// any stream, with its HTTP status) stay Yoga's.
import type { ExecutionResult, GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import { type Heartbeat, NO_BUFFERING, PING, type Watched } from './sse-heartbeat.js';

type FetchAPI = { ReadableStream: typeof ReadableStream; Response: typeof Response };

const encoder = new TextEncoder();
const COMPLETE = encoder.encode('event: complete\ndata:\n\n');

/** What a client may see of an error: no `http` or `unexpected` extensions, which are the server's own. */
function publicError(error: GraphQLError) {
  const json = typeof error.toJSON === 'function' ? error.toJSON() : error;
  const { http: _http, unexpected: _unexpected, ...extensions } = json.extensions ?? {};
  return { ...json, extensions: Object.keys(extensions).length > 0 ? extensions : undefined };
}

function stringify(result: ExecutionResult): string {
  if (!result.errors?.length && !result.extensions?.http) return JSON.stringify(result);
  const { http: _http, ...extensions } = result.extensions ?? {};
  return JSON.stringify({
    ...result,
    errors: result.errors?.map(publicError),
    extensions: Object.keys(extensions).length > 0 ? extensions : undefined,
  });
}

function streamResponse(result: AsyncIterable<ExecutionResult>, fetchAPI: FetchAPI, heartbeat: Heartbeat): Response {
  const iterator = result[Symbol.asyncIterator]();
  let watched: Watched;
  const write = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array) => {
    controller.enqueue(chunk);
    heartbeat.wrote(watched, chunk);
  };
  const body = new fetchAPI.ReadableStream<Uint8Array>({
    start(controller) {
      watched = heartbeat.add(controller);
      // Some browsers hold a fetch until the first bytes arrive, headers alone are not enough.
      controller.enqueue(PING);
    },
    async pull(controller) {
      try {
        const { done, value } = await iterator.next();
        if (value != null) write(controller, encoder.encode(`event: next\ndata: ${stringify(value)}\n\n`));
        if (done) {
          write(controller, COMPLETE);
          heartbeat.remove(watched);
          controller.close();
        }
      } catch (error) {
        heartbeat.remove(watched);
        controller.error(error);
      }
    },
    async cancel(reason) {
      heartbeat.remove(watched);
      await iterator.return?.(reason);
    },
  });
  return new fetchAPI.Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream',
      connection: 'keep-alive',
      'cache-control': 'no-cache',
      'content-encoding': 'none',
      [NO_BUFFERING.name]: NO_BUFFERING.value,
    },
  });
}

export function useSseResults(heartbeat: Heartbeat): Plugin {
  return {
    onResultProcess({ result, resultProcessor, setResultProcessor }) {
      // Yoga picked its SSE processor (so named in graphql-yoga's result-processor/sse.js) for a stream. Should
      // the name change, Yoga's processor stays and useSseHeartbeat wraps its response: the same, only heavier.
      if (resultProcessor?.name !== 'processSSEResult' || !isAsyncIterable(result)) return;
      setResultProcessor(
        (stream, fetchAPI) => streamResponse(stream as AsyncIterable<ExecutionResult>, fetchAPI, heartbeat),
        'text/event-stream',
      );
    },
  };
}
