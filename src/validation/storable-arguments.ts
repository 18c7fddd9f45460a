// The GraphQL edge of the rule in ./text.ts: a Pothos plugin that checks every argument of every field,
// following its GraphQL type, before the resolver runs (or the subscription opens). Variables and literals
// alike, over every transport, without each resolver having to remember it.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import {
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputType,
  type GraphQLResolveInfo,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
} from 'graphql';
import { checkStorable } from './check-storable.js';

const pluginName = 'storableArguments';
export default pluginName;

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      storableArguments: StorableArgumentsPlugin<Types>;
    }
  }
}

export class StorableArgumentsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolve: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    // A subscription's arguments are checked once, when it opens, not again for each of its events.
    if (Object.keys(fieldConfig.args).length === 0 || fieldConfig.kind === 'Subscription') return resolve;
    return (parent, args, context, info) => {
      checkArguments(args, info);
      return resolve(parent, args, context, info);
    };
  }

  override wrapSubscribe(
    subscribe: GraphQLFieldResolver<unknown, Types['Context'], object> | undefined,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> | undefined {
    if (!subscribe || Object.keys(fieldConfig.args).length === 0) return subscribe;
    return (parent, args, context, info) => {
      checkArguments(args, info);
      return subscribe(parent, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin(pluginName, StorableArgumentsPlugin);

function checkArguments(args: object, info: GraphQLResolveInfo): void {
  const field = info.parentType.getFields()[info.fieldName];
  if (field) checkStorableArguments(field, args);
}

/** Throws BAD_USER_INPUT naming the first argument, or part of one, that PostgreSQL could not store exactly. */
export function checkStorableArguments(field: GraphQLField<unknown, unknown>, args: object): void {
  for (const argument of field.args) {
    // A mutation's one `input` is named as its fields ("title"), as the domain's own errors name them.
    const path = argument.name === 'input' ? '' : argument.name;
    checkValue(argument.type, (args as Record<string, unknown>)[argument.name], path);
  }
}

const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

function checkValue(type: GraphQLInputType, value: unknown, path: string): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (Array.isArray(value)) for (const [i, item] of value.entries()) checkValue(nullable.ofType, item, join(path, i));
    return;
  }
  if (isInputObjectType(nullable)) {
    for (const inputField of Object.values(nullable.getFields())) {
      checkValue(inputField.type, (value as Record<string, unknown>)[inputField.name], join(path, inputField.name));
    }
    return;
  }
  // Enum values are names the schema lists; ids are parsed, never stored as they came.
  if (isEnumType(nullable) || nullable.name === 'ID') return;
  checkStorable(value, path);
}
