// Watches the dependencies after start, with the checks /ready runs, and says when one goes away and when it
// is back (src/health/outage-log.ts): the drivers' own retry loops only log at debug level.
import type { Logger } from '../logger.js';
import type { DependencyCheck, DependencyChecks, DependencyReport } from './dependencies.js';
import { type OutageLog, outageLog } from './outage-log.js';

/** How often the dependencies are checked: how soon a loss or a return is reported. */
export const WATCH_EVERY_MS = 2000;

const SUBJECTS: Record<keyof DependencyReport, [subject: string, state: string]> = {
  postgres: ['PostgreSQL', 'unreachable'],
  schema: ['the database schema', 'behind'],
  redis: ['Redis', 'unreachable'],
};

export interface DependencyWatch {
  stop(): Promise<void>;
}

export function watchDependencies(checks: DependencyChecks, logger: Logger, everyMs = WATCH_EVERY_MS): DependencyWatch {
  const logs = new Map<keyof DependencyReport, OutageLog>();
  const logFor = (name: keyof DependencyReport) => {
    let log = logs.get(name);
    if (!log) {
      const [subject, state] = SUBJECTS[name];
      log = outageLog({ subject, state, logger });
      logs.set(name, log);
    }
    return log;
  };
  let running: Promise<void> | undefined;
  const round = async () => {
    const report = await checks.check();
    for (const [name, check] of Object.entries(report) as Array<[keyof DependencyReport, DependencyCheck]>) {
      // The schema cannot be read while PostgreSQL is away; that outage is reported once, as PostgreSQL's.
      if (name === 'schema' && !report.postgres.up) continue;
      if (check.up) logFor(name).succeeded();
      else logFor(name).failed(check.reason ?? check.error ?? 'FAILED');
    }
  };
  const timer = setInterval(() => {
    running ??= round()
      .catch((error: unknown) => logger.debug({ err: error }, 'dependency watch failed'))
      .finally(() => {
        running = undefined;
      });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      for (const log of logs.values()) log.close();
    },
  };
}
