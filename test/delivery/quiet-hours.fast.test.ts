// The time math of quiet hours, at fixed instants: ranges within a day and over midnight, several zones, and
// the nights the clocks change.
import { describe, expect, it } from 'vitest';
import { formatClock, parseClock, quietUntil, zonedInstant } from '../../src/delivery/quiet-hours.js';

const at = (iso: string) => new Date(iso);
const hours = (start: string, end: string) => ({ start: parseClock(start)!, end: parseClock(end)! });
const until = (now: string, start: string, end: string, zone: string) =>
  quietUntil(at(now), hours(start, end), zone)?.toISOString() ?? null;

describe('quiet hours', () => {
  it('should hold within a range of one day, and not outside it', () => {
    expect(until('2026-06-10T10:30:00Z', '09:00', '17:00', 'UTC')).toBe('2026-06-10T17:00:00.000Z');
    expect(until('2026-06-10T08:59:59Z', '09:00', '17:00', 'UTC')).toBeNull();
    expect(until('2026-06-10T17:00:00Z', '09:00', '17:00', 'UTC')).toBeNull();
  });

  it("should hold over midnight, before and after it, in the user's zone", () => {
    // 22:00–07:00 in Paris (UTC+2 in June): 23:30 local is 21:30Z, and they end at 07:00 local the next day.
    expect(until('2026-06-10T21:30:00Z', '22:00', '07:00', 'Europe/Paris')).toBe('2026-06-11T05:00:00.000Z');
    expect(until('2026-06-11T03:00:00Z', '22:00', '07:00', 'Europe/Paris')).toBe('2026-06-11T05:00:00.000Z');
    expect(until('2026-06-11T05:00:00Z', '22:00', '07:00', 'Europe/Paris')).toBeNull();
    expect(until('2026-06-10T19:59:00Z', '22:00', '07:00', 'Europe/Paris')).toBeNull();
    // The same instant is daytime in Tokyo and night in Los Angeles.
    expect(until('2026-06-11T06:00:00Z', '22:00', '07:00', 'Asia/Tokyo')).toBeNull();
    expect(until('2026-06-11T06:00:00Z', '22:00', '07:00', 'America/Los_Angeles')).toBe('2026-06-11T14:00:00.000Z');
    // Over a month's end, in a zone a half hour off.
    expect(until('2026-06-30T18:00:00Z', '22:00', '07:00', 'Asia/Kolkata')).toBe('2026-07-01T01:30:00.000Z');
  });

  it('should end at the right instant on the nights the clocks change', () => {
    // Paris goes from UTC+1 to UTC+2 at 02:00 on 29 March 2026: a night of 22:00–07:00 lasts an hour less.
    expect(until('2026-03-28T22:00:00Z', '22:00', '07:00', 'Europe/Paris')).toBe('2026-03-29T05:00:00.000Z');
    // ...and back at 03:00 on 25 October 2026: an hour more.
    expect(until('2026-10-24T21:00:00Z', '22:00', '07:00', 'Europe/Paris')).toBe('2026-10-25T06:00:00.000Z');
    // An end in the skipped hour (02:30 does not exist that night) is taken as 03:30 summer time.
    expect(until('2026-03-29T00:30:00Z', '01:00', '02:30', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z');
    // An end in the repeated hour (02:30 happens twice) is the first 02:30.
    expect(until('2026-10-25T00:10:00Z', '01:00', '02:30', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedInstant(2026, 3, 8, parseClock('02:30')!, 'America/New_York')).toBe(Date.parse('2026-03-08T07:30:00Z'));
  });

  it('should have no quiet hours when start and end are the same', () => {
    expect(until('2026-06-10T10:30:00Z', '10:00', '10:00', 'UTC')).toBeNull();
  });

  it('should read and write clock times to the second', () => {
    expect(parseClock('22:00')).toBe(79_200);
    expect(parseClock('07:30:15')).toBe(27_015);
    expect(parseClock('24:00')).toBeUndefined();
    expect(parseClock('7:30')).toBeUndefined();
    expect(formatClock(79_200)).toBe('22:00');
    expect(formatClock(27_015)).toBe('07:30:15');
  });
});
