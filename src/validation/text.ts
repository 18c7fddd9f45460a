// The one rule for what PostgreSQL cannot store exactly, applied where input arrives (GraphQL arguments,
// the event intake, the CLI) so that it is refused as BAD_USER_INPUT naming its field, before anything is
// written, instead of failing in the database (a 500 after part of the work) or being stored altered:
// - NUL (U+0000): text and jsonb refuse it;
// - a lone surrogate (half of a UTF-16 pair): UTF-8 cannot encode it, so the driver stores U+FFFD instead;
// - objects and arrays nested more than MAX_NESTING levels: jsonb and every recursive walk of it pay for
//   depth, and no notification needs more;
// - an instant outside years 0001 to 9999 in UTC: PostgreSQL has no year 0 and JavaScript writes year
//   10000 on as "+010000", which it does not read.
// No GraphQL here (checkStorable, in check-storable.ts, says it as a GraphQL error): the CLI checks with it too.
/** How deep objects and arrays may nest in one value (metadata, event data, a filter's value). */
export const MAX_NESTING = 32;

const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

// With the u flag a well-formed pair is one code point; only a surrogate on its own is of category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

// What renders as nothing: spaces, controls, format characters (zero-width space and joiners, bidi marks,
// the byte order mark, soft hyphen…), other default-ignorable code points, and the blank Braille pattern.
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/u;

/** Why PostgreSQL could not store this text exactly, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(text)) return 'contains a lone surrogate (half of a UTF-16 pair, not text)';
  return undefined;
}

/** Whether someone reading the text would see anything. */
export const hasVisibleCharacter = (text: string): boolean => VISIBLE.test(text);

export interface Unstorable {
  /** Where, below the value given: "", "note", "items.0.name". */
  path: string;
  problem: string;
}

const below = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

/**
 * The first part of `value` PostgreSQL could not store exactly: a string, a Date, or JSON (keys included),
 * walked once and never deeper than MAX_NESTING. Undefined when all of it can be stored.
 */
export function findUnstorable(value: unknown): Unstorable | undefined {
  return walk(value, '', 0);
}

function walk(value: unknown, path: string, depth: number): Unstorable | undefined {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path, problem } : undefined;
  }
  if (value instanceof Date) {
    const time = value.getTime();
    return time >= EARLIEST && time <= LATEST
      ? undefined
      : { path, problem: 'must be between 0001-01-01 and 9999-12-31 (UTC)' };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_NESTING) {
    // Named at the top, where the value was given: its path this deep says nothing more.
    return { path: '', problem: `nests objects and arrays more than ${MAX_NESTING} levels deep` };
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = walk(item, below(path, i), depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    if (keyProblem) return { path, problem: `has a key that ${keyProblem}` };
    const found = walk(item, below(path, key), depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Which part of `field` PostgreSQL could not store exactly, named as a client reads it, and why. */
export function unstorableField(value: unknown, field: string): { field: string; problem: string } | undefined {
  const found = findUnstorable(value);
  return found && { field: [field, found.path].filter(Boolean).join('.') || 'input', problem: found.problem };
}
