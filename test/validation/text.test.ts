// The rule itself, at its edges: what PostgreSQL stores exactly passes, the first thing it could not is named.
import { describe, expect, it } from 'vitest';
import { findUnstorable, hasVisibleCharacter, MAX_NESTING } from '../../src/validation/text.js';

const nested = (levels: number): unknown => (levels === 0 ? 'x' : [nested(levels - 1)]);

describe('findUnstorable', () => {
  it('should take text with paired surrogates, any other control character and every instant of years 1 to 9999', () => {
    for (const value of [
      '🔔 ready',
      'tab\tand\u0001',
      new Date('0001-01-01T00:00:00.000Z'),
      new Date('9999-12-31T23:59:59.999Z'),
      { 'key 🔔': ['a', 1, null, true, { b: 'c' }] },
    ]) {
      expect(findUnstorable(value), String(value)).toBeUndefined();
    }
  });

  it(`should take ${MAX_NESTING} levels of objects and arrays, and refuse one more`, () => {
    expect(findUnstorable(nested(MAX_NESTING))).toBeUndefined();
    expect(findUnstorable(nested(MAX_NESTING + 1))).toEqual({
      path: '',
      problem: `nests objects and arrays more than ${MAX_NESTING} levels deep`,
    });
  });

  it('should name the first part at fault', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      ['a\u0000', '', /NUL/],
      ['\udc00a', '', /lone surrogate/],
      ['a\ud83d', '', /lone surrogate/],
      [{ items: [{ name: 'ok' }, { name: 'n\u0000' }] }, 'items.1.name', /NUL/],
      [{ outer: { 'k\ud800': 1 } }, 'outer', /has a key that contains a lone surrogate/],
      [new Date('0000-12-31T23:59:59.999Z'), '', /0001-01-01 and 9999-12-31/],
      [{ at: new Date(Date.parse('9999-12-31T23:59:59.999Z') + 1) }, 'at', /0001-01-01 and 9999-12-31/],
      [new Date(Number.NaN), '', /0001-01-01 and 9999-12-31/],
    ];
    for (const [value, path, problem] of cases) {
      const found = findUnstorable(value);
      expect(found?.path, JSON.stringify(value)).toBe(path);
      expect(found?.problem, JSON.stringify(value)).toMatch(problem);
    }
  });
});

describe('hasVisibleCharacter', () => {
  it('should see nothing in spaces, zero-width and other format characters', () => {
    for (const text of [
      '',
      ' \t\n',
      '\u200b',
      '\u200c\u200d\u2060\ufeff',
      '\u00ad\u200e\u200f\u202e',
      '\u3164\u2800',
      '\u{e0041}',
    ]) {
      expect(hasVisibleCharacter(text), JSON.stringify(text)).toBe(false);
    }
    for (const text of ['a', '\u200bx\u200b', '🔔', '٣', '\u0301e']) {
      expect(hasVisibleCharacter(text), JSON.stringify(text)).toBe(true);
    }
  });
});
