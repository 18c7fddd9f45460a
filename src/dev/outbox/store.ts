// What the development outbox holds: every email the in-process SMTP catcher received, and (from the push
// channel) every push payload sent, newest first, in memory, the last few hundred only.

export interface OutboxEmail {
  kind: 'email';
  from: string;
  to: string[];
  subject: string;
  messageId: string | undefined;
  text: string | undefined;
  /** The HTML part as sent; the page shows it in a sandboxed frame. */
  html: string | undefined;
  /** Every header line as sent, in order. */
  headers: Array<{ name: string; value: string }>;
}

export interface OutboxPush {
  kind: 'push';
  /** The push service's URL the payload was sent to. */
  endpoint: string;
  /** The payload as the service worker receives it (decrypted). */
  payload: unknown;
}

export type OutboxEntry = (OutboxEmail | OutboxPush) & { id: number; at: Date };

const CAPACITY = 500;

export class Outbox {
  private readonly entries: OutboxEntry[] = [];
  private next = 1;

  add(entry: OutboxEmail | OutboxPush): OutboxEntry {
    const stored = { ...entry, id: this.next++, at: new Date() };
    this.entries.unshift(stored);
    if (this.entries.length > CAPACITY) this.entries.length = CAPACITY;
    return stored;
  }

  /** Newest first. */
  list(): readonly OutboxEntry[] {
    return this.entries;
  }
}
