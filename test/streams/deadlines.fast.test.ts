import { describe, expect, it } from 'vitest';
import { createDeadlines } from '../../src/streams/deadlines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadlines', () => {
  it('should call each callback once its time has passed, and never a cancelled one', async () => {
    const deadlines = createDeadlines(20);
    const fired: string[] = [];
    const start = Date.now();
    deadlines.at(start + 40, () => fired.push('soon'));
    deadlines.at(start - 1000, () => fired.push('already due'));
    const cancel = deadlines.at(start + 40, () => fired.push('cancelled'));
    deadlines.at(start + 10_000, () => fired.push('later'));
    cancel();
    await sleep(150);
    deadlines.stop();
    expect(fired.sort()).toEqual(['already due', 'soon']);
  });

  it('should not fire early', async () => {
    const deadlines = createDeadlines(20);
    let firedAt = 0;
    const due = Date.now() + 100;
    deadlines.at(due, () => {
      firedAt = Date.now();
    });
    await sleep(200);
    deadlines.stop();
    expect(firedAt).toBeGreaterThanOrEqual(due);
  });
});
