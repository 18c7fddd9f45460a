// One HTTP/1.1 connection driven by hand: the test chooses when each byte goes out and reads each answer
// as it comes, so it can send a body only after the server has already answered.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawHttpConnection {
  write(data: string): void;
  /** Resolves once `data` is handed to the kernel; rejects if the connection failed meanwhile. */
  writeAndWait(data: string): Promise<void>;
  /** The next whole response (Content-Length or chunked); rejects if the connection ends first. */
  nextResponse(): Promise<RawResponse>;
  /** The connection's error, if it had one (a reset, a broken pipe). */
  failure(): Error | undefined;
  close(): void;
}

export async function rawHttpConnection(baseUrl: string): Promise<RawHttpConnection> {
  const { hostname, port } = new URL(baseUrl);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = Buffer.alloc(0);
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const changed = () => {
    wake?.();
    wake = undefined;
  };
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    changed();
  });
  socket.on('error', (error) => {
    failure = error;
    changed();
  });
  socket.on('close', changed);

  const parse = (): RawResponse | undefined => {
    const headEnd = received.indexOf('\r\n\r\n');
    if (headEnd < 0) return undefined;
    const [statusLine, ...lines] = received.subarray(0, headEnd).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(
      lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
    );
    let at = headEnd + 4;
    let body: Buffer;
    if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const sizeEnd = received.indexOf('\r\n', at);
        if (sizeEnd < 0) return undefined;
        const size = Number.parseInt(received.subarray(at, sizeEnd).toString('latin1'), 16);
        if (received.length < sizeEnd + 2 + size + 2) return undefined;
        parts.push(received.subarray(sizeEnd + 2, sizeEnd + 2 + size));
        at = sizeEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (received.length < at + length) return undefined;
      body = received.subarray(at, at + length);
      at += length;
    }
    received = received.subarray(at);
    return { status: Number(statusLine!.split(' ')[1]), headers, body: body.toString('utf8') };
  };

  return {
    write: (data) => void socket.write(data),
    writeAndWait: (data) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        socket.write(data, (error) => (error ? reject(error) : resolve()));
      }),
    async nextResponse() {
      for (;;) {
        const response = parse();
        if (response) return response;
        if (failure) throw failure;
        if (socket.closed) throw new Error('the connection closed before a whole response arrived');
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    failure: () => failure,
    close: () => socket.destroy(),
  };
}
