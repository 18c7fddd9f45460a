// Loaded first (`--import`) into the processes a bench run measures, never by the app itself: answers
// IPC requests for memory (after a full GC when run with --expose-gc), CPU profiles of a window of
// load, and, with BENCH_CAPTURE_SQL=1, the distinct SQL statements the process sent through `pg`.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
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

/** What held the event loop over a window of load: its delay, and the garbage collector's pauses. */
export interface Pauses {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** Mark-compact collections (the old generation's): the long ones. */
  majorCount: number;
  majorMaxMs: number;
}

let loopDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;
let gcObserver: PerformanceObserver | undefined;
const gcPauses: Array<{ duration: number; major: boolean }> = [];
// perf_hooks' NODE_PERFORMANCE_GC_MAJOR
const GC_MAJOR = 4;

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
    case 'pauses-start':
      gcPauses.length = 0;
      loopDelay = monitorEventLoopDelay({ resolution: 5 });
      loopDelay.enable();
      gcObserver = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
          gcPauses.push({ duration: entry.duration, major: kind === GC_MAJOR });
        }
      });
      gcObserver.observe({ entryTypes: ['gc'] });
      return true;
    case 'pauses-stop': {
      loopDelay!.disable();
      gcObserver!.disconnect();
      const major = gcPauses.filter((pause) => pause.major);
      const pauses: Pauses = {
        loopDelayP99Ms: loopDelay!.percentile(99) / 1e6,
        loopDelayMaxMs: loopDelay!.max / 1e6,
        gcCount: gcPauses.length,
        gcTotalMs: gcPauses.reduce((total, pause) => total + pause.duration, 0),
        gcMaxMs: Math.max(0, ...gcPauses.map((pause) => pause.duration)),
        majorCount: major.length,
        majorMaxMs: Math.max(0, ...major.map((pause) => pause.duration)),
      };
      return pauses;
    }
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
