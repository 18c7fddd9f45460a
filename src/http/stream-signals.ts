// When a subscription's client is gone, as an AbortSignal. In distinct-connections mode the request is the
// stream itself, so its own signal says it. In single-connection mode an operation arrives in a short POST
// and lives on in the reservation's GET stream: it ends when that GET ends. graphql-sse completes the
// operations it holds then, but not one still being set up (authenticated, leased, subscribed in Redis)
// when the GET ends: it would be attached to the closed stream and run on with nobody to end it.
import { TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from 'graphql-sse';
import type { Plugin } from 'graphql-yoga';

/** How long the end of a GET stream is remembered, for operations whose setup was under way when it ended. */
const REMEMBER_ENDED_MS = 60_000;

const tokenOf = (request: Request): string | null =>
  request.headers.get(TOKEN_HEADER_KEY) ?? new URL(request.url).searchParams.get(TOKEN_QUERY_KEY);

export class StreamSignals {
  /** Single-connection streams by token: aborted when the GET stream ends. */
  private readonly streams = new Map<string, AbortController>();

  constructor(
    private readonly distinctPath: string,
    private readonly singleConnectionPath: string,
  ) {}

  /** Aborts when the client of the subscription that `request` carries has gone. */
  signalOf(request: Request): AbortSignal | undefined {
    const path = new URL(request.url).pathname;
    if (path === this.distinctPath) return request.signal;
    if (path !== this.singleConnectionPath) return undefined;
    const token = tokenOf(request);
    return token === null ? undefined : this.controllerOf(token).signal;
  }

  /** Follows the single-connection GET streams (their ends) and reservations (a new one starts afresh). */
  plugin(): Plugin {
    return {
      onResponse: ({ request, response }) => {
        if (new URL(request.url).pathname !== this.singleConnectionPath) return;
        const token = tokenOf(request);
        if (token === null) return;
        if (request.method === 'PUT' && response.ok) {
          this.streams.delete(token);
          return;
        }
        const isStream =
          request.method === 'GET' && response.headers.get('content-type')?.includes('text/event-stream');
        if (!isStream) return;
        const ended = () => this.end(token);
        if (request.signal.aborted) ended();
        else request.signal.addEventListener('abort', ended, { once: true });
      },
    };
  }

  private controllerOf(token: string): AbortController {
    let controller = this.streams.get(token);
    if (!controller) {
      controller = new AbortController();
      this.streams.set(token, controller);
    }
    return controller;
  }

  private end(token: string): void {
    const controller = this.controllerOf(token);
    controller.abort();
    setTimeout(() => {
      if (this.streams.get(token) === controller) this.streams.delete(token);
    }, REMEMBER_ENDED_MS).unref();
  }
}
