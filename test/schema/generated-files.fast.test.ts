import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../../codegen.js';
import { printSortedSchema } from '../../src/schema/print.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('generated files', () => {
  it('should have schema.graphql match the Pothos schema (run `npm run schema:print`)', async () => {
    expect(await readFile(path.join(root, 'schema.graphql'), 'utf8')).toBe(printSortedSchema());
  });

  it('should have the typed documents match schema.graphql and the operations (run `npm run codegen`)', async () => {
    const outputs = (await generate({ ...codegenConfig, cwd: root }, false)) as Array<{
      filename: string;
      content: string;
    }>;
    expect(outputs.length).toBeGreaterThan(0);
    for (const { filename, content } of outputs) {
      const onDisk = await readFile(path.resolve(root, filename), 'utf8').catch(() => 'missing');
      expect(onDisk, filename).toBe(content);
    }
  });
});
