// Quiet hours in the user's time zone: whether an instant falls in them, and when they end. Wall-clock times
// are turned into instants with Intl alone (no time zone library): a local time that does not exist (the hour
// skipped when clocks go forward) is taken as that much later, one that happens twice (clocks going back) as
// the first of the two, as Temporal's "compatible" disambiguation does.

/** Seconds from local midnight; start == end: no quiet hours; end < start: over midnight. */
export interface QuietHours {
  start: number;
  end: number;
}

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  /** Seconds from local midnight. */
  seconds: number;
}

export function localTime(at: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(at))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    seconds: parts.hour! * 3600 + parts.minute! * 60 + parts.second!,
  };
}

/** The zone's offset from UTC at `at`, in milliseconds (whole seconds). */
function offsetAt(at: number, timeZone: string): number {
  const local = localTime(at, timeZone);
  const wall = Date.UTC(local.year, local.month - 1, local.day) + local.seconds * 1000;
  return wall - Math.floor(at / 1000) * 1000;
}

/** The instant at which the zone's clocks show this date and time (see the header for skipped and repeated ones). */
export function zonedInstant(year: number, month: number, day: number, seconds: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day) + seconds * 1000;
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const valid = [wall - before, wall - after].filter((at) => at + offsetAt(at, timeZone) === wall);
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}

/** When the quiet hours `now` falls in end, in `timeZone`; null when `now` is outside them. */
export function quietUntil(now: Date, { start, end }: QuietHours, timeZone: string): Date | null {
  if (start === end) return null;
  const local = localTime(now.getTime(), timeZone);
  const s = local.seconds;
  const inside = start < end ? s >= start && s < end : s >= start || s < end;
  if (!inside) return null;
  // Over midnight and before it: they end tomorrow (Date.UTC carries the day over month ends).
  const dayOffset = start > end && s >= start ? 1 : 0;
  const date = new Date(Date.UTC(local.year, local.month - 1, local.day + dayOffset));
  const until = zonedInstant(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), end, timeZone);
  return new Date(Math.max(until, now.getTime() + 1000));
}

/** "22:00" or "07:30:15" as seconds from midnight; undefined when it is neither. */
export function parseClock(value: string): number | undefined {
  const match = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3] ?? 0);
}

/** Seconds from midnight as "HH:MM", or "HH:MM:SS" when not on the minute. */
export function formatClock(seconds: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}`;
  return seconds % 60 ? `${clock}:${pad(seconds % 60)}` : clock;
}
