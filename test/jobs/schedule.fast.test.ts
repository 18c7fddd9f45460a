import type { CronMatcher } from 'graphile-worker';
import { describe, expect, it } from 'vitest';
import { everyMinutes } from '../../src/jobs/housekeeping.js';

const at = (hour: number, min: number, date = 1) => ({ min, hour, date, month: 1, dow: 1 });

describe('RETENTION_INTERVAL_MS as a crontab match', () => {
  it('should match every N minutes from midnight UTC, every minute below one, and every N days past one', () => {
    expect(everyMinutes(1)).toBe('* * * * *');
    const ninety = everyMinutes(90) as CronMatcher;
    expect([at(0, 0), at(1, 30), at(3, 0)].every(ninety)).toBe(true);
    expect([at(1, 0), at(1, 31), at(2, 0)].some(ninety)).toBe(false);
    const twoDays = everyMinutes(2 * 1440) as CronMatcher;
    expect([twoDays(at(0, 0, 1)), twoDays(at(0, 0, 2)), twoDays(at(0, 0, 3)), twoDays(at(0, 1, 3))]).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });
});
