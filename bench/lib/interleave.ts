// Comparisons that one noisy minute cannot decide: every target measured in turn, round after round, in
// A B C, C B A, A B C… order (each target's average position the same, so a drift in the machine's load
// falls on all of them alike), and each compared by the median of its rounds.

/** What one measurement of a target yields (a LoadResult, or the raw create loop's equivalent). */
export interface Measurement {
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

export interface Medians {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Each round's throughput, in round order, for the report. */
  each: number[];
}

export function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Measures each target `rounds` times, interleaved, and returns each one's medians. */
export async function interleaved<Target extends string>(
  targets: readonly Target[],
  rounds: number,
  measure: (target: Target, round: number) => Promise<Measurement>,
): Promise<Record<Target, Medians>> {
  const results = new Map<Target, Measurement[]>(targets.map((target) => [target, []]));
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 ? targets : targets.toReversed();
    for (const target of order) results.get(target)!.push(await measure(target, round));
  }
  return Object.fromEntries(
    targets.map((target) => {
      const runs = results.get(target)!;
      return [
        target,
        {
          requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
          p50: median(runs.map((run) => run.p50)),
          p99: median(runs.map((run) => run.p99)),
          each: runs.map((run) => run.requestsPerSecond),
        },
      ];
    }),
  ) as Record<Target, Medians>;
}
