// Rate limits at two points: every authenticated request counts against its caller's budget as it
// arrives (HTTP 429 before anything is parsed, here), and every operation against the caller's budget for
// each root field it calls, before it executes (with its cost, in one Redis round trip: useCostLimit of
// operation-limits.ts). Both answer RATE_LIMITED with `retryAfter` seconds and a Retry-After header.
import { type DocumentNode, getOperationAST, Kind, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { ExpectedError } from '../errors.js';
import { viewerOf } from '../http/authentication.js';
import { countedVerdicts } from './counted-requests.js';
import type { RateLimits, Verdict } from './rate-limiter.js';

export const rateLimited = (retryAfterSeconds: number, message: string) =>
  new ExpectedError('RATE_LIMITED', message, {
    retryAfter: retryAfterSeconds,
    http: { status: 429, headers: { 'retry-after': String(retryAfterSeconds) } },
  });

export const TOO_MANY_REQUESTS = 'Too many requests: retry after the number of seconds in retryAfter.';

const rootFieldsByDocument = new WeakMap<DocumentNode, Map<string, readonly string[]>>();

/** rootFieldsOf, remembered per document (Yoga's parse cache hands out the same one for the same text). */
export function rootFields(document: DocumentNode, operationName?: string | null): readonly string[] {
  let byOperation = rootFieldsByDocument.get(document);
  if (!byOperation) {
    byOperation = new Map();
    rootFieldsByDocument.set(document, byOperation);
  }
  const name = operationName ?? '';
  let fields = byOperation.get(name);
  if (!fields) {
    fields = rootFieldsOf(document, operationName);
    byOperation.set(name, fields);
  }
  return fields;
}

/** The root fields an operation calls, through any fragments at its root. */
function rootFieldsOf(document: DocumentNode, operationName?: string | null): string[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const fields: string[] = [];
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.name.value.startsWith('__')) fields.push(selection.name.value);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return fields;
}

/** Must come after authentication, which tells who the caller is. */
export function useRateLimits(limits: RateLimits): Plugin<Context> {
  return {
    onRequest({ request, endResponse, fetchAPI, serverContext }) {
      const viewer = viewerOf(request);
      if (!viewer) return;
      const counted = countedVerdicts(serverContext)?.request;
      const refuse = (verdict: Verdict) => {
        if (verdict.allowed) return;
        const { message, extensions } = rateLimited(verdict.retryAfterSeconds, TOO_MANY_REQUESTS);
        endResponse(
          fetchAPI.Response.json(
            { errors: [{ message, extensions: { code: extensions.code, retryAfter: extensions.retryAfter } }] },
            { status: 429, headers: { 'retry-after': String(verdict.retryAfterSeconds) } },
          ),
        );
      };
      if (counted) return refuse(counted);
      return limits.request(viewer).then(refuse);
    },
  };
}
