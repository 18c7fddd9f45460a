import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig, settingNames } from '../../src/config.js';

const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), 'utf8');

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const end = markdown.indexOf('\n## ', start + heading.length + 2);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe('the settings, as documented', () => {
  it("should list every setting the config module reads in docs/operations.md's Configuration table", async () => {
    const table = section(await read('docs/operations.md'), '## Configuration');
    const missing = settingNames().filter((name) => !table.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('should list every setting in .env.example, whose values are valid as they stand', async () => {
    const example = await read('.env.example');
    const missing = settingNames().filter((name) => !new RegExp(`^#? ?${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
    const uncommented = Object.fromEntries(
      example
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    expect(() => loadConfig(uncommented)).not.toThrow();
  });
});
