// The subscriptions compiled streams serve, learnt from Yoga as compiled reads learn their queries
// (src/compiled-reads/read-plans.ts): a document's first subscription goes through Yoga's whole pipeline,
// which parses and validates it and checks its limits; once it has passed them and reached its subscribe
// step, its plan is kept under its text, and its later streams can be opened without that pipeline.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { type StreamPlan, streamPlanOf } from './plan.js';

/** How many documents are remembered: clients that send any document they like cannot grow it past this. */
const MAX_DOCUMENTS = 1000;

export class StreamPlans {
  /** By document text, then operation name: a plan, or null for an operation that has none. */
  private readonly byText = new Map<string, Map<string, StreamPlan | null>>();

  constructor(private readonly schema: GraphQLSchema) {}

  get size(): number {
    return this.byText.size;
  }

  get(text: string, operationName: string | null | undefined): StreamPlan | undefined {
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
    byOperation.set(operationName ?? '', streamPlanOf(this.schema, document, operationName) ?? null);
  }
}

/** Learns each subscription that reaches its subscribe step, under the text Yoga ran (a trusted document's, too). */
export function useLearntStreams(plans: StreamPlans): Plugin {
  return {
    onSubscribe({ args }) {
      const params = (args.contextValue as { params?: { query?: unknown } }).params;
      if (typeof params?.query === 'string') plans.learn(params.query, args.document, args.operationName);
    },
  };
}
