// The documents compiled reads answer, learnt from Yoga: a document's first run goes through Yoga's whole
// pipeline, which parses and validates it and checks its limits (characters, tokens, depth, aliases,
// directives, trusted documents); once it has passed them on its way to execution, its plan is kept under
// its text, and its later requests can be answered without that pipeline (src/compiled-reads/handler.ts).
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LearntDocuments, useLearntAtExecution } from '../http/learnt-documents.js';
import { LearntCost } from '../limits/operation-cost.js';
import { planOf, type ReadPlan } from './plan.js';

/** How many documents are remembered: clients that send any document they like cannot grow it past this. */
const MAX_DOCUMENTS = 1000;

export interface LearntPlan extends ReadPlan {
  document: DocumentNode;
  operationName: string | null;
  cost: LearntCost;
}

export class ReadPlans extends LearntDocuments<LearntPlan> {
  constructor(schema: GraphQLSchema) {
    super((document, operationName) => {
      const plan = planOf(schema, document, operationName);
      if (!plan) return undefined;
      const name = operationName ?? null;
      return { ...plan, document, operationName: name, cost: new LearntCost(schema, document, name) };
    }, MAX_DOCUMENTS);
  }
}

/** Learns each document that reaches execution, under the text Yoga ran (a trusted document's, too). */
export const useLearntReads = (plans: ReadPlans): Plugin => useLearntAtExecution(plans);
