// The job queue runs on every instance, channels or not: our own jobs (src/jobs/) are its jobs too.
import { describe, expect, it } from 'vitest';
import { captureLog } from '../helpers/log-capture.js';
import { startTestServer } from '../helpers/server.js';

describe('the job queue at start', () => {
  it('should run with no channel configured, only the housekeeping tasks, and say which channels are off and why', async () => {
    const log = captureLog();
    const server = await startTestServer({ redis: false, logger: log.logger, env: { SMTP_URL: undefined } });
    try {
      const started = log.entries.find((entry) => entry.msg === 'job queue started');
      expect(started).toMatchObject({ channels: { EMAIL: 'off (SMTP_URL not set)' } });
      expect(started!.poolId).toMatch(/^pool-/);
      expect(started!.tasks).toEqual(['due_notifications', 'retention', 'prune_change_log']);
    } finally {
      await server.stop();
    }
  });
});
