// A subscription's root field must not be conditional (the GraphQL spec's "Single Root Field" rule
// since its 2021 edition; graphql-js 16 lacks it): with `@skip`/`@include` removing it, the executor
// finds no field at all and fails with a TypeError instead of a validation error.
import { GraphQLError, Kind, type SelectionSetNode, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const CONDITIONAL = new Set(['skip', 'include']);

export const noConditionalSubscriptionRoot: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (operation.operation !== 'subscription') return;
    const seen = new Set<string>();
    const check = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (selection.directives?.some((directive) => CONDITIONAL.has(directive.name.value))) {
          context.reportError(
            new GraphQLError('The root field of a subscription cannot be conditional: remove @skip and @include.', {
              nodes: selection,
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
        if (selection.kind === Kind.INLINE_FRAGMENT) check(selection.selectionSet);
        if (selection.kind === Kind.FRAGMENT_SPREAD && !seen.has(selection.name.value)) {
          seen.add(selection.name.value);
          const fragment = context.getFragment(selection.name.value);
          if (fragment) check(fragment.selectionSet);
        }
      }
    };
    check(operation.selectionSet);
  },
});

export const useNoConditionalSubscriptionRoot = (): Plugin => ({
  onValidate: ({ addValidationRule }) => addValidationRule(noConditionalSubscriptionRoot),
});
