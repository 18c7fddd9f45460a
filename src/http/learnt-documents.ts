// What compiled reads, creates and streams know of the documents Yoga has run: a plan per document text and
// operation name, made once when Yoga first runs the operation (it has then passed Yoga's parsing, validation
// and limits), and the Yoga plugins that learn them at execution or at subscription.
import type { DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export type PlanMaker<Plan> = (document: DocumentNode, operationName: string | null | undefined) => Plan | undefined;

export class LearntDocuments<Plan> {
  /** By document text, then operation name: a plan, or null for an operation that has none. */
  private readonly byText = new Map<string, Map<string, Plan | null>>();

  /**
   * `maxDocuments` bounds the texts remembered, so that clients that send any document they like cannot grow it;
   * with `rememberMisses` false, a document without a plan takes no room (and its plan is asked for again).
   */
  constructor(
    private readonly planOf: PlanMaker<Plan>,
    private readonly maxDocuments: number,
    private readonly rememberMisses = true,
  ) {}

  get size(): number {
    return this.byText.size;
  }

  get(text: string, operationName: string | null | undefined): Plan | undefined {
    return this.byText.get(text)?.get(operationName ?? '') ?? undefined;
  }

  learn(text: string, document: DocumentNode, operationName: string | null | undefined): void {
    let byOperation = this.byText.get(text);
    if (byOperation?.has(operationName ?? '')) return;
    const plan = this.planOf(document, operationName) ?? null;
    if (!plan && !this.rememberMisses && !byOperation) return;
    if (!byOperation) {
      if (this.byText.size >= this.maxDocuments) return;
      byOperation = new Map();
      this.byText.set(text, byOperation);
    }
    byOperation.set(operationName ?? '', plan);
  }
}

type Learner = Pick<LearntDocuments<unknown>, 'learn'>;

/** The text Yoga ran (a trusted document's too), learnt with the document it parsed. */
function learnFrom(
  documents: Learner,
  args: { contextValue: unknown; document: DocumentNode; operationName?: string | null },
) {
  const params = (args.contextValue as { params?: { query?: unknown } }).params;
  if (typeof params?.query === 'string') documents.learn(params.query, args.document, args.operationName);
}

/** Learns each operation that reaches execution. */
export const useLearntAtExecution = (documents: Learner): Plugin => ({
  onExecute: ({ args }) => learnFrom(documents, args),
});

/** Learns each subscription that reaches its subscribe step. */
export const useLearntAtSubscription = (documents: Learner): Plugin => ({
  onSubscribe: ({ args }) => learnFrom(documents, args),
});
