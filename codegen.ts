// Typed documents for the tests' operations (test/operations/) into test/generated/, as document ASTs, from
// schema.graphql; never committed. Its persisted-documents.json is a trusted-documents manifest (sha256 hash →
// document) that a server with PERSISTED_OPERATIONS=only accepts. The client package has its own config
// (packages/client/codegen.ts); `npm run codegen` runs both.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'test/generated/': {
      documents: ['test/operations/**/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        emitLegacyCommonJSImports: false,
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string', JSON: 'unknown' },
        strictScalars: true,
      },
    },
  },
  silent: true,
};

export default config;
