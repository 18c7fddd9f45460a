// Trusted documents (persisted operations): with PERSISTED_OPERATIONS=only the server runs nothing but
// the documents of its manifest, asked for by hash; with `allow` it takes both. The manifest is the
// `persisted-documents.json` that codegen's client preset writes ({ "sha256:<hex>": "<document>" }).
// A client sends `documentId` (GraphQL over HTTP's persisted documents) or Apollo's
// `extensions.persistedQuery.sha256Hash`.
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import type { SecurityConfig } from '../security/config.js';

export type TrustedDocuments = ReadonlyMap<string, string>;

/** The manifest as hash → document; throws a clear error for a missing or malformed file. */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the trusted documents manifest ${path}: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`the trusted documents manifest ${path} is not a JSON object of hash → document`);
  }
  const entries = Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  return new Map(entries.map(([hash, document]) => [hash.includes(':') ? hash : `sha256:${hash}`, document]));
}

function documentIdOf(params: { extensions?: Record<string, unknown> | undefined }): string | null {
  const documentId = (params as { documentId?: unknown }).documentId;
  if (typeof documentId === 'string') return documentId;
  const apollo = params.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
  if (apollo?.version === 1 && typeof apollo.sha256Hash === 'string') return `sha256:${apollo.sha256Hash}`;
  return null;
}

const error = (code: string, message: string) => ({ message, extensions: { code, http: { status: 400 } } });

export function useTrustedDocuments(
  { mode }: SecurityConfig['persistedOperations'],
  documents: TrustedDocuments,
): Plugin[] {
  if (mode === 'off') return [];
  return [
    usePersistedOperations({
      allowArbitraryOperations: mode === 'allow',
      extractPersistedOperationId: documentIdOf,
      getPersistedOperation: (hash) => documents.get(hash) ?? null,
      customErrors: {
        persistedQueryOnly: error(
          'PERSISTED_QUERY_ONLY',
          'This server only runs trusted documents: send the documentId of a known operation instead of a query.',
        ),
        notFound: error('PERSISTED_QUERY_NOT_FOUND', 'No trusted document has this documentId.'),
        keyNotFound: error('PERSISTED_QUERY_ID_REQUIRED', 'Send a query or the documentId of a trusted document.'),
      },
    }),
  ];
}
