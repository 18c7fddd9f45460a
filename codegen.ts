// Typed documents for the operations our clients send, from schema.graphql; never committed.
// - test/generated/: the tests' operations (test/operations/), as document ASTs.
// - client/generated/: the frontend's operations (client/operations/), as document strings, so that a browser
//   bundle needs no graphql-js; client/notification-client.ts and the demo page use them.
// Each folder's persisted-documents.json is a trusted-documents manifest (sha256 hash → document) that a
// server with PERSISTED_OPERATIONS=only accepts: client/generated's is the one a frontend deploys with.
import type { CodegenConfig } from '@graphql-codegen/cli';

const presetConfig = { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } } as const;
const typesConfig = {
  emitLegacyCommonJSImports: false,
  enumsAsTypes: true,
  useTypeImports: true,
  scalars: { DateTime: 'string', JSON: 'unknown' },
  strictScalars: true,
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'test/generated/': {
      documents: ['test/operations/**/*.graphql'],
      preset: 'client',
      presetConfig,
      config: typesConfig,
    },
    'client/generated/': {
      documents: ['client/operations/**/*.graphql'],
      preset: 'client',
      presetConfig,
      config: { ...typesConfig, documentMode: 'string' },
    },
  },
  silent: true,
};

export default config;
