// Operations whose cost only shows once their variables are known: each is refused with
// OPERATION_LIMIT_EXCEEDED (limit `cost`), whichever way it comes in. Rows for table-driven tests.

export interface RefusedOperation {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  code: 'OPERATION_LIMIT_EXCEEDED';
  limit: 'cost';
}

const repeat = (count: number, make: (i: number) => string) =>
  Array.from({ length: count }, (_, i) => make(i)).join(' ');

/** A page's selection: ten fields of each notification. */
export const PAGE =
  'edges { node { id title message type status metadata relatedSessionId createdAt readAt updatedAt } }';

/** 15 aliases of a 100-row page: refused when `first: 100` is written out, and so with `first: $n`. */
export const costByVariables: RefusedOperation = {
  name: 'cost by variables',
  query: `query ($n: Int) { ${repeat(15, (i) => `p${i}: notifications(first: $n) { ${PAGE} }`)} }`,
  variables: { n: 100 },
  code: 'OPERATION_LIMIT_EXCEEDED',
  limit: 'cost',
};

/** 15 aliases of countsBy with 20 filters each: 300 counts in one request, however little each selects. */
export const countsByFanOut: RefusedOperation = {
  name: 'countsBy fan-out',
  query: `query ($f: [KeyedNotificationFilter!]!) { ${repeat(15, (i) => `c${i}: countsBy(filters: $f) { counts { total } }`)} }`,
  variables: { f: Array.from({ length: 20 }, (_, i) => ({ key: `tab-${i}` })) },
  code: 'OPERATION_LIMIT_EXCEEDED',
  limit: 'cost',
};

export const costlyOperations: readonly RefusedOperation[] = [costByVariables, countsByFanOut];
