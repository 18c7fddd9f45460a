// The createNotification documents compiled creates answer, learnt from Yoga as compiled reads learn theirs
// (src/compiled-reads/read-plans.ts): a document's first run goes through Yoga's whole pipeline, which parses
// and validates it and checks its limits; once it has reached execution, it is compiled by graphql-jit (as Yoga
// runs it after a few runs, src/http/compiled-execution.ts) and kept under its text. Only a mutation whose every
// root field is createNotification: any selection of the notification it returns, which the compiled code
// resolves and serializes exactly as Yoga's would.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { compileOperation } from '../http/compiled-execution.js';
import { LearntDocuments, useLearntAtExecution } from '../http/learnt-documents.js';
import { LearntCost } from '../limits/operation-cost.js';
import { rootFields } from '../limits/rate-limit.js';

/** How many documents are remembered: clients that send any document they like cannot grow it past this. */
const MAX_DOCUMENTS = 100;

const CREATE = 'createNotification';

export interface CreatePlan {
  document: DocumentNode;
  operationName: string | null;
  compiled: CompiledQuery;
  cost: LearntCost;
}

/** Only a mutation whose every root field is createNotification; most documents are not, and take no room. */
function createPlanOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): CreatePlan | undefined {
  const fields = rootFields(document, operationName);
  if (fields.length === 0 || !fields.every((field) => field === CREATE)) return undefined;
  const compiled = compileOperation(schema, document, operationName);
  if (!compiled) return undefined;
  const name = operationName ?? null;
  return { document, operationName: name, compiled, cost: new LearntCost(schema, document, name) };
}

export class CreatePlans extends LearntDocuments<CreatePlan> {
  constructor(schema: GraphQLSchema) {
    super((document, operationName) => createPlanOf(schema, document, operationName), MAX_DOCUMENTS, false);
  }
}

/** Learns each createNotification mutation that reaches execution, under the text Yoga ran (a trusted document's, too). */
export const useLearntCreates = (plans: CreatePlans): Plugin => useLearntAtExecution(plans);
