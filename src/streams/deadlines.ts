// Many deadlines (one per open stream: its token's expiry) on one timer. A setTimeout each would leave a
// timer list behind for every distinct delay until that delay runs out, which with thousands of streams and
// millisecond-distinct expiries grows the heap long after the streams are gone.

export interface Deadlines {
  /** Calls `callback` once `time` (ms since the epoch) has passed, within `resolutionMs`; returns a cancel. */
  at(time: number, callback: () => void): () => void;
  /** Stops the timer; pending callbacks are dropped. */
  stop(): void;
}

export function createDeadlines(resolutionMs = 250): Deadlines {
  const due = new Map<number, Set<() => void>>();
  const slotOf = (time: number) => Math.ceil(time / resolutionMs);
  const timer = setInterval(() => {
    const now = Math.floor(Date.now() / resolutionMs);
    // A slot fires once its start has passed (slots round deadlines up), so nothing fires early and a late
    // tick loses nothing.
    for (const [slot, callbacks] of due) {
      if (slot > now) continue;
      due.delete(slot);
      for (const callback of callbacks) callback();
    }
  }, resolutionMs);
  timer.unref();
  return {
    at(time, callback) {
      const slot = slotOf(time);
      const callbacks = due.get(slot) ?? new Set<() => void>();
      due.set(slot, callbacks);
      callbacks.add(callback);
      return () => {
        callbacks.delete(callback);
        if (callbacks.size === 0 && due.get(slot) === callbacks) due.delete(slot);
      };
    },
    stop: () => clearInterval(timer),
  };
}
