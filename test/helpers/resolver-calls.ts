// Counts every resolver call of the schema the in-process test servers and apps run: a test can then show that
// a refused operation reached no resolver at all.
import { defaultFieldResolver, type GraphQLFieldResolver, isObjectType } from 'graphql';
import { schema } from '../../src/schema/index.js';

let calls = 0;
let wrapped = false;

function counted<T>(resolve: GraphQLFieldResolver<unknown, unknown> | undefined): GraphQLFieldResolver<T, unknown> {
  const inner = resolve ?? defaultFieldResolver;
  return (...args) => {
    calls++;
    return inner(...(args as Parameters<typeof inner>));
  };
}

/** Starts counting (once per copy of the schema module: each suite file has its own, a fast-tier worker one for all its files). */
export function countResolverCalls(): { readonly calls: number } {
  if (!wrapped) {
    wrapped = true;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        field.resolve = counted(field.resolve);
        if (field.subscribe) field.subscribe = counted(field.subscribe);
      }
    }
  }
  return {
    get calls() {
      return calls;
    },
  };
}
