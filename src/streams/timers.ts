// setTimeout takes at most 2^31 - 1 ms (about 24.8 days); a longer delay would fire at once.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Calls `callback` at `time` (ms since the epoch), however far off; returns a function that cancels it. */
export function setTimeoutAt(time: number, callback: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const delay = time - Date.now();
    timer = delay > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(callback, Math.max(0, delay));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
