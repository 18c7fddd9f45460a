// Requests whose budgets were counted before Yoga saw them: compiled reads (src/compiled-reads/) count a
// request and its operation in one round trip, then hand Yoga what they do not answer themselves (a refusal,
// a failure), which must neither count them again nor let them through uncounted. Keyed by Node's request,
// which Yoga gives its plugins as `req` in the server context.
import type { CountedVerdicts } from './rate-limiter.js';

const counted = new WeakMap<object, CountedVerdicts>();

export function markCounted(nodeRequest: object, verdicts: CountedVerdicts): void {
  counted.set(nodeRequest, verdicts);
}

/** The verdicts counted for the Node request in this server context, if any were. */
export function countedVerdicts(serverContext: unknown): CountedVerdicts | undefined {
  const nodeRequest = (serverContext as { req?: unknown } | null | undefined)?.req;
  return typeof nodeRequest === 'object' && nodeRequest !== null ? counted.get(nodeRequest) : undefined;
}
