// The shapes of Redis stream replies, which ioredis leaves untyped, and the entries the intake works with.

export interface StreamEntry {
  id: string;
  /** The entry's fields; a field given twice keeps its last value. */
  fields: Record<string, string>;
}

type RawEntry = [id: string, flat: string[] | null];

/** Entries of an XCLAIM reply, or of one stream in an XREADGROUP reply. Entries deleted since are skipped. */
export function entriesOf(raw: unknown): StreamEntry[] {
  const entries: StreamEntry[] = [];
  for (const [id, flat] of (raw ?? []) as RawEntry[]) {
    if (!flat) continue;
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    entries.push({ id, fields });
  }
  return entries;
}

/** The entries of the one stream an XREADGROUP asked for; none when it timed out. */
export function readReplyEntries(raw: unknown): StreamEntry[] {
  const streams = raw as Array<[key: string, entries: RawEntry[]]> | null;
  return streams?.[0] ? entriesOf(streams[0][1]) : [];
}

export interface PendingEntry {
  id: string;
  consumer: string;
  idleMs: number;
  /** How many times the entry has been delivered so far. */
  deliveries: number;
}

/** The rows of XPENDING's extended form. */
export function pendingOf(raw: unknown): PendingEntry[] {
  return ((raw ?? []) as Array<[string, string, number, number]>).map(([id, consumer, idleMs, deliveries]) => ({
    id,
    consumer,
    idleMs: Number(idleMs),
    deliveries: Number(deliveries),
  }));
}
