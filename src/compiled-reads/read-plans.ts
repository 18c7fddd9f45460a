// The documents compiled reads answer, learnt from Yoga: a document's first run goes through Yoga's whole
// pipeline, which parses and validates it and checks its limits (characters, tokens, depth, aliases,
// directives, trusted documents); once it has passed them on its way to execution, its plan is kept under
// its text, and its later requests can be answered without that pipeline (src/compiled-reads/handler.ts).
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { planOf, type ReadPlan } from './plan.js';

/** How many documents are remembered: clients that send any document they like cannot grow it past this. */
const MAX_DOCUMENTS = 1000;

export interface LearntPlan extends ReadPlan {
  document: DocumentNode;
  operationName: string | null;
}

export class ReadPlans {
  /** By document text, then operation name: a plan, or null for an operation that has none. */
  private readonly byText = new Map<string, Map<string, LearntPlan | null>>();

  constructor(private readonly schema: GraphQLSchema) {}

  get size(): number {
    return this.byText.size;
  }

  get(text: string, operationName: string | null | undefined): LearntPlan | undefined {
    return this.byText.get(text)?.get(operationName ?? '') ?? undefined;
  }

  learn(text: string, document: DocumentNode, operationName: string | null | undefined): void {
    let byOperation = this.byText.get(text);
    if (byOperation?.has(operationName ?? '')) return;
    if (!byOperation) {
      if (this.byText.size >= MAX_DOCUMENTS) return;
      byOperation = new Map();
      this.byText.set(text, byOperation);
    }
    const plan = planOf(this.schema, document, operationName);
    byOperation.set(operationName ?? '', plan ? { ...plan, document, operationName: operationName ?? null } : null);
  }
}

/** Learns each document that reaches execution, under the text Yoga ran (a trusted document's, too). */
export function useLearntReads(plans: ReadPlans): Plugin {
  return {
    onExecute({ args }) {
      const params = (args.contextValue as { params?: { query?: unknown } }).params;
      if (typeof params?.query === 'string') plans.learn(params.query, args.document, args.operationName);
    },
  };
}
