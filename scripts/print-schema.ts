// Writes schema.graphql from the Pothos schema (what codegen and frontends read).
import { writeFile } from 'node:fs/promises';
import { printSortedSchema } from '../src/schema/print.js';

const target = new URL('../schema.graphql', import.meta.url);
await writeFile(target, printSortedSchema());
console.log('wrote schema.graphql');
