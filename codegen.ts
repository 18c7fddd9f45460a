// Typed documents for the operations our clients (the tests first of all) send, from schema.graphql.
// Generated into test/generated/ before every test run; never committed. persisted-documents.json there is
// the trusted-documents manifest (sha256 hash → document) a server with PERSISTED_OPERATIONS=only accepts.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'test/generated/': {
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
