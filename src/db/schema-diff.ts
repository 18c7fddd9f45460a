import { type SchemaFile, withSchemaEngine } from './schema-engine.js';

/**
 * The SQL that turns a database built from `from` (or an empty one) into one built from `to`.
 * The engine connects to `databaseUrl` when it starts, but the diff itself reads and changes nothing there.
 */
export async function diffSchemas(
  databaseUrl: string,
  from: SchemaFile[] | 'empty',
  to: SchemaFile[],
): Promise<string> {
  const result = await withSchemaEngine(databaseUrl, to, (engine) =>
    engine.diff({
      from: from === 'empty' ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: from },
      to: { tag: 'schemaDatamodel', files: to },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  return result.stdout ?? '';
}
