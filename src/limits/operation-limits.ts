// Operation limits: characters and tokens while parsing, depth, aliases and directives while validating
// (GraphQL Armor), and cost as execution starts, when the variables are known (a validated document is
// cached without them). An operation past any of them is refused with OPERATION_LIMIT_EXCEEDED (HTTP 400)
// before any resolver sees it. Its cost is then spent from the caller's budget (RATE_LIMITED past it).
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { characterLimitPlugin } from '@escape.tech/graphql-armor-character-limit';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { type DocumentNode, type ExecutionArgs, GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { SecurityConfig } from '../security/config.js';
import { countedVerdicts } from './counted-requests.js';
import { operationCost } from './operation-cost.js';
import { rateLimited, rootFields, TOO_MANY_REQUESTS } from './rate-limit.js';
import type { RateLimits } from './rate-limiter.js';

export type OperationLimit = keyof SecurityConfig['operationLimits'];

const limitExceeded = (limit: OperationLimit, armorMessage: string) =>
  new GraphQLError(armorMessage.replace(/^Syntax Error: /, ''), {
    extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit, http: { status: 400 } },
  });

/**
 * Armor reports a validation-phase rejection into the validation context (one error among the others,
 * HTTP 400); a parse-phase one (characters, tokens) has no context, so it is thrown as a syntax error is.
 */
const reject =
  (limit: OperationLimit): GraphQLArmorRejectCallback =>
  (context, error) => {
    const coded = limitExceeded(limit, error.message);
    if (!context) throw coded;
    context.reportError(coded);
  };

const on = (limit: OperationLimit) => ({ propagateOnRejection: false, onReject: [reject(limit)] });

/** Costs of operations without variables, which cannot change from one run to the next. */
const constantCosts = new WeakMap<DocumentNode, Map<string, number>>();

function costOf({ schema, document, operationName, variableValues }: ExecutionArgs): number | undefined {
  const name = operationName ?? '';
  const known = constantCosts.get(document)?.get(name);
  if (known !== undefined) return known;
  const cost = operationCost(schema, document, operationName, variableValues);
  if (cost !== undefined && !getOperationAST(document, operationName)?.variableDefinitions?.length) {
    let byOperation = constantCosts.get(document);
    if (!byOperation) {
      byOperation = new Map();
      constantCosts.set(document, byOperation);
    }
    byOperation.set(name, cost);
  }
  return cost;
}

const OVER_BUDGET = 'Too costly a series of operations: retry after the number of seconds in retryAfter.';

/**
 * The calls of each root field, and the cost limit and budget, as a query, a mutation or a subscription (on
 * any path, SSE too) starts: first the root fields' budgets (RATE_LIMITED), then the cost limit
 * (OPERATION_LIMIT_EXCEEDED, nothing spent), then the cost budget (RATE_LIMITED); both budgets counted in one
 * Redis round trip.
 */
function useCostLimit(maxCost: number, budget: RateLimits): Plugin<Context> {
  const check = async ({
    args,
    setResultAndStopExecution,
  }: {
    args: ExecutionArgs & { contextValue: Context };
    setResultAndStopExecution: (result: { data?: null; errors: GraphQLError[] }) => void;
  }) => {
    const cost = costOf(args);
    const fields = rootFields(args.document, args.operationName);
    const spent = cost !== undefined && cost <= maxCost ? cost : undefined;
    const verdict =
      countedVerdicts(args.contextValue)?.operation ??
      (await budget.operationBudgets(args.contextValue.viewer, fields, spent));
    // `data: null` is what makes graphql-sse's single-connection mode take these for a result.
    if (!verdict.allowed && verdict.budget === 'operation') {
      setResultAndStopExecution({ data: null, errors: [rateLimited(verdict.retryAfterSeconds, TOO_MANY_REQUESTS)] });
      return;
    }
    if (cost !== undefined && cost > maxCost) {
      const exceeded = limitExceeded('cost', `Query Cost limit of ${maxCost} exceeded, found ${cost}.`);
      setResultAndStopExecution({ data: null, errors: [exceeded] });
      return;
    }
    if (!verdict.allowed) {
      setResultAndStopExecution({ data: null, errors: [rateLimited(verdict.retryAfterSeconds, OVER_BUDGET)] });
    }
  };
  return { onExecute: check as never, onSubscribe: check as never };
}

/**
 * The limit plugins. `blockFieldSuggestions` hides "Did you mean …?" hints, which would otherwise
 * leak the schema when introspection is off.
 */
export function useOperationLimits(
  limits: SecurityConfig['operationLimits'],
  blockFieldSuggestions: boolean,
  budget: RateLimits,
): Plugin[] {
  return [
    EnvelopArmorPlugin({
      blockFieldSuggestion: { enabled: blockFieldSuggestions },
      maxTokens: { n: limits.tokens, ...on('tokens') },
      // Fragments do not add depth or cost of their own: a client that shares a fragment is not punished.
      maxDepth: { n: limits.depth, flattenFragments: true, ...on('depth') },
      maxAliases: { n: limits.aliases, ...on('aliases') },
      maxDirectives: { n: limits.directives, ...on('directives') },
      // Measured by useCostLimit instead, with the variables' values.
      costLimit: { enabled: false },
    }) as Plugin,
    // After Armor: its token limit replaces the parse function outright, while this one wraps whatever it finds.
    characterLimitPlugin({ maxLength: limits.characters, ...on('characters') }),
    useCostLimit(limits.cost, budget) as Plugin,
  ];
}
