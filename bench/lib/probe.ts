// Loaded first (`--import`) into the processes a bench run measures, never by the app itself: answers
// IPC requests for memory (after a full GC when run with --expose-gc), CPU profiles of a window of
// load, and, with BENCH_CAPTURE_SQL=1, the distinct SQL statements the process sent through `pg`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';

interface Request {
  id: number;
  probe?: string;
  path?: string;
}

interface Captured {
  text: string;
  values: unknown[];
  count: number;
}

const captured = new Map<string, Captured>();
if (process.env.BENCH_CAPTURE_SQL === '1') {
  // The app's own copy of pg: the one @prisma/adapter-pg loads.
  const pg = createRequire(join(process.cwd(), 'package.json'))('pg') as {
    Client: { prototype: { query: (...args: unknown[]) => unknown } };
  };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
    const values = (Array.isArray(second) ? second : (first as { values?: unknown[] } | undefined)?.values) ?? [];
    if (text) {
      const seen = captured.get(text);
      if (seen) seen.count++;
      else captured.set(text, { text, values, count: 1 });
    }
    return query.apply(this, args);
  };
}

let session: Session | undefined;
const post = <T>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) =>
    session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))),
  );

async function answer(request: Request): Promise<unknown> {
  switch (request.probe) {
    case 'memory': {
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) {
        gc?.();
        await new Promise((resolve) => setImmediate(resolve));
      }
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      return { rss, heapUsed, heapTotal, external };
    }
    case 'profile-start':
      session = new Session();
      session.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 });
      await post('Profiler.start');
      return true;
    case 'profile-stop': {
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      writeFileSync(request.path!, JSON.stringify(profile));
      session!.disconnect();
      return true;
    }
    case 'heap-snapshot':
      (globalThis as { gc?: () => void }).gc?.();
      return writeHeapSnapshot(request.path);
    case 'sql':
      return [...captured.values()];
    default:
      return undefined;
  }
}

if (process.send) {
  process.on('message', (request: Request) => {
    if (request.probe === undefined) return;
    answer(request).then(
      (value) => process.send?.({ id: request.id, value: value ?? null }),
      (error: Error) => process.send?.({ id: request.id, value: { error: error.message } }),
    );
  });
  // The IPC channel alone must not keep a process alive.
  process.channel?.unref();
}
