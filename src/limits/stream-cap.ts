// At most STREAMS_PER_USER open streams per user across every instance: a subscription past the cap is
// answered RATE_LIMITED before its stream opens; a stream's lease is released whenever it ends (the
// client closed it, it completed, or it failed).
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { rateLimited } from './rate-limit.js';
import type { StreamLeases } from './stream-leases.js';

/** A hint only: a slot frees up whenever one of the user's other streams ends. */
const RETRY_AFTER_SECONDS = 5;

export function useStreamCap(leases: StreamLeases, perUser: number): Plugin<Context> {
  return {
    async onSubscribe({ args, setResultAndStopExecution }) {
      const lease = await leases.acquire(args.contextValue.viewer.userId);
      if (!lease) {
        // `data: null` makes it a result to graphql-sse's single-connection handler, which sends it on the stream.
        setResultAndStopExecution({
          data: null,
          errors: [
            rateLimited(
              RETRY_AFTER_SECONDS,
              `Too many open streams: at most ${perUser} per user. Close one, or retry after retryAfter seconds.`,
            ),
          ],
        });
        return;
      }
      return {
        onSubscribeResult({ result }) {
          if (!isAsyncIterable(result)) return lease.release();
          return { onEnd: () => lease.release() };
        },
        onSubscribeError: () => lease.release(),
      };
    },
    onDispose: () => leases.close(),
  };
}
