/**
 * `source`, with `cleanup` run exactly once when it ends, fails or is returned early: also when returned
 * before its first `next()`, which an async generator's `finally` would miss.
 */
export function withCleanup<T>(source: AsyncIterator<T>, cleanup: () => void): AsyncIterableIterator<T> {
  let cleaned = false;
  const clean = () => {
    if (cleaned) return;
    cleaned = true;
    cleanup();
  };
  return {
    async next() {
      try {
        const result = await source.next();
        if (result.done) clean();
        return result;
      } catch (error) {
        clean();
        throw error;
      }
    },
    async return() {
      clean();
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
