/** The values of `source` that pass `keep`; `return()` reaches the source even before the first `next()`. */
export function filterIterator<T, S extends T>(
  source: AsyncIterator<T>,
  keep: (value: T) => value is S,
): AsyncIterableIterator<S> {
  return {
    async next() {
      for (;;) {
        const result = await source.next();
        if (result.done) return { done: true, value: undefined };
        if (keep(result.value)) return { done: false, value: result.value };
      }
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
