// An async iterator fed by pushes, holding at most `capacity` undelivered values. A consumer that falls
// further behind is ended with `overflowError` at once, its undelivered values dropped, rather than letting
// the queue grow without bound or holding it until a consumer that may never read again has read it all.

export interface BoundedQueueOptions {
  capacity: number;
  overflowError: () => Error;
  /** Called once when the iterator ends, however it ends. */
  onClose?: () => void;
}

export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly values: T[] = [];
  private readonly waiting: Array<{ resolve: (result: IteratorResult<T>) => void; reject: (error: Error) => void }> =
    [];
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly options: BoundedQueueOptions) {}

  push(value: T): void {
    if (this.closed) return;
    const consumer = this.waiting.shift();
    if (consumer) {
      consumer.resolve({ value, done: false });
    } else if (this.values.length >= this.options.capacity) {
      this.values.length = 0;
      this.fail(this.options.overflowError());
    } else {
      this.values.push(value);
    }
  }

  /** Delivers `value` before everything already queued, whatever the capacity: for what cannot wait. */
  interrupt(value: T): void {
    if (this.closed) return;
    const consumer = this.waiting.shift();
    if (consumer) consumer.resolve({ value, done: false });
    else this.values.unshift(value);
  }

  /** Ends the iterator with an error, delivered after the values already queued. */
  fail(error: Error): void {
    if (this.closed) return;
    this.failure = error;
    this.close();
    for (const consumer of this.waiting.splice(0)) consumer.reject(error);
  }

  /** Ends the iterator once the values already queued have been delivered. */
  end(): void {
    if (this.closed) return;
    this.close();
    for (const consumer of this.waiting.splice(0)) consumer.resolve({ value: undefined, done: true });
  }

  get done(): boolean {
    return this.closed;
  }

  get size(): number {
    return this.values.length;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.values.length > 0) return Promise.resolve({ value: this.values.shift() as T, done: false });
    if (this.failure) {
      const error = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.values.length = 0;
    this.failure = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close(): void {
    this.closed = true;
    this.options.onClose?.();
  }
}
