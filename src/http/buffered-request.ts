// A request whose body a listener in front of Yoga reads itself (compiled reads, creates and streams), and the
// way such a request is handed to Yoga when that listener does not answer it.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** A JSON POST whose declared length is within `maxBytes`: a body that can be read whole before anything else. */
export function isBoundedJsonPost(request: IncomingMessage, maxBytes: number): boolean {
  const length = request.headers['content-length'];
  return (
    request.method === 'POST' &&
    (request.headers['content-type']?.startsWith('application/json') ?? false) &&
    length !== undefined &&
    Number(length) <= maxBytes
  );
}

/**
 * Reads the request's whole body, then lets go of its own listeners (so that nothing of the reading stays with
 * a request that lives on, an open stream's); a request that fails meanwhile ends its response.
 */
export function readBody(request: IncomingMessage, response: ServerResponse, then: (body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const read = (chunk: Buffer) => chunks.push(chunk);
  const failed = () => response.destroy();
  const ended = () => {
    request.off('data', read).off('error', failed).off('end', ended);
    then(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  };
  request.on('data', read).on('error', failed).on('end', ended);
}

/** Yoga answers a request whose body was read already (whatwg-node takes it from `body`: normalizeNodeRequest). */
export function handToYoga(yoga: RequestListener, request: IncomingMessage, response: ServerResponse, body?: Buffer) {
  if (body && body.length > 0) (request as IncomingMessage & { body?: Buffer }).body = body;
  yoga(request, response);
}
