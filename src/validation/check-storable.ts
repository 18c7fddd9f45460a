// The storable-input rule of text.ts as GraphQL's BAD_USER_INPUT, for GraphQL arguments and the event intake.
import { badUserInput } from '../errors.js';
import { unstorableField } from './text.js';

/** Throws BAD_USER_INPUT naming `field` (or the part of it at fault) when PostgreSQL could not store `value` exactly. */
export function checkStorable(value: unknown, field: string): void {
  const found = unstorableField(value, field);
  if (found) throw badUserInput(found.field, found.problem);
}
