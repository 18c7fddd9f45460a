// The bench's own dependencies (bench/package.json, installed by `npm ci --prefix bench`), loaded by name
// at run time so that the app's type-check and install never need them. Each gets the few types we use.
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';

const requireFromBench = createRequire(new URL('../package.json', import.meta.url));

export function benchDependency<T>(name: string): T {
  return requireFromBench(name) as T;
}

export interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}

export interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
  timeout?: number;
  requests: AutocannonRequest[];
}

export interface AutocannonHistogram {
  average: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  total: number;
}

export interface AutocannonResult {
  requests: AutocannonHistogram;
  latency: AutocannonHistogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}

export type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

/** pg-copy-streams: `COPY … FROM STDIN` as a writable stream, to pass to `client.query`. */
export interface PgCopyStreams {
  from(sql: string): Writable & { rowCount?: number };
}
