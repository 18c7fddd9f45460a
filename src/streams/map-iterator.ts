/**
 * `source` with `transform` applied to each value. Unlike an async generator, `return()` reaches the
 * source even before the first `next()`, so a stream closed early still releases what it holds.
 */
export function mapIterator<T, U>(source: AsyncIterator<T>, transform: (value: T) => U): AsyncIterableIterator<U> {
  return {
    async next() {
      const result = await source.next();
      return result.done ? { done: true, value: undefined } : { done: false, value: transform(result.value) };
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
