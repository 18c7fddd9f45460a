// A service's createNotification, answered outside Yoga (measured in the report of issue 17: Yoga's request and
// response plumbing was most of a create's CPU). The same budget and cost as Yoga counts, then the document's
// code compiled by graphql-jit runs over the same context, so the domain service's create rule
// (EventPublishing.create) runs as it runs under Yoga; its result goes through the same error masking and
// Yoga's own result processor. A mutation must never run twice: what is refused before it runs (a budget, a
// cost, variables that do not coerce) goes to Yoga with the budget marked counted; once it ran, whatever it
// answered, this path answers.
import type { IncomingMessage } from 'node:http';
import { type ExecutionResult, GraphQLError, type GraphQLSchema } from 'graphql';
import { type MaskError, processRegularResult } from 'graphql-yoga';
import type { Viewer } from '../auth.js';
import type { Context, Services } from '../context.js';
import { asInterpreted } from '../http/compiled-execution.js';
import { markCounted } from '../limits/counted-requests.js';
import type { DeferredRequestBudget } from '../limits/deferred-budget.js';
import type { RateLimits, Verdict } from '../limits/rate-limiter.js';
import { requestScope } from '../logger.js';
import type { CreatePlan } from './create-plans.js';

export interface CompiledCreatesOptions {
  schema: GraphQLSchema;
  services: Services;
  rateLimits: RateLimits;
  maxCost: number;
  /** Yoga's maskError (src/http/error-masking.ts). */
  maskError: MaskError;
  /** Counts an answered error by its code, as useErrorMetrics does for Yoga's. */
  countError: (code: string) => void;
}

/** What to answer: status, headers and body. */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  payload: string;
}

/** Yoga's message for an unexpected error (its maskedErrors' default errorMessage). */
const UNEXPECTED = 'Unexpected error.';

/** The answer to a run of the plan, or undefined for Yoga to answer (nothing ran). */
export async function answerCreate(
  options: CompiledCreatesOptions,
  nodeRequest: IncomingMessage,
  plan: CreatePlan,
  viewer: Viewer,
  rawVariables: Record<string, unknown>,
  mediaType: string,
  requestId: string,
): Promise<Answer | undefined> {
  // Users are refused by the field's auth scope; Yoga says so, with their operation budgets counted.
  if (!viewer.roles.includes('service')) return undefined;
  // Variables that do not coerce are left to graphql-jit's run, which then runs nothing and answers no data.
  const cost = plan.cost.with(rawVariables);
  if (cost === undefined || cost > options.maxCost) return undefined;
  // Counted by the create rule with the recipient's budget, in its round trip, when it can be; else now.
  const budget = options.rateLimits.deferredRequest(viewer);
  const counted = budget ? undefined : await options.rateLimits.request(viewer);
  if (counted?.allowed === false) return handOver(nodeRequest, counted);
  const context = contextFor(viewer, requestId, options.services, nodeRequest, budget);
  const scope = { requestId, userId: viewer.userId };
  const ran = await requestScope.run(scope, () => run(plan, context, rawVariables));
  try {
    return await answerRun(options, nodeRequest, plan, ran, counted, budget, mediaType, scope);
  } catch (error) {
    // It may have written: never handed to Yoga, which would run it again.
    const masked = requestScope.run(scope, () => options.maskError(error, UNEXPECTED));
    const payload = JSON.stringify({ errors: [masked] });
    return { status: 500, headers: { 'content-type': `${mediaType}; charset=utf-8` }, payload };
  }
}

/** What to answer once the create ran, or undefined for Yoga to answer when it ran nothing. */
async function answerRun(
  options: CompiledCreatesOptions,
  nodeRequest: IncomingMessage,
  plan: CreatePlan,
  ran: ExecutionResult,
  counted: Verdict | undefined,
  budget: DeferredRequestBudget | undefined,
  mediaType: string,
  scope: { requestId: string; userId: string },
): Promise<Answer | undefined> {
  // When the create rule did not reach the recipient's budget (bad input, say) it wrote nothing: a request
  // budget that refuses now leaves the answer to Yoga, its 429, as if it had refused first.
  const verdict = counted ?? (await budget!.settle());
  if (!verdict.allowed) return handOver(nodeRequest, verdict);
  // Without `data` the variables did not coerce and nothing ran: Yoga words that refusal.
  if (!('data' in ran)) return handOver(nodeRequest, verdict);
  if (!ran.errors?.length) {
    return { status: 200, headers: { 'content-type': `${mediaType}; charset=utf-8` }, payload: JSON.stringify(ran) };
  }
  const result = requestScope.run(scope, () => masked(options, asInterpreted(ran, plan.document)));
  for (const error of result.errors ?? []) options.countError(codeOf(error));
  const response = processRegularResult(result, globalThis, mediaType);
  return { status: response.status, headers: Object.fromEntries(response.headers), payload: await response.text() };
}

const ALLOWED = { allowed: true } as const;

/** For Yoga to answer, its budgets counted already. */
function handOver(nodeRequest: IncomingMessage, request: Verdict): undefined {
  markCounted(nodeRequest, { request, operation: ALLOWED });
  return undefined;
}

/** The compiled code's result, whatever happened in it. */
async function run(plan: CreatePlan, context: Context, variables: Record<string, unknown>): Promise<ExecutionResult> {
  try {
    return (await plan.compiled.query(undefined, context, variables)) as ExecutionResult;
  } catch (error) {
    // Not expected (graphql-jit answers a resolver's error in the result), but it may have run: answered here.
    return { data: null, errors: [new GraphQLError(UNEXPECTED, { originalError: error as Error })] };
  }
}

/** Its errors as Yoga's error masking makes them (under the request's scope: it logs with its id). */
function masked(options: CompiledCreatesOptions, result: ExecutionResult): ExecutionResult {
  return { ...result, errors: result.errors?.map((error) => options.maskError(error, UNEXPECTED) as GraphQLError) };
}

const codeOf = (error: GraphQLError) =>
  typeof error.extensions?.code === 'string' ? error.extensions.code : 'UNKNOWN';

/** The context Yoga builds (src/app.ts), its fetch Request made only if a resolver asks for it. */
function contextFor(
  viewer: Viewer,
  requestId: string,
  services: Services,
  nodeRequest: IncomingMessage,
  requestBudget: DeferredRequestBudget | undefined,
): Context {
  let request: Request | undefined;
  const fetchRequest = () => {
    request ??= new Request(`http://${nodeRequest.headers.host ?? 'localhost'}${nodeRequest.url ?? '/'}`, {
      method: nodeRequest.method ?? 'POST',
      headers: Object.entries(nodeRequest.headers).flatMap(([name, value]) =>
        typeof value === 'string' ? [[name, value] as [string, string]] : [],
      ),
    });
    return request;
  };
  return {
    viewer,
    requestId,
    services,
    requestBudget,
    get request() {
      return fetchRequest();
    },
    get streamSignal() {
      return fetchRequest().signal;
    },
  };
}
