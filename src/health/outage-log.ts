// How a failure that repeats is logged: once when it starts, then a reminder at a calm interval while it
// lasts, and one line when it ends. A retry loop that fails every second writes three lines, not thousands.
import type { Logger } from '../logger.js';

/** How often a failure that goes on is mentioned again. */
export const REMIND_EVERY_MS = 30_000;

export interface OutageLog {
  /** It failed (again); `reason` is one line, with no stack. */
  failed(reason: string, details?: Record<string, unknown>): void;
  /** It works (again). */
  succeeded(): void;
  /** Stops the reminders. */
  close(): void;
}

export interface OutageLogOptions {
  /** What fails, as the lines name it: "Redis", "job due-notifications". */
  subject: string;
  /** What it is while it fails: "unreachable", "failing". */
  state: string;
  logger: Logger;
  remindEveryMs?: number;
}

/** An error's message as one line, without a stack (Prisma's span several lines, the cause last). */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const text = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
  return text.length > 300 ? `${text.slice(0, 299)}…` : text || 'unknown error';
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

export function outageLog({ subject, state, logger, remindEveryMs = REMIND_EVERY_MS }: OutageLogOptions): OutageLog {
  let since: number | undefined;
  let failures = 0;
  let lastReason = '';
  let reminder: NodeJS.Timeout | undefined;
  const stopReminding = () => {
    clearInterval(reminder);
    reminder = undefined;
  };
  return {
    failed(reason, details = {}) {
      failures++;
      lastReason = reason;
      if (since !== undefined) return;
      since = Date.now();
      logger.warn(
        { subject, reason, ...details },
        `${subject} ${state}: ${reason}; retrying, reported again every ${seconds(remindEveryMs)} until it is back`,
      );
      reminder = setInterval(() => {
        const downForMs = Date.now() - (since ?? Date.now());
        logger.warn(
          { subject, reason: lastReason, downForMs, failures },
          `${subject} still ${state} after ${seconds(downForMs)}: ${lastReason}`,
        );
      }, remindEveryMs);
      reminder.unref();
    },
    succeeded() {
      if (since === undefined) return;
      const downForMs = Date.now() - since;
      since = undefined;
      failures = 0;
      stopReminding();
      logger.info({ subject, downForMs }, `${subject} is back after ${seconds(downForMs)}`);
    },
    close: stopReminding,
  };
}
