// Bounds request bodies: a declared Content-Length past the limit is answered 413 before a byte is
// read; a chunked body is read up to the limit and cut off there with the same answer. Node's HTTP
// parser never hands over more than the declared length, so the header can be trusted.
import type { Plugin } from 'graphql-yoga';

/**
 * A declared body up to this size is read and dropped after its 413 (Node does so for a request nobody read),
 * and the connection stays open: closing while the body still arrives resets the connection, and a client
 * that had not yet read its answer sees a broken pipe instead of the 413. A larger one is not worth reading.
 */
const DRAINED_AT_MOST = 16 << 20;

const tooLarge = (maxBytes: number, fetchAPI: { Response: typeof Response }, close = true) =>
  fetchAPI.Response.json(
    {
      errors: [
        {
          message: `The request body is larger than ${maxBytes} bytes.`,
          extensions: { code: 'PAYLOAD_TOO_LARGE', maxBytes },
        },
      ],
    },
    { status: 413, headers: close ? { connection: 'close' } : {} },
  );

/** Reads the whole body if it fits in `maxBytes`; undefined as soon as it does not. */
async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<ArrayBuffer | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks)).buffer;
}

/** Must come before any plugin that keys state by the request: a chunked body makes a new one. */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    // Synchronous unless a chunked body has to be read: no promise for the usual request.
    onRequest({ request, setRequest, endResponse, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        const length = Number(declared);
        if (length > maxBytes) endResponse(tooLarge(maxBytes, fetchAPI, length > DRAINED_AT_MOST));
        return;
      }
      if (!request.body || request.method === 'GET' || request.method === 'HEAD') return;
      return readChunked(request, maxBytes, setRequest, endResponse, fetchAPI);
    },
  };
}

async function readChunked(
  request: Request,
  maxBytes: number,
  setRequest: (request: Request) => void,
  endResponse: (response: Response) => void,
  fetchAPI: { Request: typeof Request; Response: typeof Response },
): Promise<void> {
  if (!request.body) return;
  let body: ArrayBuffer | undefined;
  try {
    body = await readAtMost(request.body, maxBytes);
  } catch {
    // The client went away mid-body: nobody reads this answer, but a thrown error here would crash the process.
    return endResponse(new fetchAPI.Response(null, { status: 400 }));
  }
  if (!body) return endResponse(tooLarge(maxBytes, fetchAPI));
  setRequest(
    new fetchAPI.Request(request.url, {
      method: request.method,
      headers: request.headers,
      body,
      signal: request.signal,
    }),
  );
}
