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
import { costVariesWithVariables } from '../limits/operation-cost.js';
import { rootFields } from '../limits/rate-limit.js';

/** How many documents are remembered: clients that send any document they like cannot grow it past this. */
const MAX_DOCUMENTS = 100;

const CREATE = 'createNotification';

export interface CreatePlan {
  document: DocumentNode;
  operationName: string | null;
  compiled: CompiledQuery;
  /** Its cost once measured, when no variable can change it (costVariesWithVariables). */
  constantCost?: number;
  costVaries: boolean;
}

export class CreatePlans {
  /** By document text, then operation name: a plan, or null for an operation that has none. */
  private readonly byText = new Map<string, Map<string, CreatePlan | null>>();

  constructor(private readonly schema: GraphQLSchema) {}

  get size(): number {
    return this.byText.size;
  }

  get(text: string, operationName: string | null | undefined): CreatePlan | undefined {
    return this.byText.get(text)?.get(operationName ?? '') ?? undefined;
  }

  learn(text: string, document: DocumentNode, operationName: string | null | undefined): void {
    let byOperation = this.byText.get(text);
    if (byOperation?.has(operationName ?? '')) return;
    const fields = rootFields(document, operationName);
    const creates = fields.length > 0 && fields.every((field) => field === CREATE);
    // Most documents are not creates: they take no room here.
    if (!creates && !byOperation) return;
    if (!byOperation) {
      if (this.byText.size >= MAX_DOCUMENTS) return;
      byOperation = new Map();
      this.byText.set(text, byOperation);
    }
    const compiled = creates ? compileOperation(this.schema, document, operationName) : null;
    const costVaries = costVariesWithVariables(this.schema, document);
    byOperation.set(
      operationName ?? '',
      compiled ? { document, operationName: operationName ?? null, compiled, costVaries } : null,
    );
  }
}

/** Learns each createNotification mutation that reaches execution, under the text Yoga ran (a trusted document's, too). */
export function useLearntCreates(plans: CreatePlans): Plugin {
  return {
    onExecute({ args }) {
      const params = (args.contextValue as { params?: { query?: unknown } }).params;
      if (typeof params?.query === 'string') plans.learn(params.query, args.document, args.operationName);
    },
  };
}
