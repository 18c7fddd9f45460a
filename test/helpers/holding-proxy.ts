// A proxy in front of Redis that can hold back what Redis answers on its pub/sub connections: a SUBSCRIBE
// then stays unanswered for as long as a test needs, while every other connection flows.
import { connect, createServer, type Socket } from 'node:net';

export interface HoldingProxy {
  /** The Redis URL, pointed through the proxy. */
  url: string;
  /** From now on, answers to subscribing connections wait until `release()`. */
  hold(): void;
  /** Delivers every held answer, in order, and stops holding. */
  release(): void;
  /** Whether any connection asked Redis for something containing `text` (a channel name, say). */
  sent(text: string): boolean;
  close(): Promise<void>;
}

export async function holdingProxyInFrontOf(redisUrl: string): Promise<HoldingProxy> {
  const target = new URL(redisUrl);
  const sockets = new Set<Socket>();
  const connections: Array<{ subscriber: boolean; held: Buffer[]; client: Socket }> = [];
  let holding = false;
  let sentText = '';

  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname);
    const connection = { subscriber: false, held: [] as Buffer[], client };
    connections.push(connection);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      sentText = (sentText + text).slice(-1_000_000);
      if (/subscribe/i.test(text)) connection.subscriber = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (holding && connection.subscriber) connection.held.push(chunk);
      else client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(redisUrl);
  url.port = String((server.address() as { port: number }).port);

  return {
    url: url.toString(),
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const connection of connections) {
        for (const chunk of connection.held.splice(0)) connection.client.write(chunk);
      }
    },
    sent: (text) => sentText.includes(text),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
