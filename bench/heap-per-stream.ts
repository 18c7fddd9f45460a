// `npm exec -c 'node --import tsx bench/heap-per-stream.ts [streams] [--tsx]'`: where one open
// notificationAdded stream's heap goes. Starts the production build (dist/, built first; `--tsx` runs
// src/main.ts through tsx instead) on a scratch database, opens `streams` streams (2,000 by default) after a
// warm-up, takes heap snapshots before and after, and prints the heap added per stream (process.memoryUsage
// after full GCs) and, from the snapshots' dominator tree, the new objects that hold it, by what they are.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/free-port.js';
import { createScratchDatabase } from './lib/database.js';
import { heldPerStream } from './lib/dominators.js';
import { ROOT, spawnNode, stopAll, waitForHttp } from './lib/processes.js';
import { dropRedisKeys } from './lib/redis-keys.js';

const streams = Number(process.argv.slice(2).find((argument) => /^\d+$/.test(argument)) ?? 2_000);
const viaTsx = process.argv.includes('--tsx');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
const JWT_SECRET = `bench-secret-${Date.now()}-0123456789abcdefghijklmnopqrstuvwxyz`;
const stamp = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
const REDIS_PREFIX = `bench-heap:${stamp}:`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

if (!viaTsx) execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
const outputDir = mkdtempSync(join(tmpdir(), 'notification-heap-'));
const database = await createScratchDatabase(POSTGRES_SERVER, `notifications_heap_${stamp}`);
try {
  const port = await freePort();
  const app = spawnNode({
    script: viaTsx ? 'src/main.ts' : 'dist/main.js',
    typescript: viaTsx,
    label: 'app',
    probe: true,
    nodeFlags: ['--expose-gc'],
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '10',
      REDIS_URL,
      REDIS_KEY_PREFIX: REDIS_PREFIX,
      JWT_SECRET,
      LOG_LEVEL: 'warn',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, app);
  const subscribers = spawnNode({
    script: 'bench/workers/subscribers.ts',
    label: 'subscribers',
    env: { JWT_SECRET, REDIS_URL, REDIS_KEY_PREFIX: REDIS_PREFIX },
  });
  const users = (count: number) => Array.from({ length: count }, (_, i) => i);
  // The code paths compiled and the caches filled, so that the snapshots differ by the streams alone.
  await subscribers.request({ cmd: 'open', urls: [url], users: users(200), concurrency: 50 });
  await subscribers.request({ cmd: 'close' });
  const before = join(outputDir, 'before.heapsnapshot');
  const after = join(outputDir, 'after.heapsnapshot');
  const at0 = await app.memory();
  await app.request({ probe: 'heap-snapshot', path: before });
  await subscribers.request({ cmd: 'open', urls: [url], users: users(streams), concurrency: 100 });
  const atN = await app.memory();
  await app.request({ probe: 'heap-snapshot', path: after });
  await subscribers.request({ cmd: 'close' });
  await subscribers.request({ cmd: 'exit' }).catch(() => undefined);
  console.log(
    `${viaTsx ? 'src/main.ts through tsx' : 'dist/main.js'}, ${streams} streams: heap ${kib((atN.heapUsed - at0.heapUsed) / streams)} per stream, RSS ${kib((atN.rss - at0.rss) / streams)}`,
  );
  console.log('\n| retained per stream | objects per stream | held by (new object whose dominator is older) |');
  console.log('|---|---|---|');
  for (const held of heldPerStream(before, after, streams)) {
    console.log(`| ${held.bytes.toFixed(0)} B | ${held.count.toFixed(2)} | ${held.name.replaceAll('|', '\\|')} |`);
  }
} finally {
  await stopAll();
  await database.drop();
  // The app's own keys (its event stream's consumer group among them).
  await dropRedisKeys(REDIS_URL, REDIS_PREFIX);
  rmSync(outputDir, { recursive: true, force: true });
}
process.exit(0);
