// What the client sends: a document typed with its result and variables, as codegen's client preset writes them
// in string mode (`TypedDocumentString`), ours (./generated/) or a frontend's own.

/** A GraphQL document whose text is `toString()`, typed with its result and variables. */
export interface TypedDocument<TData, TVariables> {
  /** Carries the types only; never set. */
  __apiType?: (variables: TVariables) => TData;
  toString(): string;
  /** `hash`: the document's trusted-documents id, written by codegen with `persistedDocuments`. */
  __meta__?: Record<string, unknown> | undefined;
}

/** Variables as an argument: optional when every variable is. */
export type VariablesOf<TVariables> =
  Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

/** The body that sends `document`: its text, or with `persisted` its hash (`documentId`). */
export function operationBody(
  document: { toString(): string; __meta__?: Record<string, unknown> | undefined },
  variables: unknown,
  persisted: boolean,
) {
  if (!persisted) return { query: document.toString(), variables };
  const hash = document.__meta__?.hash;
  if (typeof hash !== 'string') {
    throw new Error("this document has no hash: generate it with codegen's `persistedDocuments` option");
  }
  return { documentId: hash, variables };
}
