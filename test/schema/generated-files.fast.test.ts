import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.js';
import clientCodegenConfig from '../../packages/client/codegen.js';
import { printSortedSchema } from '../../src/schema/print.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('generated files', () => {
  it('should have schema.graphql match the Pothos schema (run `npm run schema:print`)', async () => {
    expect(await readFile(path.join(root, 'schema.graphql'), 'utf8')).toBe(printSortedSchema());
  });

  it.each([
    ['the tests', codegenConfig, root],
    ['the client package', clientCodegenConfig, path.join(root, 'packages/client')],
  ])(
    'should have the typed documents of %s match schema.graphql and the operations (run `npm run codegen`)',
    async (_, config, cwd) => {
      const outputs = (await generate({ ...config, cwd }, false)) as Array<{ filename: string; content: string }>;
      expect(outputs.length).toBeGreaterThan(0);
      for (const { filename, content } of outputs) {
        const onDisk = await readFile(path.resolve(cwd, filename), 'utf8').catch(() => 'missing');
        expect(onDisk, filename).toBe(content);
      }
    },
  );
});
