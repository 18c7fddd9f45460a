import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import type { Context } from '../context.js';
import { forbidden } from '../errors.js';
import type PrismaTypes from '../generated/pothos-types.js';
import { getDatamodel } from '../generated/pothos-types.js';
import StorableArgumentsPlugin from '../validation/storable-arguments.js';
import { decodeAnyGlobalId, resolveNotificationNode } from './global-id.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: { service: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  Connection: { totalCount: () => Promise<number> };
  DefaultFieldNullability: false;
}>({
  // Relay first, so that scope checks see parsed ids (see the scope-auth plugin's docs). Storable arguments
  // last: it wraps the resolvers innermost, so a caller without access learns nothing from its checks.
  plugins: [RelayPlugin, ScopeAuthPlugin, SimpleObjectsPlugin, PrismaPlugin, StorableArgumentsPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Only node(id:) parses global ids as arguments: one that does not decode is a missing notification too.
    decodeGlobalID: decodeAnyGlobalId,
    nodeQueryOptions: {
      nullable: true,
      resolve: (_root, args, _context, _info, resolveNode) => resolveNotificationNode(args.id, resolveNode),
    },
    nodesQueryOptions: false,
  },
  scopeAuth: {
    authScopes: (context) => ({ service: context.viewer.roles.includes('service') }),
    unauthorizedError: () => forbidden('This operation needs a service token (roles: ["service"]).'),
  },
  prisma: {
    client: (context) => context.services.db,
    dmmf: getDatamodel(),
    onUnusedQuery: null,
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.globalConnectionField('totalCount', (t) =>
  t.int({
    description: 'How many there are in all, across every page.',
    resolve: (connection) => connection.totalCount(),
  }),
);
