// What compiled reads and compiled streams take from a request before answering it themselves: its
// GraphQL parameters as Yoga would read them, the document they name, and the CORS headers Yoga's plugin
// would add. Anything Yoga would read differently or refuse reads as undefined here: Yoga answers it.
import type { IncomingMessage } from 'node:http';
import { type CORSOptions, getCORSHeadersByRequestAndOptions } from '@whatwg-node/server';
import type { TrustedDocuments } from '../http/trusted-documents.js';
import type { SecurityConfig } from '../security/config.js';

export type CorsOptionsFactory = (request: Request) => CORSOptions;

/** The CORS headers Yoga's CORS plugin adds to the response of a request from this origin (none without one). */
export function corsHeaders(request: IncomingMessage, cors: CorsOptionsFactory): Record<string, string> | null {
  if (request.headers.origin === undefined) return null;
  const asFetchRequest = {
    headers: { get: (name: string) => (request.headers[name.toLowerCase()] as string | undefined) ?? null },
  } as unknown as Request;
  return getCORSHeadersByRequestAndOptions(asFetchRequest, cors(asFetchRequest));
}

export interface Params {
  query?: unknown;
  documentId?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

/** The operation a request asks for, as Yoga would run it. */
export interface OperationParams {
  /** The document's text (a trusted document's, for one named by id). */
  text: string;
  operationName: string | null;
  variables: Record<string, unknown>;
}

/** The parameters Yoga takes (graphql-yoga's checkGraphQLQueryParams, and documentId when persisted operations are on). */
const PARAMS = new Set(['query', 'operationName', 'variables', 'extensions']);
const PARAMS_AND_DOCUMENT_ID = new Set([...PARAMS, 'documentId']);

const isObjectOrNull = (value: unknown) => value == null || (typeof value === 'object' && !Array.isArray(value));

/** The document a request asks for, as Yoga would run it; undefined for a request that Yoga must answer. */
function documentText(
  params: Params,
  mode: SecurityConfig['persistedOperations']['mode'],
  trustedDocuments: TrustedDocuments,
): string | undefined {
  if (typeof params.query === 'string') return mode === 'only' ? undefined : params.query;
  if (mode === 'off') return undefined;
  const apollo = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)
    ?.persistedQuery;
  const id =
    typeof params.documentId === 'string'
      ? params.documentId
      : apollo?.version === 1 && typeof apollo.sha256Hash === 'string'
        ? `sha256:${apollo.sha256Hash}`
        : undefined;
  return id === undefined ? undefined : trustedDocuments.get(id);
}

/** The operation of a request's parameters (a JSON body's, parsed); undefined when Yoga must read them. */
export function operationParams(
  params: unknown,
  mode: SecurityConfig['persistedOperations']['mode'],
  trustedDocuments: TrustedDocuments,
): OperationParams | undefined {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return undefined;
  const known = mode === 'off' ? PARAMS : PARAMS_AND_DOCUMENT_ID;
  for (const key in params) if (!known.has(key)) return undefined;
  const { variables, extensions, operationName = null } = params as Params;
  if (!isObjectOrNull(variables) || !isObjectOrNull(extensions)) return undefined;
  if (operationName !== null && typeof operationName !== 'string') return undefined;
  const text = documentText(params as Params, mode, trustedDocuments);
  if (text === undefined) return undefined;
  return { text, operationName, variables: (variables ?? {}) as Record<string, unknown> };
}
