// The subscriptions compiled streams serve, learnt from Yoga as compiled reads learn their queries
// (src/compiled-reads/read-plans.ts): a document's first subscription goes through Yoga's whole pipeline,
// which parses and validates it and checks its limits; once it has passed them and reached its subscribe
// step, its plan is kept under its text, and its later streams can be opened without that pipeline.
import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LearntDocuments, useLearntAtSubscription } from '../http/learnt-documents.js';
import { LearntCost } from '../limits/operation-cost.js';
import { type StreamPlan, streamPlanOf } from './plan.js';

/** How many documents are remembered: clients that send any document they like cannot grow it past this. */
const MAX_DOCUMENTS = 1000;

export interface LearntStreamPlan extends StreamPlan {
  cost: LearntCost;
}

export class StreamPlans extends LearntDocuments<LearntStreamPlan> {
  constructor(schema: GraphQLSchema) {
    super((document, operationName) => {
      const plan = streamPlanOf(schema, document, operationName);
      return plan && { ...plan, cost: new LearntCost(schema, document, plan.operationName) };
    }, MAX_DOCUMENTS);
  }
}

/** Learns each subscription that reaches its subscribe step, under the text Yoga ran (a trusted document's, too). */
export const useLearntStreams = (plans: StreamPlans): Plugin => useLearntAtSubscription(plans);
