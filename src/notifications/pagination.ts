// Relay connection arguments, checked and turned into a keyset page: `after` and `before` bound the id,
// so a page costs the same at any depth and does not shift while new notifications arrive.
import { badUserInput } from '../errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  first?: number | null;
  /** The id of the notification the page starts after (its cursor, decoded). */
  after?: string | null;
  last?: number | null;
  /** The id of the notification the page ends before. */
  before?: string | null;
}

export interface Page {
  size: number;
  /** Read from the oldest end (`last`): the rows come oldest first and are flipped afterwards. */
  backwards: boolean;
  /** Only ids below this one (older). */
  after: string | undefined;
  /** Only ids above this one (newer). */
  before: string | undefined;
}

function pageSize(value: number, field: string): number {
  if (value < 0 || value > MAX_PAGE_SIZE) throw badUserInput(field, `must be between 0 and ${MAX_PAGE_SIZE}`);
  return value;
}

export function parsePageRequest({ first, after, last, before }: PageRequest): Page {
  if (first != null && last != null) throw badUserInput('last', 'cannot be combined with first');
  return {
    size: last != null ? pageSize(last, 'last') : first != null ? pageSize(first, 'first') : DEFAULT_PAGE_SIZE,
    backwards: last != null,
    after: after ?? undefined,
    before: before ?? undefined,
  };
}
