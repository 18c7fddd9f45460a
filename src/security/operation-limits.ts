// Operation limits (GraphQL Armor): characters and tokens while parsing, depth, aliases, directives
// and cost while validating. An operation past any of them is refused with OPERATION_LIMIT_EXCEEDED
// (HTTP 400) before anything executes, so no resolver ever sees it.
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { characterLimitPlugin } from '@escape.tech/graphql-armor-character-limit';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { SecurityConfig } from './config.js';

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

/**
 * The limit plugins. `blockFieldSuggestions` hides "Did you mean …?" hints, which would otherwise
 * leak the schema when introspection is off.
 */
export function useOperationLimits(
  limits: SecurityConfig['operationLimits'],
  blockFieldSuggestions: boolean,
): Plugin[] {
  return [
    EnvelopArmorPlugin({
      blockFieldSuggestion: { enabled: blockFieldSuggestions },
      maxTokens: { n: limits.tokens, ...on('tokens') },
      // Fragments do not add depth or cost of their own: a client that shares a fragment is not punished.
      maxDepth: { n: limits.depth, flattenFragments: true, ...on('depth') },
      maxAliases: { n: limits.aliases, ...on('aliases') },
      maxDirectives: { n: limits.directives, ...on('directives') },
      costLimit: { maxCost: limits.cost, flattenFragments: true, ...on('cost') },
    }) as Plugin,
    // After Armor: its token limit replaces the parse function outright, while this one wraps whatever it finds.
    characterLimitPlugin({ maxLength: limits.characters, ...on('characters') }),
  ];
}
