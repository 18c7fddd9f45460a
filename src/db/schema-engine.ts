// Prisma's schema engine compiled to WebAssembly, driven through the pg driver adapter.
// The Prisma CLI would download a native engine, which this project must not need.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';

// Node has WebAssembly, but this project's TypeScript libs leave it out (they would bring the DOM's too).
interface WasmRuntime {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WasmRuntime };

let loaded: Promise<void> | undefined;

// The package entry imports the .wasm file as an ES module, which Node 20 refuses; instantiate it by hand.
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const bindingsPath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(bindingsPath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings });
    bindings.__wbg_set_wasm(instance.exports as never);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loaded;
}

export interface SchemaFile {
  path: string;
  content: string;
}

/**
 * Runs `work` with a schema engine connected to `databaseUrl`, then frees the engine and closes its
 * connection. The engine never closes that connection itself, and the advisory lock it takes for a
 * migration lives as long as the connection: left open, it holds up the next run for the lock's timeout.
 */
export async function withSchemaEngine<T>(
  databaseUrl: string,
  schema: SchemaFile[],
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool));
    const datamodels = schema.map((file): [string, string] => [file.path, file.content]);
    const engine = await (bindings.SchemaEngine as unknown as typeof SchemaEngine).new(
      { datamodels },
      () => {},
      adapter,
    );
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  } finally {
    await pool.end();
  }
}
