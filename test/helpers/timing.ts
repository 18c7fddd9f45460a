// Deadlines sized to this machine as it is during this run: test/setup/global.ts times one start of the real
// server process before any test runs, and a deadline that allows some multiple of a quiet machine's figure
// here allows the same multiple of that measured start. A busy CI machine gets longer deadlines, not failures.
import { inject } from 'vitest';

/** One start of `src/main.ts` up to its `listening` line on a quiet 2-core machine. */
const QUIET_STARTUP_MS = 3000;

/** How many times slower than a quiet machine this one was at the start of the run (at least 1). */
export function slowness(): number {
  return Math.max(1, inject('startupMs') / QUIET_STARTUP_MS);
}

/** `ms`, a deadline that suits a quiet machine, scaled to this one. */
export const scaled = (ms: number): number => Math.round(ms * slowness());

/** How long to wait for one server process to start: several times the measured start, never under 30 s. */
export const startupDeadline = (): number => Math.max(30_000, inject('startupMs') * 6);

/** A test's own timeout when it starts `starts` server processes one after another (vitest's 60 s is for the rest). */
export const timeoutForStarts = (starts: number): number => starts * startupDeadline() + scaled(30_000);
