// The reservations of graphql-sse's single-connection mode (a PUT answers a token; a GET with it opens the
// stream; POSTs with it run operations into the stream). Each belongs to the user who made it, and counts
// against their stream cap from the PUT until its stream closes, or until `ttlMs` passes with no stream.
// While it carries no subscription its own lease is lent to the first one posted into it, so a connection
// with one subscription counts once, as a distinct-connections stream does.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { Lease, StreamLeases } from './stream-leases.js';

export interface Reservation {
  readonly token: string;
  readonly userId: string;
  /** Aborts when the reservation ends: its stream closed, it expired unused, or the server stops. */
  readonly signal: AbortSignal;
}

interface Entry extends Reservation {
  ending: AbortController;
  lease: Lease;
  lent: boolean;
  connected: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** 256 bits from the CSPRNG, URL-safe: nobody guesses one. */
const newToken = () => randomBytes(32).toString('base64url');

export class StreamReservations {
  private readonly entries = new Map<string, Entry>();
  private readonly posting = new AsyncLocalStorage<Entry>();

  /**
   * @param expire closes the reservation's stream where it lives (graphql-sse's handler) once it has gone
   *   unused for `ttlMs`; the reservation is already forgotten here by then.
   */
  constructor(
    private readonly leases: StreamLeases,
    private readonly ttlMs: number,
    private readonly expire: (token: string) => Promise<void>,
  ) {}

  /** The leases subscriptions take: inside `postingInto`, the reservation's own when it is free. */
  readonly streamLeases: StreamLeases = {
    acquire: async (userId) => {
      const entry = this.posting.getStore();
      if (entry && entry.userId === userId && !entry.lent && !entry.signal.aborted) return this.lend(entry);
      return this.leases.acquire(userId);
    },
    close: () => this.leases.close(),
  };

  /** A new reservation for the user, or undefined when their streams are at the cap. */
  async reserve(userId: string): Promise<Reservation | undefined> {
    const lease = await this.leases.acquire(userId);
    if (!lease) return undefined;
    const ending = new AbortController();
    const entry: Entry = {
      token: newToken(),
      userId,
      signal: ending.signal,
      ending,
      lease,
      lent: false,
      connected: false,
      timer: undefined,
    };
    entry.timer = setTimeout(() => void this.expireUnused(entry), this.ttlMs).unref();
    this.entries.set(entry.token, entry);
    return entry;
  }

  /** The user's reservation with this token; undefined for an unknown token and someone else's alike. */
  ownedBy(token: string | null | undefined, userId: string): Reservation | undefined {
    const entry = token ? this.entries.get(token) : undefined;
    return entry?.userId === userId ? entry : undefined;
  }

  /** Its stream is open: it no longer expires, and lives as long as the stream. */
  connected(reservation: Reservation): void {
    const entry = this.entries.get(reservation.token);
    if (!entry) return;
    entry.connected = true;
    clearTimeout(entry.timer);
  }

  /** Runs `post` (an operation posted into the reservation) so that a subscription can take its lease. */
  postingInto<T>(reservation: Reservation | undefined, post: () => T): T {
    const entry = reservation && this.entries.get(reservation.token);
    return entry ? this.posting.run(entry, post) : post();
  }

  /** The reservation is gone (its stream closed, or it was never made): its lease goes back. */
  end(reservation: Reservation): void {
    const entry = this.entries.get(reservation.token);
    if (!entry || entry.signal.aborted) return;
    entry.ending.abort();
    clearTimeout(entry.timer);
    this.entries.delete(entry.token);
    if (!entry.lent) entry.lease.release();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Ends every reservation (the server is stopping). */
  close(): void {
    for (const entry of [...this.entries.values()]) this.end(entry);
  }

  private lend(entry: Entry): Lease {
    entry.lent = true;
    let returned = false;
    return {
      release: () => {
        if (returned) return;
        returned = true;
        entry.lent = false;
        if (entry.signal.aborted) entry.lease.release();
      },
    };
  }

  private async expireUnused(entry: Entry): Promise<void> {
    if (entry.connected || entry.signal.aborted) return;
    this.end(entry);
    await this.expire(entry.token);
  }
}
