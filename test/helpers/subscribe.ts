// Subscriptions through the real graphql-sse client, in either of its modes.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';
import { createClient } from 'graphql-sse';
import { onTestFinished } from 'vitest';

export type SseMode = 'distinct' | 'single';

export interface SubscribeOptions {
  token?: string | null;
  mode?: SseMode;
}

export interface TestSubscription<TData> {
  /** Resolves once the server has accepted the operation and is listening. */
  ready: Promise<void>;
  /** The next result, or a rejection after `timeoutMs` or when the stream fails. */
  next(timeoutMs?: number): Promise<ExecutionResult<TData>>;
  /** The next `count` results. */
  take(count: number, timeoutMs?: number): Promise<ExecutionResult<TData>[]>;
  /** Results received and not yet taken. */
  readonly pending: number;
  /** Settles with the error that ended the stream, or undefined when it completed. */
  ended: Promise<unknown>;
  dispose(): Promise<void>;
}

export function subscribe<TData, TVariables>(
  baseUrl: string,
  document: TypedDocumentNode<TData, TVariables>,
  variables?: TVariables,
  { token, mode = 'distinct' }: SubscribeOptions = {},
): TestSubscription<TData> {
  let markReady: () => void = () => {};
  let failReady: (error: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {});

  const client = createClient({
    url: `${baseUrl}${mode === 'single' ? '/graphql/stream' : '/graphql'}`,
    singleConnection: mode === 'single',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    // The moment the server answers the operation itself (202 in single-connection mode, the stream's
    // headers in distinct mode), its subscription is in place.
    fetchFn: async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await fetch(input, init);
      const isOperation = init?.method === 'POST' && typeof init.body === 'string' && init.body.includes('"query"');
      if (isOperation) (response.ok ? markReady : () => failReady(new Error(`HTTP ${response.status}`)))();
      return response;
    },
  });

  // A test that fails half-way still closes its streams, so the next test starts clean.
  try {
    onTestFinished(() => client.dispose());
  } catch {
    // Not inside a test (a hook, say): the caller disposes.
  }

  const results: ExecutionResult<TData>[] = [];
  const waiters: Array<() => void> = [];
  let failure: unknown;
  let finished = false;
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  const ended = new Promise<unknown>((resolve) => {
    client.subscribe<TData>(
      { query: print(document), variables: variables as Record<string, unknown> | undefined },
      {
        next: (value) => {
          results.push(value as ExecutionResult<TData>);
          wake();
        },
        error: (error) => {
          failure = error;
          finished = true;
          failReady(error);
          wake();
          resolve(error);
        },
        complete: () => {
          finished = true;
          wake();
          resolve(undefined);
        },
      },
    );
  });

  async function next(timeoutMs = 5000): Promise<ExecutionResult<TData>> {
    const deadline = Date.now() + timeoutMs;
    while (results.length === 0) {
      if (finished) throw failure ?? new Error('the subscription completed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no result within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return results.shift()!;
  }

  return {
    ready,
    next,
    async take(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      const taken: ExecutionResult<TData>[] = [];
      while (taken.length < count) taken.push(await next(Math.max(1, deadline - Date.now())));
      return taken;
    },
    get pending() {
      return results.length;
    },
    ended,
    async dispose() {
      client.dispose();
    },
  };
}
