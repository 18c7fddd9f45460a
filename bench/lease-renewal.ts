// `npm exec -c 'node --import tsx bench/lease-renewal.ts [users]'`: what renewing the stream leases of `users`
// users (10,000 by default) costs the process's collector and event loop, nothing else running in it. The app's
// renewal (src/limits/stream-leases.ts: one script call per 500 users) against the baseline it replaced, a script
// call per user (500 to a pipeline, by SHA): each in a fresh process, alternately, 3 times, against this
// machine's Redis. The lease lives 3 s, so it is renewed every second, ten times a window: production's 30 s
// lease renews every 10 s.
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createStreamLeases } from '../src/limits/stream-leases.js';
import { dropRedisKeys } from './lib/redis-keys.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TTL_MS = 3_000;
const WINDOW_MS = 10_000;
const REPETITIONS = 3;
const VARIANTS = ['per-user scripts (baseline)', 'the app'] as const;
type Variant = (typeof VARIANTS)[number];

interface Window {
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** The baseline: the same leases, renewed by one script per user (what the app did before). */
function perUserRenewal(redis: Redis, prefix: string, users: number) {
  redis.defineCommand('renewOne', {
    numberOfKeys: 1,
    lua: `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`,
  });
  const held = new Map(Array.from({ length: users }, (_, user) => [`${prefix}streams:u${user}`, [`lease-${user}`]]));
  const timer = setInterval(async () => {
    const entries = [...held];
    for (let start = 0; start < entries.length; start += 500) {
      const pipeline = redis.pipeline() as unknown as {
        renewOne(key: string, ttl: number, ...ids: string[]): void;
        exec(): Promise<unknown>;
      };
      for (const [key, ids] of entries.slice(start, start + 500)) pipeline.renewOne(key, TTL_MS, ...ids);
      await pipeline.exec();
    }
  }, TTL_MS / 3);
  return {
    async acquireAll() {
      const pipeline = redis.pipeline();
      for (const [key, ids] of held) pipeline.zadd(key, Date.now() + TTL_MS, ids[0]!).pexpire(key, TTL_MS);
      await pipeline.exec();
    },
    close: async () => clearInterval(timer),
  };
}

async function appRenewal(redis: Redis, prefix: string, users: number) {
  const silent = { warn() {}, debug() {}, info() {}, error() {} } as never;
  const leases = createStreamLeases({ perUser: 3, ttlMs: TTL_MS, redis, keyPrefix: prefix, logger: silent });
  return {
    async acquireAll() {
      for (let start = 0; start < users; start += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, users - start) }, (_, i) => leases.acquire(`u${start + i}`)),
        );
      }
    },
    close: () => leases.close(),
  };
}

/** In a fresh process: hold `users` leases, let them renew for a window, and report what the process paused. */
async function measure(variant: Variant, users: number, prefix: string): Promise<Window> {
  const redis = new Redis(REDIS_URL);
  const leases = variant === 'the app' ? await appRenewal(redis, prefix, users) : perUserRenewal(redis, prefix, users);
  await leases.acquireAll();
  await new Promise((resolve) => setTimeout(resolve, TTL_MS));
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) pauses.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
  delay.disable();
  observer.disconnect();
  // Still held a whole lifetime after they were taken: the renewal ran.
  const expiry = Number((await redis.zrange(`${prefix}streams:u0`, 0, 0, 'WITHSCORES'))[1]);
  if (!(expiry > Date.now())) throw new Error(`${variant}: the leases were not renewed`);
  await leases.close();
  await redis.quit();
  return {
    gcCount: pauses.length,
    gcTotalMs: pauses.reduce((sum, pause) => sum + pause, 0),
    gcMaxMs: Math.max(0, ...pauses),
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
  };
}

const child = process.argv.find((argument) => argument.startsWith('--child='))?.slice('--child='.length);
const users = Number(process.argv.slice(2).find((argument) => /^\d+$/.test(argument)) ?? 10_000);
if (child) {
  const [variant, prefix] = JSON.parse(child) as [Variant, string];
  console.log(JSON.stringify(await measure(variant, users, prefix)));
} else {
  const stamp = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const prefix = `bench-leases:${stamp}:`;
  const windows = new Map<Variant, Window[]>(VARIANTS.map((variant) => [variant, []]));
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  try {
    for (let repetition = 1; repetition <= REPETITIONS; repetition++) {
      for (const variant of VARIANTS) {
        const output = execFileSync(
          process.execPath,
          [
            '--import',
            'tsx',
            fileURLToPath(import.meta.url),
            String(users),
            `--child=${JSON.stringify([variant, `${prefix}${repetition}:${variant.length}:`])}`,
          ],
          { encoding: 'utf8' },
        );
        const window = JSON.parse(output.trim().split('\n').at(-1)!) as Window;
        windows.get(variant)!.push(window);
        console.log(
          `${variant}, repetition ${repetition}: GC ${window.gcCount} pauses, ${ms(window.gcTotalMs)} in all, longest ${ms(window.gcMaxMs)}; event-loop delay p99 ${ms(window.loopDelayP99Ms)}, max ${ms(window.loopDelayMaxMs)}`,
        );
      }
    }
    const median = (values: number[]) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)]!;
    console.log(
      `\n${users.toLocaleString('en')} users' leases renewed every ${TTL_MS / 3} ms, ${WINDOW_MS / 1000} s windows, medians of ${REPETITIONS}:`,
    );
    for (const [variant, runs] of windows) {
      const of = (pick: (window: Window) => number) => ms(median(runs.map(pick)));
      console.log(
        `  ${variant}: GC ${of((w) => w.gcCount).replace(' ms', '')} pauses, ${of((w) => w.gcTotalMs)} in all, longest ${of((w) => w.gcMaxMs)}; event-loop delay p99 ${of((w) => w.loopDelayP99Ms)}, max ${of((w) => w.loopDelayMaxMs)}`,
      );
    }
  } finally {
    await dropRedisKeys(REDIS_URL, prefix);
  }
}
