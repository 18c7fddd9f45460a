import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { MAX_NESTING } from '../validation/text.js';
import { builder } from './builder.js';

// The limits below are those of src/validation/text.ts, which every argument is checked against.
builder.addScalarType('DateTime', DateTimeResolver, {
  description:
    'An instant in time, as an ISO 8601 string in UTC (e.g. "2026-11-22T09:30:00.000Z"); as input, between ' +
    '0001-01-01 and 9999-12-31 in UTC.',
});
builder.addScalarType('JSON', JSONResolver, {
  description:
    `Any JSON value. As input, objects and arrays nest at most ${MAX_NESTING} levels deep, and no string or key ` +
    'holds a NUL character or a lone surrogate.',
});
