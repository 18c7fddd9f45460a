// A TCP proxy between the server and PostgreSQL (or Redis), to cut and restore the connection without
// touching the machine's shared services.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones until restored. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Sends new connections to another port from now on (open ones stay where they are). */
  retarget(port: number): void;
  close(): Promise<void>;
}

/** A proxy in front of the PostgreSQL or Redis at `serviceUrl`, and that URL pointed through it. */
export async function proxyInFrontOf(serviceUrl: string): Promise<{ proxy: TcpProxy; url: string }> {
  const url = new URL(serviceUrl);
  const defaultPort = url.protocol.startsWith('redis') ? 6379 : 5432;
  const proxy = await startTcpProxy(url.hostname, Number(url.port || defaultPort));
  url.port = String(proxy.port);
  return { proxy, url: url.toString() };
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let target = targetPort;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const listening = createServer((client) => {
        const upstream = connect(target, targetHost);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(upstream).pipe(client);
      });
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => {
        port = (listening.address() as { port: number }).port;
        server = listening;
        resolve();
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  return {
    get port() {
      return port;
    },
    cut: stop,
    restore: listen,
    retarget(next) {
      target = next;
    },
    close: stop,
  };
}
