// The client's typed documents: ./operations/*.graphql into ./src/generated/ (not committed; `npm run build`
// and the repository's `npm run codegen` write them), as document *strings*, so that a browser bundle needs no
// graphql-js. persisted-documents.json beside them is the trusted-documents manifest (sha256 hash → document)
// that a server with PERSISTED_OPERATIONS=only accepts. A frontend's own config looks like this one
// (docs/frontend.md).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['operations/**/*.graphql'],
  generates: {
    'src/generated/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      config: {
        documentMode: 'string',
        emitLegacyCommonJSImports: false,
        enumsAsTypes: true,
        useTypeImports: true,
        // The API's own scalars, typed (./src/scalars.ts): every other scalar is then an error, not `any`.
        scalars: { DateTime: '../scalars.js#DateTimeString', JSON: '../scalars.js#JsonValue' },
        strictScalars: true,
      },
    },
  },
  silent: true,
};

export default config;
