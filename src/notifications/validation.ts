// The rules a new notification must follow, whoever sends it (GraphQL, event intake, CLI).
import { z } from 'zod';
import { badUserInput } from '../errors.js';
import { NotificationPriority, NotificationType } from '../generated/prisma/enums.js';
import { findUnstorable, hasVisibleCharacter } from '../validation/text.js';

export const MAX_METADATA_BYTES = 16 * 1024;
/** How far ahead a send may be scheduled. */
export const MAX_SEND_AHEAD_MS = 365 * 24 * 3600 * 1000;

/** A scheduled send's instant: in the future and within a year; a BAD_USER_INPUT error naming `sendAt` otherwise. */
export function checkSendAt(sendAt: Date | null | undefined, expiresAt?: Date | null): Date | null {
  if (!sendAt) return null;
  const ahead = sendAt.getTime() - Date.now();
  if (!(ahead > 0)) throw badUserInput('sendAt', 'must be in the future');
  if (ahead > MAX_SEND_AHEAD_MS) throw badUserInput('sendAt', 'must be within a year');
  if (expiresAt && expiresAt <= sendAt) throw badUserInput('expiresAt', 'must be later than sendAt');
  return sendAt;
}

/** The rule of src/validation/text.ts, as a zod check: what PostgreSQL could not store exactly is refused. */
const storable = (value: unknown, context: z.core.$RefinementCtx<unknown>) => {
  const found = findUnstorable(value);
  if (found) context.addIssue({ code: 'custom', message: found.problem, path: found.path ? [found.path] : [] });
};

// PostgreSQL counts characters (code points), not UTF-16 units.
const text = (max: number) =>
  z
    .string()
    .superRefine(storable)
    .refine((value) => value.trim().length > 0, 'must not be empty')
    .refine((value) => [...value].length <= max, `must be at most ${max} characters`);

/** Text shown to the user: a title of zero-width spaces is as empty as one of spaces. */
const shownText = (max: number) =>
  text(max).refine(hasVisibleCharacter, 'must have a visible character, not only spaces or invisible ones');

const optionalText = (max: number) => text(max).nullish();

// Checked for storage before its shape, so that nothing else walks a value nested too deep.
const metadata = z
  .unknown()
  .superRefine(storable)
  .pipe(z.record(z.string(), z.json(), { error: 'must be a JSON object' }))
  .refine(
    (value) => Buffer.byteLength(JSON.stringify(value)) <= MAX_METADATA_BYTES,
    `must be at most ${MAX_METADATA_BYTES} bytes as JSON`,
  );

export const newNotificationSchema = z.object({
  userId: text(255),
  title: shownText(255),
  message: shownText(1000),
  type: z.enum(NotificationType),
  priority: z
    .enum(NotificationPriority)
    .nullish()
    .transform((value) => value ?? 'NORMAL'),
  metadata: metadata.nullish().transform((value) => value ?? {}),
  relatedSessionId: optionalText(255).transform((value) => value ?? null),
  idempotencyKey: optionalText(255).transform((value) => value ?? null),
  category: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be 1 to 64 lowercase letters, digits, ".", "_" or "-"')
    .nullish()
    .transform((value) => value ?? null),
  expiresAt: z
    .date()
    .superRefine(storable)
    .refine((value) => value.getTime() > Date.now(), 'must be in the future')
    .nullish()
    .transform((value) => value ?? null),
  /** Sent then rather than now (see checkSendAt). */
  sendAt: z
    .date()
    .nullish()
    .transform((value) => value ?? null),
});

/** What producers send; `metadata` is checked to be a JSON object, so anything may arrive there. */
export type NewNotificationInput = Omit<z.input<typeof newNotificationSchema>, 'metadata'> & { metadata?: unknown };
export type NewNotification = z.output<typeof newNotificationSchema>;

/** The input, checked; a BAD_USER_INPUT error naming the first bad field otherwise. */
export function parseNewNotification(input: unknown): NewNotification {
  const result = newNotificationSchema.safeParse(input);
  if (result.success) return { ...result.data, sendAt: checkSendAt(result.data.sendAt, result.data.expiresAt) };
  const issue = result.error.issues[0]!;
  throw badUserInput(issue.path.map(String).join('.') || 'input', issue.message);
}
