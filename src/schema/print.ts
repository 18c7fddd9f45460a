import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './index.js';

/** The schema as SDL, sorted so that the committed schema.graphql changes only when the API does. */
export const printSortedSchema = (): string => `${printSchema(lexicographicSortSchema(schema))}\n`;
