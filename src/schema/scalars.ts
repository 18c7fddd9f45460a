import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from './builder.js';

builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'An instant in time, as an ISO 8601 string in UTC (e.g. "2026-11-22T09:30:00.000Z").',
});
builder.addScalarType('JSON', JSONResolver, { description: 'Any JSON value.' });
