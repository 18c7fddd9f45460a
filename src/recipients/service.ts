// How to reach each user outside the app, as the services that know them say (upsertRecipient). A user
// without an email address simply gets no email (their deliveries are SKIPPED, NO_ADDRESS).
import { z } from 'zod';
import type { Database } from '../db.js';
import { badUserInput } from '../errors.js';
import type { Recipient } from '../generated/prisma/client.js';

export interface RecipientInput {
  userId: string;
  /** Null or absent: none (the user gets no email). */
  email?: string | null | undefined;
  locale?: string | null | undefined;
  timeZone?: string | null | undefined;
}

const userId = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
const email = z.email('must be an email address').max(254, 'must be at most 254 characters');

function checkLocale(locale: string): string {
  try {
    const [canonical] = Intl.getCanonicalLocales(locale);
    if (canonical && canonical.length <= 35) return canonical;
  } catch {}
  throw badUserInput('locale', `is not a BCP 47 language tag: ${locale.slice(0, 40)}`);
}

export function checkTimeZone(timeZone: string): string {
  try {
    // Intl knows every IANA zone and refuses anything else; its canonical name is what we keep.
    return new Intl.DateTimeFormat('en', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw badUserInput('timeZone', `is not a known IANA time zone: ${timeZone.slice(0, 64)}`);
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badUserInput(field, result.error.issues[0]!.message);
  return result.data;
}

export class Recipients {
  constructor(private readonly db: Database) {}

  /** Creates or replaces a user's profile; every field is checked before anything is written. */
  async upsert(input: RecipientInput): Promise<Recipient> {
    const id = check(userId, input.userId, 'userId');
    const data = {
      email: input.email ? check(email, input.email.trim(), 'email') : null,
      locale: input.locale ? checkLocale(input.locale.trim()) : null,
      timeZone: input.timeZone ? checkTimeZone(input.timeZone.trim()) : null,
    };
    return this.db.recipient.upsert({ where: { userId: id }, create: { userId: id, ...data }, update: data });
  }

  get(userId: string): Promise<Recipient | null> {
    return this.db.recipient.findUnique({ where: { userId } });
  }
}
