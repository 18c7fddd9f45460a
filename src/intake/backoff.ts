// How long a failed event waits before its next delivery: base, 2 × base, 4 × base… up to the cap.

/** The wait after the `deliveries`-th delivery of an event failed (deliveries ≥ 1). */
export function retryDelay(deliveries: number, baseMs: number, maxMs: number): number {
  // 2^30 × base overflows nothing and is past any sensible cap already.
  return Math.min(baseMs * 2 ** Math.min(Math.max(deliveries - 1, 0), 30), maxMs);
}
