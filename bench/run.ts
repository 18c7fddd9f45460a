// `npm run bench` (full: minutes, writes bench/RESULTS.md) and `npm run bench:smoke` (--smoke: tiny sizes,
// seconds, writes to a temp file): every figure of issue 7 beside its baseline, measured in the same run,
// on a scratch database and a Redis key prefix of its own. No timing is asserted anywhere: the smoke run
// only proves that every benchmark still runs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../src/free-port.js';
import { createScratchDatabase, withClient } from './lib/database.js';
import { type DatasetSize, loadDataset } from './lib/dataset.js';
import { type CapturedStatement, explainStatements } from './lib/explain.js';
import { perStream } from './lib/heap.js';
import { interleaved, type Medians } from './lib/interleave.js';
import { describeMachine } from './lib/machine.js';
import type { Pauses } from './lib/probe.js';
import { type NodeProcess, ROOT, spawnNode, stopAll, waitForHttp } from './lib/processes.js';
import { summarizeProfile } from './lib/profile.js';
import { dropRedisKeys } from './lib/redis-keys.js';
import { Report, verdict } from './lib/report.js';
import { int, kib, mib, ms, ratio, seconds, summarize } from './lib/stats.js';
import { DEEP_USER, signBenchToken, userIdOf } from './lib/tokens.js';
import type { LoadCommand, LoadResult } from './workers/load.js';

const smoke = process.argv.includes('--smoke');
// `--only lists,create`: run just these benchmarks (the dataset is always loaded), to try a change quickly.
const BENCHMARKS = [
  'lists',
  'counts',
  'deep',
  'create',
  'delivery',
  'streams',
  'composition',
  'leaks',
  'scale',
  'profile',
  'runtime',
  'node-flags',
] as const;
const onlyArgument = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length);
const only = onlyArgument?.split(',');
const unknownBenchmark = only?.find((name) => !(BENCHMARKS as readonly string[]).includes(name));
if (unknownBenchmark) throw new Error(`--only: no benchmark "${unknownBenchmark}"; there are ${BENCHMARKS.join(', ')}`);
const wants = (name: (typeof BENCHMARKS)[number]) => !only || only.includes(name);
// `--nodes=<binary>,<binary>`: the runtime benchmark, the app's list, counts and create under each node binary in turn
// (the first is the baseline); without it the runtime benchmark does not run.
const NODES = process.argv
  .find((argument) => argument.startsWith('--nodes='))
  ?.slice('--nodes='.length)
  .split(',')
  .map((binary) => (binary.includes('/') ? resolve(binary) : binary));
if (only?.includes('runtime') && (NODES?.length ?? 0) < 2)
  throw new Error('--only=runtime: give the node binaries to compare, --nodes=<baseline>,<other>');

// `--node-flags=--max-semi-space-size=32`: the node-flags benchmark, delivery to the smaller number of streams by the
// app started plainly and with these V8 flags (space-separated), alternately; without it that benchmark does not run.
const NODE_FLAGS = process.argv
  .find((argument) => argument.startsWith('--node-flags='))
  ?.slice('--node-flags='.length)
  .split(' ')
  .filter(Boolean);
if (only?.includes('node-flags') && !NODE_FLAGS?.length)
  throw new Error('--only=node-flags: give the V8 flags to try, --node-flags="<flag> <flag>"');

// `--delivery-notifications=2000`: the delivery phase with this many notifications (each to email and push);
// `--delivery-profile=<file.cpuprofile>`: a CPU profile of the app while it delivers them, summarized in the log.
const deliveryArgument = process.argv.find((argument) => argument.startsWith('--delivery-notifications='));
const deliveryNotifications = deliveryArgument ? Number(deliveryArgument.split('=')[1]) : undefined;
const deliveryProfile = process.argv
  .find((argument) => argument.startsWith('--delivery-profile='))
  ?.slice('--delivery-profile='.length);

const SIZES = smoke
  ? {
      rounds: 1,
      dataset: { users: 200, rows: 2_000, deepRows: 3_000 } satisfies DatasetSize,
      warmupSeconds: 0,
      listSeconds: 1,
      concurrencies: [10],
      pageConcurrency: 10,
      createSeconds: 1,
      createConcurrency: 10,
      openConcurrency: 50,
      subscriptions: [100, 200],
      streamRepetitions: 1,
      deliverRate: 50,
      deliverSeconds: 1,
      rawRedisSeconds: 1,
      broadcastConcurrency: 10,
      churnCycles: 300,
      churnWarmup: 50,
      churnConcurrency: 10,
      scaleSubscriptions: 90,
      profileSeconds: 1,
      poolSize: 10,
      deliveryNotifications: 200,
    }
  : {
      // Each comparison: baseline and app alternating, 3 rounds, medians (bench/lib/interleave.ts).
      rounds: 3,
      dataset: { users: 10_000, rows: 1_000_000, deepRows: 1_000_000 } satisfies DatasetSize,
      warmupSeconds: 3,
      listSeconds: 10,
      concurrencies: [50, 200],
      pageConcurrency: 50,
      createSeconds: 10,
      createConcurrency: 50,
      openConcurrency: 100,
      // 20,000 streams need 20,000 sockets in one server process, whose hard file limit here is 20,000: the
      // server also needs sockets for the creations, its pool and Redis.
      subscriptions: [10_000, 19_500],
      // Memory and delivery: the app and the bare server alternately, this many times each (medians).
      streamRepetitions: 3,
      deliverRate: 200,
      deliverSeconds: 15,
      rawRedisSeconds: 10,
      broadcastConcurrency: 50,
      churnCycles: 100_000,
      churnWarmup: 2_000,
      churnConcurrency: 50,
      scaleSubscriptions: 10_000,
      profileSeconds: 10,
      poolSize: 20,
      deliveryNotifications: 10_000,
    };

const POSTGRES_SERVER = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const JWT_SECRET = `bench-secret-${Date.now()}-0123456789abcdefghijklmnopqrstuvwxyz`;
const stamp = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
const REDIS_PREFIX = `bench:${stamp}:`;

const report = new Report();
const started = performance.now();
const log = (text: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}`);
const failOn = <T>(value: T | { error: string }): T => {
  if (value && typeof value === 'object' && 'error' in value) throw new Error(value.error);
  return value as T;
};

interface AppOptions {
  poolSize?: number;
  probe?: boolean;
  env?: Record<string, string>;
  label?: string;
  /** The node binary to run the app with (the one running the bench unless given). */
  node?: string;
  /** V8 flags for the app, beside --expose-gc. */
  nodeFlags?: string[];
  /** Run dist/main.js, as `npm run start:prod` does (call buildApp first), instead of src/main.ts through tsx. */
  built?: boolean;
}

/**
 * `npm run build`: the app as production runs it. tsx (which runs src/main.ts) names every function it
 * compiles (esbuild's keepNames), and each closure so named carries a property dictionary of its own: about
 * 6 KiB more heap per open stream than the built app (bench/FINDINGS.md, streams).
 */
function buildApp() {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'ignore' });
}

async function startApp(databaseUrl: string, options: AppOptions = {}): Promise<{ process: NodeProcess; url: string }> {
  const port = await freePort();
  const child = spawnNode({
    script: options.built ? 'dist/main.js' : 'src/main.ts',
    typescript: !options.built,
    label: options.label ?? 'app',
    node: options.node,
    probe: true,
    nodeFlags: ['--expose-gc', ...(options.nodeFlags ?? [])],
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(options.poolSize ?? SIZES.poolSize),
      REDIS_URL,
      REDIS_KEY_PREFIX: REDIS_PREFIX,
      JWT_SECRET,
      LOG_LEVEL: 'warn',
      // Production's limits, on and counted in Redis for every request as they are there, raised so that
      // none refuses: one service token sends every creation of the benchmark, and the deep-page load is
      // one user asking thousands of times a second, far beyond what one real producer or person would.
      // Measured is the API with its limits, not how often they say no.
      RATE_LIMIT_SERVICE_REQUESTS: '1000000000',
      RATE_LIMIT_USER_REQUESTS: '1000000000',
      RATE_LIMIT_OPERATION_REQUESTS: '1000000000',
      RATE_LIMIT_USER_COST: '1000000000',
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, child);
  appProcesses.push(child);
  return { process: child, url };
}

const appProcesses: NodeProcess[] = [];

/** What the app instances logged at warn or above: the real causes behind masked errors. */
function reportAppProblems() {
  for (const app of appProcesses) {
    for (const [problem, count] of app.problems) report.note(`${app.label} logged ${int(count)}×: ${problem}`);
  }
}

/** A freshly started instance is slow until its code is compiled and its pools are full: warm it first. */
async function warmUp(loader: NodeProcess, url: string) {
  for (const kind of ['app-create', 'app-list'] as const) {
    await loader.request({ kind, url, connections: 10, seconds: SIZES.warmupSeconds || 1, warmupSeconds: 0 });
  }
}

async function startPeer(script: string, label: string, databaseUrl = '') {
  const port = await freePort();
  const child = spawnNode({
    script,
    label,
    probe: true,
    nodeFlags: ['--expose-gc'],
    env: { PORT: String(port), DATABASE_URL: databaseUrl, JWT_SECRET, DATABASE_POOL_SIZE: String(SIZES.poolSize) },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health`, child);
  return { process: child, url };
}

function worker(script: string, label: string, env: Record<string, string> = {}) {
  return spawnNode({
    script,
    label,
    env: {
      JWT_SECRET,
      REDIS_URL,
      REDIS_KEY_PREFIX: REDIS_PREFIX,
      BENCH_USERS: String(SIZES.dataset.users),
      ...env,
    },
  });
}

const cursorOf = (id: string) => Buffer.from(`Notification:${id}`).toString('base64');

async function graphql(url: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body)}`);
  return body.data!;
}

/** The list servers must return the same page, and the counts servers the same counts, before their speed is compared. */
async function checkListsAgree(app: string, raw: string, postgraphile: string) {
  const { COUNTS_QUERY, LIST_QUERY, POSTGRAPHILE_LIST_QUERY } = await import('./lib/operations.js');
  const userId = userIdOf(1);
  const token = signBenchToken(JWT_SECRET, userId);
  type Page = { totalCount: number; edges: Array<{ node: { id?: string; rowId?: string } }> };
  const rawGet = async <T>(path: string) =>
    ((await (await fetch(`${raw}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: T })
      .data;
  const ours = (await graphql(app, token, LIST_QUERY)).notifications as Page;
  const pages = [
    (await rawGet<{ notifications: Page }>('/notifications?first=20')).notifications,
    (await rawGet<{ notifications: Page }>('/notifications.json?first=20')).notifications,
    (await graphql(postgraphile, token, POSTGRAPHILE_LIST_QUERY, { userId })).allNotifications as Page,
  ];
  const ids = (page: Page) => page.edges.map((edge) => edge.node.id ?? cursorOf(edge.node.rowId!)).join(',');
  if (!pages.every((page) => page.totalCount === ours.totalCount && ids(page) === ids(ours)))
    throw new Error(`the list servers disagree for ${userId}`);
  const counts = JSON.stringify((await graphql(app, token, COUNTS_QUERY)).counts);
  const rawCounts = JSON.stringify((await rawGet<{ counts: unknown }>('/counts')).counts);
  if (counts !== rawCounts) throw new Error(`the counts disagree for ${userId}: ${counts} vs raw ${rawCounts}`);
  log(`list servers agree: ${ours.edges.length} rows, totalCount ${ours.totalCount}; counts ${counts}`);
}

async function load(loader: NodeProcess, command: LoadCommand): Promise<LoadResult> {
  const result = failOn(await loader.request<LoadResult | { error: string }>({ ...command }));
  if (result.errors || result.non2xx)
    report.note(`${command.kind} at ${command.connections}: ${result.errors} errors, ${result.non2xx} non-2xx answers`);
  return result;
}

const throughput = (result: LoadResult) =>
  `${int(result.requestsPerSecond)} req/s, p50 ${ms(result.p50)}, p99 ${ms(result.p99)}`;

const rounds = (each: Medians) => each.each.map(int).join(', ');
const medians = (result: Medians) =>
  `${int(result.requestsPerSecond)} req/s (${rounds(result)}), p50 ${ms(result.p50)}, p99 ${ms(result.p99)}`;
const medianNote = () => `medians of ${SIZES.rounds} interleaved round${SIZES.rounds > 1 ? 's' : ''}`;

/** The raw peer (two-query and one-statement JSON endpoints, counts) and PostGraphile, for lists and counts. */
async function startReadPeers(databaseUrl: string) {
  log('reads: starting the raw pg + node:http endpoints and PostGraphile 5');
  const raw = await startPeer('bench/peers/raw-list.ts', 'raw-list', databaseUrl);
  const postgraphile = await startPeer('bench/peers/postgraphile.ts', 'postgraphile', databaseUrl);
  return {
    raw,
    postgraphile,
    stop: async () => {
      await raw.process.stop();
      await postgraphile.process.stop();
    },
  };
}

async function benchLists(
  app: string,
  loader: NodeProcess,
  { raw, postgraphile }: Awaited<ReturnType<typeof startReadPeers>>,
) {
  const urls = {
    'raw-list-json': raw.url,
    'raw-list': raw.url,
    'postgraphile-list': postgraphile.url,
    'app-list': app,
  };
  for (const connections of SIZES.concurrencies) {
    const base = { connections, seconds: SIZES.listSeconds, warmupSeconds: SIZES.warmupSeconds };
    log(
      `list at ${connections} connections: raw JSON, raw, PostGraphile, app, ${SIZES.rounds} interleaved rounds of ${SIZES.listSeconds} s each`,
    );
    const results = await interleaved(
      ['raw-list-json', 'raw-list', 'postgraphile-list', 'app-list'] as const,
      SIZES.rounds,
      async (kind, round) => {
        const result = await load(loader, { ...base, kind, url: urls[kind] });
        log(`  round ${round}, ${kind}: ${throughput(result)}`);
        return result;
      },
    );
    const app_ = results['app-list'];
    const json = results['raw-list-json'];
    const pgl = results['postgraphile-list'];
    const name = `List, ${connections} conn. (${medianNote()})`;
    report.add({
      benchmark: `${name}: throughput vs PostGraphile 5`,
      figure: medians(app_),
      baseline: `PostGraphile: ${medians(pgl)}`,
      ratio: ratio(app_.requestsPerSecond, pgl.requestsPerSecond),
      target: '≥ 1.5× PostGraphile',
      verdict: verdict(app_.requestsPerSecond / pgl.requestsPerSecond, 1.5, true, '×'),
    });
    report.add({
      benchmark: `${name}: throughput vs raw, one statement (JSON built in PostgreSQL)`,
      figure: `${int(app_.requestsPerSecond)} req/s`,
      baseline: `raw JSON: ${medians(json)}`,
      ratio: ratio(app_.requestsPerSecond, json.requestsPerSecond),
      target: '≥ 0.5× raw',
      verdict: verdict(app_.requestsPerSecond / json.requestsPerSecond, 0.5, true, '×'),
    });
    report.add({
      benchmark: `${name}: throughput vs raw, two queries (JSON built in Node)`,
      figure: `${int(app_.requestsPerSecond)} req/s`,
      baseline: `raw two queries: ${medians(results['raw-list'])}`,
      ratio: ratio(app_.requestsPerSecond, results['raw-list'].requestsPerSecond),
      target: '—',
      verdict: '—',
    });
    report.add({
      benchmark: `${name}: p99 vs raw`,
      figure: `p99 ${ms(app_.p99)}`,
      baseline: `raw JSON p99 ${ms(json.p99)}`,
      ratio: ratio(app_.p99, json.p99),
      target: '≤ 2× raw',
      verdict: verdict(app_.p99, 2 * json.p99, false, ' ms'),
    });
  }
}

async function benchCounts(app: string, loader: NodeProcess, { raw }: Awaited<ReturnType<typeof startReadPeers>>) {
  const connections = SIZES.concurrencies[0]!;
  const base = { connections, seconds: SIZES.listSeconds, warmupSeconds: SIZES.warmupSeconds };
  log(
    `counts at ${connections} connections: raw, app, ${SIZES.rounds} interleaved rounds of ${SIZES.listSeconds} s each`,
  );
  const urls = { 'raw-counts': raw.url, 'app-counts': app };
  const results = await interleaved(['raw-counts', 'app-counts'] as const, SIZES.rounds, async (kind, round) => {
    const result = await load(loader, { ...base, kind, url: urls[kind] });
    log(`  round ${round}, ${kind}: ${throughput(result)}`);
    return result;
  });
  const ours = results['app-counts'];
  const theirs = results['raw-counts'];
  report.add({
    benchmark: `Counts (\`counts { unread unseen }\`), ${connections} conn. (${medianNote()})`,
    figure: medians(ours),
    baseline: `raw, one statement: ${medians(theirs)}`,
    ratio: ratio(ours.requestsPerSecond, theirs.requestsPerSecond),
    target: '≥ 0.6× raw',
    verdict: verdict(ours.requestsPerSecond / theirs.requestsPerSecond, 0.6, true, '×'),
  });
}

const DEPTH = SIZES.dataset.deepRows - 21;

/** The cursor after which DEEP_USER's list has its last page: DEPTH rows deep. */
function deepCursor(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `SELECT id FROM notifications WHERE user_id = $1 AND status IN ('UNREAD', 'READ') ORDER BY id DESC OFFSET $2 LIMIT 1`,
      [DEEP_USER, DEPTH],
    );
    return cursorOf(rows[0]!.id);
  });
}

async function benchDeepPages(databaseUrl: string, app: string, loader: NodeProcess) {
  const depth = DEPTH;
  const after = await deepCursor(databaseUrl);
  const base = {
    kind: 'app-page' as const,
    url: app,
    connections: SIZES.pageConcurrency,
    seconds: SIZES.listSeconds,
    warmupSeconds: SIZES.warmupSeconds,
  };
  log(`deep pages: first page vs the page after row ${int(depth)} of ${DEEP_USER}`);
  const first = await load(loader, { ...base, after: null });
  const deep = await load(loader, { ...base, after });
  report.add({
    benchmark: `Deep page (after row ${int(depth)}), ${SIZES.pageConcurrency} conn.`,
    figure: throughput(deep),
    baseline: `first page: ${throughput(first)}`,
    ratio: `p50 ${ratio(deep.p50, first.p50)}, throughput ${ratio(first.requestsPerSecond, deep.requestsPerSecond)} cost`,
    target: 'cost ≤ 1.2× first page',
    verdict: verdict(Math.max(deep.p50 / first.p50, first.requestsPerSecond / deep.requestsPerSecond), 1.2, false, '×'),
  });
  const deepUserCount = await withClient(databaseUrl, async (client) => {
    const t0 = performance.now();
    await client.query(`SELECT count(*) FROM notifications WHERE user_id = $1 AND status IN ('UNREAD', 'READ')`, [
      DEEP_USER,
    ]);
    return performance.now() - t0;
  });
  report.note(
    `totalCount is left out of the deep-page query (it does not depend on depth); for ${DEEP_USER}'s ${int(SIZES.dataset.deepRows)} rows the count alone takes ${ms(deepUserCount)} in SQL.`,
  );
}

async function benchCreate(databaseUrl: string, app: string, loader: NodeProcess) {
  const connections = SIZES.createConcurrency;
  log(`create: app vs raw INSERT + PUBLISH at ${connections} connections, ${SIZES.rounds} interleaved rounds`);
  type Raw = { perSecond: number; p50: number; p99: number; errors: number };
  const results = await interleaved(['raw', 'app'] as const, SIZES.rounds, async (target, round) => {
    if (target === 'app') {
      const result = await load(loader, {
        kind: 'app-create',
        url: app,
        connections,
        seconds: SIZES.createSeconds,
        warmupSeconds: SIZES.warmupSeconds,
      });
      log(`  round ${round}, app: ${throughput(result)}`);
      return result;
    }
    const rawWorker = worker('bench/workers/raw-create.ts', 'raw-create', {
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: String(SIZES.poolSize),
    });
    try {
      const raw = failOn(
        await rawWorker.request<Raw | { error: string }>({
          concurrency: connections,
          seconds: SIZES.createSeconds,
          prefix: `${REDIS_PREFIX}raw:`,
        }),
      );
      if (raw.errors) report.note(`raw create, round ${round}: ${raw.errors} errors`);
      log(`  round ${round}, raw: ${int(raw.perSecond)}/s, p50 ${ms(raw.p50)}, p99 ${ms(raw.p99)}`);
      return { requestsPerSecond: raw.perSecond, p50: raw.p50, p99: raw.p99 };
    } finally {
      await rawWorker.stop();
    }
  });
  const ours = results.app;
  const raw = results.raw;
  report.add({
    benchmark: `Create, ${connections} conn. (${medianNote()}): per second`,
    figure: `${int(ours.requestsPerSecond)}/s (${rounds(ours)}), p50 ${ms(ours.p50)}, p99 ${ms(ours.p99)}`,
    baseline: `raw INSERT + PUBLISH: ${int(raw.requestsPerSecond)}/s (${rounds(raw)}), p50 ${ms(raw.p50)}, p99 ${ms(raw.p99)}`,
    ratio: ratio(ours.requestsPerSecond, raw.requestsPerSecond),
    target: '≥ 0.5× raw',
    verdict: verdict(ours.requestsPerSecond / raw.requestsPerSecond, 0.5, true, '×'),
  });
}

interface Delivery {
  sent: number;
  created: number;
  createErrors: number;
  firstCreateError: string;
  frames: number;
  sendToFrame: number[];
  redisToFrame: number[];
  sendToRedis: number[];
  createLatency: number[];
}

type Subscribers = NodeProcess;

async function open(subscribers: Subscribers, urls: string[], users: number[]) {
  const result = failOn(
    await subscribers.request<{ opened: number; failed: number; firstError: string; ms: number } | { error: string }>({
      cmd: 'open',
      urls,
      users,
      concurrency: SIZES.openConcurrency,
    }),
  );
  log(
    `  opened ${int(result.opened)} streams in ${seconds(result.ms)} (${int(result.failed)} failed${result.firstError ? `: ${result.firstError}` : ''})`,
  );
  if (result.failed)
    report.note(`${int(result.failed)} of ${int(users.length)} streams failed to open: ${result.firstError}`);
  return result;
}

async function rawRedis(subscribers: Subscribers, channels: number) {
  const result = failOn(
    await subscribers.request<{ sent: number; samples: number[] } | { error: string }>({
      cmd: 'raw-redis',
      rate: SIZES.deliverRate,
      seconds: SIZES.rawRedisSeconds,
      channels,
      prefix: `${REDIS_PREFIX}raw-latency:`,
    }),
  );
  return summarize(result.samples);
}

/** Deliveries at the full rate, shared among the subscriber processes (each sends to its own users). */
async function deliver(subscribers: Subscribers[], createUrls: string[], rate = SIZES.deliverRate) {
  const results = await Promise.all(
    subscribers.map(async (process) =>
      failOn(
        await process.request<Delivery | { error: string }>({
          cmd: 'deliver',
          rate: rate / subscribers.length,
          seconds: SIZES.deliverSeconds,
          createUrls,
        }),
      ),
    ),
  );
  const merged = (key: 'sendToFrame' | 'redisToFrame' | 'sendToRedis' | 'createLatency') =>
    summarize(results.flatMap((result) => result[key]));
  const sum = (key: 'sent' | 'created' | 'frames' | 'createErrors') => results.reduce((total, r) => total + r[key], 0);
  const firstCreateError = results.find((result) => result.firstCreateError)?.firstCreateError ?? '';
  return {
    firstCreateError,
    sent: sum('sent'),
    created: sum('created'),
    frames: sum('frames'),
    createErrors: sum('createErrors'),
    sendToFrame: merged('sendToFrame'),
    redisToFrame: merged('redisToFrame'),
    sendToRedis: merged('sendToRedis'),
    createLatency: merged('createLatency'),
  };
}

function reportDelivery(
  name: string,
  delivery: Awaited<ReturnType<typeof deliver>>,
  raw: ReturnType<typeof summarize>,
) {
  const lost = delivery.created - delivery.frames;
  if (delivery.createErrors) {
    report.note(
      `${name}: **${int(delivery.createErrors)} of ${int(delivery.sent)} creations failed**; the first: ${delivery.firstCreateError.slice(0, 300)}`,
    );
  }
  report.add({
    benchmark: `${name}: send→frame`,
    figure: `p50 ${ms(delivery.sendToFrame.p50)}, p99 ${ms(delivery.sendToFrame.p99)}, max ${ms(delivery.sendToFrame.max)} (${int(delivery.frames)}/${int(delivery.created)} frames${lost ? `, **${lost} missing**` : ''})`,
    baseline: `raw PUBLISH→message: p50 ${ms(raw.p50)}, p99 ${ms(raw.p99)}, max ${ms(raw.max)}`,
    ratio: `p99 +${ms(delivery.sendToFrame.p99 - raw.p99)}`,
    target: 'p99 ≤ raw + 5 ms',
    verdict: verdict(delivery.sendToFrame.p99, raw.p99 + 5, false, ' ms'),
  });
  report.add({
    benchmark: `${name}: the app's PUBLISH seen in Redis→frame`,
    figure: `p50 ${ms(delivery.redisToFrame.p50)}, p99 ${ms(delivery.redisToFrame.p99)}, max ${ms(delivery.redisToFrame.max)}`,
    baseline: `raw PUBLISH→message: p99 ${ms(raw.p99)}`,
    ratio: `p99 +${ms(delivery.redisToFrame.p99 - raw.p99)}`,
    target: 'p99 ≤ raw + 5 ms',
    verdict: verdict(delivery.redisToFrame.p99, raw.p99 + 5, false, ' ms'),
  });
  report.note(
    `${name}: the create mutation itself (send→response) took p50 ${ms(delivery.createLatency.p50)}, p99 ${ms(delivery.createLatency.p99)}; send→the app's PUBLISH seen in Redis p50 ${ms(delivery.sendToRedis.p50)}, p99 ${ms(delivery.sendToRedis.p99)}.`,
  );
}

function userRange(from: number, count: number) {
  return Array.from({ length: count }, (_, i) => (from + i) % SIZES.dataset.users);
}

const median = (values: number[]) => {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

type Delivered = Awaited<ReturnType<typeof deliver>>;
type Latency = ReturnType<typeof summarize>;

/** One repetition's delivery figures at one size: the app's, and the raw Redis round trip just before it. */
interface DeliveryRun {
  delivery: Delivered;
  raw: Latency;
  /** What held the app's event loop while it delivered. */
  pauses?: Pauses;
}

/** Deliveries with the app's event-loop delay and GC pauses watched over them. */
async function deliverWatched(app: NodeProcess, run: () => ReturnType<typeof deliver>) {
  await app.watchPauses();
  const delivery = await run();
  return { delivery, pauses: await app.pauses() };
}

/** The delivery rows from the median repetition (by Redis→frame p99), with every repetition's p99s beside it. */
function reportDeliveries(name: string, runs: DeliveryRun[]) {
  if (runs.length === 1) return reportDelivery(name, runs[0]!.delivery, runs[0]!.raw);
  const byRedisToFrame = runs.toSorted((a, b) => a.delivery.redisToFrame.p99 - b.delivery.redisToFrame.p99);
  const middle = byRedisToFrame[Math.floor(runs.length / 2)]!;
  const each = (pick: (run: DeliveryRun) => number) => runs.map((run) => ms(pick(run))).join(', ');
  reportDelivery(`${name}, median of ${runs.length} interleaved repetitions`, middle.delivery, middle.raw);
  const pauses = runs.flatMap((run) => (run.pauses ? [run.pauses] : []));
  if (pauses.length) {
    const mid = (pick: (pause: Pauses) => number) => ms(median(pauses.map(pick)));
    report.add({
      benchmark: `${name}: what held the app's event loop meanwhile (medians of ${pauses.length} repetitions)`,
      figure: `event-loop delay p99 ${mid((p) => p.loopDelayP99Ms)}, max ${mid((p) => p.loopDelayMaxMs)}; GC: ${mid((p) => p.gcCount).replace(' ms', '')} pauses, ${mid((p) => p.gcTotalMs)} in all, longest ${mid((p) => p.gcMaxMs)}; mark-compact: ${mid((p) => p.majorCount).replace(' ms', '')}, longest ${mid((p) => p.majorMaxMs)}`,
      baseline: '—',
      ratio: '—',
      target: 'explains the tail',
      verdict: 'measured',
    });
  }
  report.note(
    `${name}: p99 of each repetition, in order: Redis→frame ${each((run) => run.delivery.redisToFrame.p99)}; send→frame ${each((run) => run.delivery.sendToFrame.p99)}; raw PUBLISH→message ${each((run) => run.raw.p99)}; Redis→frame minus raw, median ${ms(median(runs.map((run) => run.delivery.redisToFrame.p99 - run.raw.p99)))}.`,
  );
}

function reportMemory(label: string, app: number[], bare: number[], heap: number[]) {
  const appPer = median(app);
  const barePer = median(bare);
  const each = (values: number[]) => values.map(kib).join(', ');
  report.add({
    benchmark: `Memory at ${label} streams: RSS per stream${app.length > 1 ? `, median of ${app.length} interleaved repetitions` : ''}`,
    figure: `${kib(appPer)} (${each(app)}; heap ${each(heap)})`,
    baseline: `bare node:http SSE: ${kib(barePer)} (${each(bare)})`,
    ratio: ratio(appPer, barePer),
    target: '≤ 2× bare',
    verdict:
      appPer <= 2 * barePer
        ? 'met'
        : `**not met**: ${kib(appPer)} vs ${kib(2 * barePer)} (${ratio(appPer, 2 * barePer)})`,
  });
}

/** One notification for every held subscriber, as single creates, then as one bulk publishEvent. */
async function benchBroadcast(first: Subscribers, url: string, small: number) {
  log(`  one notification for each of the ${int(small)} subscribers (broadcast through single creates)`);
  const broadcast = failOn(
    await first.request<
      | {
          recipients: number;
          created: number;
          createErrors: number;
          firstCreateError: string;
          frames: number;
          allCreatedMs: number;
          lastFrameMs: number;
        }
      | { error: string }
    >({
      cmd: 'broadcast',
      createUrls: [url],
      concurrency: SIZES.broadcastConcurrency,
    }),
  );
  if (broadcast.createErrors) {
    report.note(
      `Bulk: **${int(broadcast.createErrors)} of ${int(broadcast.recipients)} creations failed**; the first: ${broadcast.firstCreateError.slice(0, 300)}`,
    );
  }
  report.add({
    benchmark: `Bulk: ${int(broadcast.recipients)} recipients, as single creates (${SIZES.broadcastConcurrency} at a time)`,
    figure: `all created in ${seconds(broadcast.allCreatedMs)}; last frame at ${seconds(broadcast.lastFrameMs)} (${int(broadcast.frames)}/${int(broadcast.created)} frames)`,
    baseline: '—',
    ratio: `${int((broadcast.created / broadcast.allCreatedMs) * 1000)}/s`,
    target: 'seconds',
    verdict: '—',
  });
  log(`  the same through one publishEvent for all ${int(small)} (the bulk path)`);
  const bulk = failOn(
    await first.request<
      | { recipients: number; status: number; answeredMs: number; frames: number; lastFrameMs: number }
      | { error: string }
    >({ cmd: 'bulk', createUrls: [url] }),
  );
  report.add({
    benchmark: `Bulk: ${int(bulk.recipients)} recipients in one publishEvent`,
    figure: `answered in ${seconds(bulk.answeredMs)}; last frame at ${seconds(bulk.lastFrameMs)} (${int(bulk.frames)}/${int(bulk.recipients)} frames)`,
    baseline: `${int(broadcast.recipients)} single creates: last frame at ${seconds(broadcast.lastFrameMs)}`,
    ratio: `${int((bulk.recipients / bulk.answeredMs) * 1000)}/s; ${(broadcast.lastFrameMs / bulk.lastFrameMs).toFixed(1)}× faster to the last frame`,
    target: 'seconds; time to the last frame',
    verdict: 'measured',
  });
}

/**
 * Memory and delivery at two numbers of notificationAdded streams, the app and the bare node:http SSE server
 * in turn, each freshly started, `STREAM_REPETITIONS` times (app, bare, app, bare…): medians, so that one
 * noisy minute of the shared machine cannot decide a ratio. The broadcast and the 50/s delivery run in the
 * first repetition only. The app is the production build (dist/), as `npm run start:prod` runs it.
 */
async function benchStreams(databaseUrl: string, loader: NodeProcess) {
  const [small, large] = SIZES.subscriptions as [number, number];
  const repetitions = SIZES.streamRepetitions;
  log(
    `streams: memory and delivery at ${int(small)} and ${int(large)} notificationAdded streams, app and bare alternately, ${repetitions}×`,
  );
  // Two holding processes: each process's file limit is 20,000 too.
  const first = worker('bench/workers/subscribers.ts', 'subscribers-1');
  const second = worker('bench/workers/subscribers.ts', 'subscribers-2');
  const memory = { app: [[], []], bare: [[], []], heap: [[], []] } as Record<'app' | 'bare' | 'heap', number[][]>;
  const deliveries: DeliveryRun[][] = [[], []];
  const sustainable = SIZES.deliverRate / 4;
  buildApp();
  try {
    for (let repetition = 1; repetition <= repetitions; repetition++) {
      log(`  repetition ${repetition} of ${repetitions}: the app`);
      const app = await startApp(databaseUrl, { label: `app-streams-${repetition}`, built: true });
      try {
        await warmUp(loader, app.url);
        const at0 = await app.process.memory();
        await open(first, [app.url], userRange(0, small));
        const atSmall = await app.process.memory();
        log(`  raw Redis round trip, then ${SIZES.deliverRate}/s to random users for ${SIZES.deliverSeconds} s`);
        const rawSmall = await rawRedis(first, small);
        deliveries[0]!.push({
          ...(await deliverWatched(app.process, () => deliver([first], [app.url]))),
          raw: rawSmall,
        });
        if (repetition === 1) {
          // At a rate creation sustains here, so that the figure is delivery rather than create queueing.
          reportDelivery(
            `Delivery, ${int(small)} streams, ${sustainable}/s`,
            await deliver([first], [app.url], sustainable),
            rawSmall,
          );
          await benchBroadcast(first, app.url, small);
        }
        await open(second, [app.url], userRange(small, large - small));
        const atLarge = await app.process.memory();
        const rawLarge = await rawRedis(first, large);
        deliveries[1]!.push({
          ...(await deliverWatched(app.process, () => deliver([first, second], [app.url]))),
          raw: rawLarge,
        });
        await Promise.all([first.request({ cmd: 'close' }), second.request({ cmd: 'close' })]);
        memory.app[0]!.push((atSmall.rss - at0.rss) / small);
        memory.app[1]!.push((atLarge.rss - at0.rss) / large);
        memory.heap[0]!.push((atSmall.heapUsed - at0.heapUsed) / small);
        memory.heap[1]!.push((atLarge.heapUsed - at0.heapUsed) / large);
        const [atSmallRun, atLargeRun] = deliveries.map((runs) => runs.at(-1)!);
        log(
          `  app: RSS per stream ${kib(memory.app[0]!.at(-1)!)} / ${kib(memory.app[1]!.at(-1)!)}; Redis→frame p99 ${ms(atSmallRun!.delivery.redisToFrame.p99)} / ${ms(atLargeRun!.delivery.redisToFrame.p99)} (raw ${ms(atSmallRun!.raw.p99)} / ${ms(atLargeRun!.raw.p99)}); send→frame p99 ${ms(atSmallRun!.delivery.sendToFrame.p99)} / ${ms(atLargeRun!.delivery.sendToFrame.p99)}`,
        );
      } finally {
        await app.process.stop();
      }

      log(`  repetition ${repetition} of ${repetitions}: the bare node:http SSE server holding the same numbers`);
      const bare = await startPeer('bench/peers/bare-sse.ts', 'bare-sse');
      try {
        const at0 = await bare.process.memory();
        await open(first, [bare.url], userRange(0, small));
        const atSmall = await bare.process.memory();
        await open(second, [bare.url], userRange(small, large - small));
        const atLarge = await bare.process.memory();
        await Promise.all([first.request({ cmd: 'close' }), second.request({ cmd: 'close' })]);
        memory.bare[0]!.push((atSmall.rss - at0.rss) / small);
        memory.bare[1]!.push((atLarge.rss - at0.rss) / large);
        log(`  bare: RSS per stream ${kib(memory.bare[0]!.at(-1)!)} / ${kib(memory.bare[1]!.at(-1)!)}`);
      } finally {
        await bare.process.stop();
      }
    }
    reportDeliveries(`Delivery, ${int(small)} streams, ${SIZES.deliverRate}/s`, deliveries[0]!);
    reportDeliveries(`Delivery, ${int(large)} streams, ${SIZES.deliverRate}/s`, deliveries[1]!);
    reportMemory(int(small), memory.app[0]!, memory.bare[0]!, memory.heap[0]!);
    reportMemory(int(large), memory.app[1]!, memory.bare[1]!, memory.heap[1]!);
  } finally {
    await Promise.all([first, second].map((process) => process.request({ cmd: 'exit' }).catch(() => undefined)));
    await Promise.all([first.stop(), second.stop()]);
  }
}

/**
 * Delivery to the smaller number of streams at the full rate, by the production build started plainly and with
 * `flags`, alternately and `STREAM_REPETITIONS` times: whether a V8 setting (the young generation's size, say)
 * shortens the tail that GC pauses make (bench/FINDINGS.md, Delivery).
 */
async function benchNodeFlags(databaseUrl: string, loader: NodeProcess, flags: string[]) {
  const [streams] = SIZES.subscriptions as [number, number];
  log(`node-flags: delivery to ${int(streams)} streams, plain and with ${flags.join(' ')}, alternately`);
  const subscribers = worker('bench/workers/subscribers.ts', 'subscribers-1');
  const runs: Record<'plain' | 'flagged', DeliveryRun[]> = { plain: [], flagged: [] };
  buildApp();
  try {
    for (let repetition = 1; repetition <= SIZES.streamRepetitions; repetition++) {
      for (const variant of ['plain', 'flagged'] as const) {
        const app = await startApp(databaseUrl, {
          label: `app-${variant}-${repetition}`,
          built: true,
          nodeFlags: variant === 'flagged' ? flags : [],
        });
        try {
          await warmUp(loader, app.url);
          await open(subscribers, [app.url], userRange(0, streams));
          // The same length of time with nothing delivered: what the open streams alone cost the collector
          // (heartbeats, lease renewals).
          await app.process.watchPauses();
          await new Promise((resolve) => setTimeout(resolve, SIZES.deliverSeconds * 1000));
          const idle = await app.process.pauses();
          const raw = await rawRedis(subscribers, streams);
          const run = { ...(await deliverWatched(app.process, () => deliver([subscribers], [app.url]))), raw };
          log(
            `  ${variant}, repetition ${repetition}, idle for ${SIZES.deliverSeconds} s first: GC ${idle.gcCount} pauses, ${ms(idle.gcTotalMs)} in all, longest ${ms(idle.gcMaxMs)}; event-loop delay p99 ${ms(idle.loopDelayP99Ms)}`,
          );
          runs[variant].push(run);
          await subscribers.request({ cmd: 'close' });
          log(
            `  ${variant}, repetition ${repetition}: Redis→frame p99 ${ms(run.delivery.redisToFrame.p99)} (raw ${ms(raw.p99)}), send→frame p99 ${ms(run.delivery.sendToFrame.p99)}; GC ${run.pauses?.gcCount ?? '?'} pauses, longest ${ms(run.pauses?.gcMaxMs ?? 0)}`,
          );
        } finally {
          await app.process.stop();
        }
      }
    }
    reportDeliveries(`Delivery, ${int(streams)} streams, ${SIZES.deliverRate}/s, plain`, runs.plain);
    reportDeliveries(
      `Delivery, ${int(streams)} streams, ${SIZES.deliverRate}/s, with ${flags.join(' ')}`,
      runs.flagged,
    );
  } finally {
    await subscribers.request({ cmd: 'exit' }).catch(() => undefined);
    await subscribers.stop();
  }
}

async function redisChannels(): Promise<number> {
  const redis = new Redis(REDIS_URL);
  try {
    const channels = (await redis.pubsub('CHANNELS', `${REDIS_PREFIX}user:*`)) as string[];
    return channels.length;
  } finally {
    redis.disconnect();
  }
}

/** Removes every key the run's servers left under its prefix (the event stream, rate-limit counters). */
/** Where one open stream's memory goes: heap snapshots before and after opening some, by constructor. */
async function benchStreamComposition(app: { process: NodeProcess; url: string }, outputDir: string) {
  const streams = smoke ? 50 : 1_000;
  log(`memory composition: heap snapshots around ${int(streams)} open streams`);
  await waitForNoChannels(30_000);
  const subscribers = worker('bench/workers/subscribers.ts', 'subscribers-heap');
  try {
    const before = join(outputDir, 'before.heapsnapshot');
    const after = join(outputDir, 'after.heapsnapshot');
    await app.process.request({ probe: 'heap-snapshot', path: before });
    await open(subscribers, [app.url], userRange(0, streams));
    await app.process.request({ probe: 'heap-snapshot', path: after });
    await subscribers.request({ cmd: 'close' });
    const rows = perStream(before, after, streams);
    const total = rows.reduce((sum, row) => sum + Math.max(0, row.bytes), 0);
    report.section(
      `Heap per open stream, by constructor (snapshots around ${int(streams)} streams)`,
      [
        `The top ${rows.length} constructors add up to ${kib(total)} of heap per stream (self sizes; the server's RSS per stream is in the table above).`,
        '',
        '| per stream | objects per stream | constructor |',
        '|---|---|---|',
        ...rows.map((row) => `| ${int(row.bytes)} B | ${row.count.toFixed(1)} | ${row.name.replaceAll('|', '\\|')} |`),
      ].join('\n'),
    );
    rmSync(before);
    rmSync(after);
  } finally {
    await subscribers.request({ cmd: 'exit' }).catch(() => undefined);
    await subscribers.stop();
  }
}

/** Polls until no Redis channel of this run is subscribed, or `timeoutMs`. */
async function waitForNoChannels(timeoutMs: number) {
  const from = performance.now();
  let channels = await redisChannels();
  const channelsAtEnd = channels;
  while (channels > 0 && performance.now() - from < timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    channels = await redisChannels();
  }
  return { channels, channelsAtEnd, releasedMs: performance.now() - from };
}

async function benchLeaks(app: { process: NodeProcess; url: string }, outputDir: string) {
  log(`leaks: ${int(SIZES.churnCycles)} subscribe/abort cycles, ${SIZES.churnConcurrency} at a time`);
  const churn = worker('bench/workers/churn.ts', 'churn');
  try {
    type Churn = { cycles: number; failed: number; firstError: string; ms: number };
    failOn(
      await churn.request<Churn | { error: string }>({
        url: app.url,
        cycles: SIZES.churnWarmup,
        concurrency: SIZES.churnConcurrency,
      }),
    );
    await waitForNoChannels(30_000);
    const before = await app.process.memory();
    const beforeSnapshot = join(outputDir, 'churn-before.heapsnapshot');
    await app.process.request({ probe: 'heap-snapshot', path: beforeSnapshot });
    const result = failOn(
      await churn.request<Churn | { error: string }>({
        url: app.url,
        cycles: SIZES.churnCycles,
        concurrency: SIZES.churnConcurrency,
      }),
    );
    const { channels, channelsAtEnd, releasedMs } = await waitForNoChannels(30_000);
    const after = await app.process.memory();
    const afterSnapshot = join(outputDir, 'churn-after.heapsnapshot');
    await app.process.request({ probe: 'heap-snapshot', path: afterSnapshot });
    const grown = perStream(beforeSnapshot, afterSnapshot, 1, 12).filter((row) => row.bytes > 0);
    rmSync(beforeSnapshot);
    rmSync(afterSnapshot);
    report.section(
      `Heap growth over ${int(SIZES.churnCycles)} subscribe/abort cycles, by constructor`,
      [
        'What the heap held more after the cycles than before them (both after a full GC; caches that fill up show here too).',
        '',
        '| grew by | objects | constructor |',
        '|---|---|---|',
        ...grown.map((row) => `| ${kib(row.bytes)} | ${int(row.count)} | ${row.name.replaceAll('|', '\\|')} |`),
      ].join('\n'),
    );
    report.note(
      `Leaks: right after the last abort ${int(channelsAtEnd)} Redis channels were still subscribed; ${channels === 0 ? `all released after ${seconds(releasedMs)}` : `${channels} still after ${seconds(releasedMs)}`}.`,
    );
    if (result.failed) report.note(`${int(result.failed)} churn cycles failed: ${result.firstError}`);
    report.add({
      benchmark: `Leaks: ${int(result.cycles)} subscribe/abort cycles (${int((result.cycles / result.ms) * 1000)}/s)`,
      figure: `Redis channels after: ${channels}; heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)} (${(((after.heapUsed - before.heapUsed) / before.heapUsed) * 100).toFixed(1)} %), RSS ${mib(before.rss)} → ${mib(after.rss)}`,
      baseline: 'heap after a warm-up of the same cycles',
      ratio: ratio(after.heapUsed, before.heapUsed),
      target: 'channels 0, heap within 5 %',
      verdict:
        channels === 0 && after.heapUsed <= before.heapUsed * 1.05
          ? 'met'
          : `**not met**: ${channels} channels, heap ${ratio(after.heapUsed, before.heapUsed)}`,
    });
  } finally {
    await churn.stop();
  }
}

/** bench/delivery.ts: email and push through the queue, and what queueing them adds to a create. */
async function benchDeliveryPhase(databaseUrl: string, loader: NodeProcess) {
  const { benchDelivery } = await import('./delivery.js');
  await benchDelivery({
    databaseUrl,
    jwtSecret: JWT_SECRET,
    users: SIZES.dataset.users,
    notifications: deliveryNotifications ?? SIZES.deliveryNotifications,
    createSeconds: SIZES.createSeconds,
    createConnections: SIZES.createConcurrency,
    warmupSeconds: SIZES.warmupSeconds,
    rounds: SIZES.rounds,
    profilePath: deliveryProfile,
    startApp: (env, label) => startApp(databaseUrl, { env, label }),
    load: (kind, url, connections, seconds, warmupSeconds) =>
      load(loader, { kind, url, connections, seconds, warmupSeconds }),
    log,
    report,
  });
}

async function benchScaleOut(databaseUrl: string, loader: NodeProcess) {
  const instances = 3;
  const poolSize = Math.max(5, Math.floor(SIZES.poolSize / 2));
  log(
    `scale-out: ${instances} instances (pool ${poolSize} each), ${int(SIZES.scaleSubscriptions)} streams spread, creations through all`,
  );
  const apps = await Promise.all(
    Array.from({ length: instances }, (_, i) => startApp(databaseUrl, { poolSize, label: `app-${i + 1}` })),
  );
  for (const app of apps) await warmUp(loader, app.url);
  const subscribers = worker('bench/workers/subscribers.ts', 'subscribers-scale');
  try {
    const urls = apps.map((app) => app.url);
    await open(subscribers, urls, userRange(0, SIZES.scaleSubscriptions));
    const raw = await rawRedis(subscribers, SIZES.scaleSubscriptions);
    reportDelivery(
      `Scale-out, ${instances} instances, ${int(SIZES.scaleSubscriptions)} streams, ${SIZES.deliverRate}/s`,
      await deliver([subscribers], urls),
      raw,
    );
    await subscribers.request({ cmd: 'close' });
  } finally {
    await subscribers.request({ cmd: 'exit' }).catch(() => undefined);
    await subscribers.stop();
    await Promise.all(apps.map((app) => app.process.stop()));
  }
}

async function profileAndExplain(databaseUrl: string, loader: NodeProcess, outputDir: string) {
  log(`profiles: CPU profile of the app under the create and list loads (${SIZES.profileSeconds} s each)`);
  const app = await startApp(databaseUrl, { env: { BENCH_CAPTURE_SQL: '1' }, label: 'app-profiled' });
  const sections: string[] = [];
  try {
    for (const [kind, connections] of [
      ['app-create', SIZES.createConcurrency],
      ['app-list', SIZES.concurrencies.at(-1)!],
    ] as const) {
      const path = join(outputDir, `${kind}.cpuprofile`);
      await load(loader, { kind, url: app.url, connections, seconds: SIZES.warmupSeconds || 1, warmupSeconds: 0 });
      await app.process.request({ probe: 'profile-start' });
      const result = await load(loader, {
        kind,
        url: app.url,
        connections,
        seconds: SIZES.profileSeconds,
        warmupSeconds: 0,
      });
      await app.process.request({ probe: 'profile-stop', path });
      const summary = summarizeProfile(path);
      const rows = (shares: typeof summary.functions) =>
        shares.map((share) => `| ${share.percent.toFixed(1)} % | ${share.name.replaceAll('|', '\\|')} |`).join('\n');
      sections.push(
        [
          `### ${kind} at ${connections} connections (${int(result.requestsPerSecond)} req/s while profiled)`,
          '',
          `Busy ${int(summary.busyMs)} ms of ${int(summary.totalMs)} ms sampled (the rest idle). Profile: \`${path}\`.`,
          '',
          '| self time | package |',
          '|---|---|',
          rows(summary.packages.slice(0, 15)),
          '',
          '| inclusive | package (its code and everything it called) |',
          '|---|---|',
          rows(summary.inclusive.slice(0, 15)),
          '',
          '| self time | function |',
          '|---|---|',
          rows(summary.functions.slice(0, 25)),
          '',
        ].join('\n'),
      );
    }
    // The deep page's statement too (the same list with a cursor), for its plan.
    const { PAGE_QUERY } = await import('./lib/operations.js');
    const after = await deepCursor(databaseUrl);
    for (const cursor of [null, after]) {
      await graphql(app.url, signBenchToken(JWT_SECRET, DEEP_USER), PAGE_QUERY, { after: cursor });
    }
    const statements = failOn(await app.process.request<CapturedStatement[] | { error: string }>({ probe: 'sql' }));
    const plans = await explainStatements(databaseUrl, statements);
    report.section('CPU profiles (self time, app process)', sections.join('\n'));
    report.section(
      'The SQL the app sent, explained on the dataset',
      [
        `Captured from the app's pg client during the profiled loads; EXPLAIN (ANALYZE, BUFFERS) with the parameters of one real call; writes rolled back.`,
        '',
        ...plans.map((plan) =>
          [
            `#### ${int(plan.count)}× — ${ms(plan.executionMs)}${plan.sequentialScan ? ' — **sequential scan**' : ''}`,
            '```sql',
            plan.text.trim(),
            '```',
            '```',
            plan.plan,
            '```',
          ].join('\n'),
        ),
      ].join('\n'),
    );
  } finally {
    await app.process.stop();
  }
}

/** CPU seconds (user + system, every thread) a process has used so far, from /proc. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * The app's list, counts and create under each node binary, alternating A, B, A, B… so that the machine's load drifts
 * over all of them alike; each round starts a fresh app process. Medians of the rounds are compared: the
 * throughput, and the app's CPU time per request, which depends less on how much CPU other work left it.
 */
async function benchRuntime(databaseUrl: string, loader: NodeProcess, nodes: string[]) {
  const rounds = smoke ? 1 : 3;
  const versions = nodes.map((binary) => execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim());
  const loads = [
    ...SIZES.concurrencies.map((connections) => ({ kind: 'app-list' as const, connections })),
    { kind: 'app-counts' as const, connections: SIZES.pageConcurrency },
    { kind: 'app-create' as const, connections: SIZES.createConcurrency },
  ];
  type Measured = LoadResult & { cpuPerRequest: number };
  const results = loads.map(() => nodes.map((): Measured[] => []));
  for (let round = 1; round <= rounds; round++) {
    for (const [n, binary] of nodes.entries()) {
      log(`runtime, round ${round} of ${rounds}: the app on Node ${versions[n]} (${binary})`);
      const app = await startApp(databaseUrl, { node: binary, label: `app-${versions[n]}` });
      try {
        await warmUp(loader, app.url);
        for (const [l, { kind, connections }] of loads.entries()) {
          const seconds = kind === 'app-create' ? SIZES.createSeconds : SIZES.listSeconds;
          if (SIZES.warmupSeconds)
            await load(loader, { kind, url: app.url, connections, seconds: SIZES.warmupSeconds, warmupSeconds: 0 });
          const cpuBefore = cpuSeconds(app.process.pid);
          const result = await load(loader, { kind, url: app.url, connections, seconds, warmupSeconds: 0 });
          const cpuPerRequest = ((cpuSeconds(app.process.pid) - cpuBefore) * 1000) / result.total;
          log(`  ${kind} at ${connections}: ${throughput(result)}, ${cpuPerRequest.toFixed(2)} ms CPU per request`);
          results[l]![n]!.push({ ...result, cpuPerRequest });
        }
      } finally {
        await app.process.stop();
      }
    }
  }
  const median = (values: number[]) => {
    const sorted = values.toSorted((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const summary = (runs: Measured[]) => ({
    perSecond: median(runs.map((run) => run.requestsPerSecond)),
    cpu: median(runs.map((run) => run.cpuPerRequest)),
    p99: median(runs.map((run) => run.p99)),
    each: runs.map((run) => int(run.requestsPerSecond)).join(', '),
    eachCpu: runs.map((run) => run.cpuPerRequest.toFixed(2)).join(', '),
  });
  for (const [l, { kind, connections }] of loads.entries()) {
    const baseline = summary(results[l]![0]!);
    for (let n = 1; n < nodes.length; n++) {
      const other = summary(results[l]![n]!);
      const name = `Runtime: ${{ 'app-list': 'list', 'app-counts': 'counts', 'app-create': 'create' }[kind]}, ${connections} conn., Node ${versions[n]} vs ${versions[0]}, medians of ${rounds} interleaved rounds`;
      report.add({
        benchmark: `${name}: throughput`,
        figure: `${int(other.perSecond)} req/s (${other.each}), p99 ${ms(other.p99)}`,
        baseline: `${versions[0]}: ${int(baseline.perSecond)} req/s (${baseline.each}), p99 ${ms(baseline.p99)}`,
        ratio: ratio(other.perSecond, baseline.perSecond),
        target: 'not slower',
        verdict: verdict(other.perSecond / baseline.perSecond, 1, true, '×'),
      });
      report.add({
        benchmark: `${name}: app CPU per request`,
        figure: `${ms(other.cpu)} (${other.eachCpu})`,
        baseline: `${versions[0]}: ${ms(baseline.cpu)} (${baseline.eachCpu})`,
        ratio: ratio(other.cpu, baseline.cpu),
        target: 'not more',
        verdict: verdict(other.cpu / baseline.cpu, 1, false, '×'),
      });
    }
  }
}

async function main() {
  const machine = await describeMachine(POSTGRES_SERVER, REDIS_URL);
  log(
    `${smoke ? 'smoke' : 'full'} run on ${machine.cpu}, ${machine.cores} cores, ${machine.memory}, Node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}`,
  );
  const outputDir = mkdtempSync(join(tmpdir(), 'notification-bench-'));
  const database = await createScratchDatabase(POSTGRES_SERVER, `notifications_bench_${stamp}`);
  log(`scratch database ${database.name}, Redis prefix ${REDIS_PREFIX}`);
  let loader: NodeProcess | undefined;
  try {
    const { dataset } = SIZES;
    log(
      `dataset: ${int(dataset.rows)} notifications over ${int(dataset.users)} users + ${int(dataset.deepRows)} for ${DEEP_USER}, with their change log`,
    );
    const times = await loadDataset(database.url, dataset);
    report.add({
      benchmark: `Dataset: ${int(times.rows)} notifications + ${int(times.rows)} change-log rows + ${int(dataset.users + 1)} stream positions, COPY`,
      figure: `COPY ${seconds(times.copyMs)}, indexes ${seconds(times.indexMs)}, VACUUM ANALYZE ${seconds(times.analyzeMs)}`,
      baseline: '—',
      ratio: `${int((times.rows / times.copyMs) * 1000)} notifications/s`,
      target: 'seconds',
      verdict: '—',
    });

    loader = worker('bench/workers/load.ts', 'load');
    if ((['lists', 'counts', 'deep', 'create', 'streams', 'composition', 'leaks'] as const).some(wants)) {
      const app = await startApp(database.url);
      try {
        await warmUp(loader, app.url);
        if (wants('lists') || wants('counts')) {
          const peers = await startReadPeers(database.url);
          try {
            await checkListsAgree(app.url, peers.raw.url, peers.postgraphile.url);
            if (wants('lists')) await benchLists(app.url, loader, peers);
            if (wants('counts')) await benchCounts(app.url, loader, peers);
          } finally {
            await peers.stop();
          }
        }
        if (wants('deep')) await benchDeepPages(database.url, app.url, loader);
        if (wants('create')) await benchCreate(database.url, app.url, loader);
        if (wants('streams')) await benchStreams(database.url, loader);
        if (wants('composition')) await benchStreamComposition(app, outputDir);
        if (wants('leaks')) await benchLeaks(app, outputDir);
      } finally {
        await app.process.stop();
      }
    }
    if (wants('delivery')) await benchDeliveryPhase(database.url, loader);
    if (wants('scale')) await benchScaleOut(database.url, loader);
    if (wants('profile')) await profileAndExplain(database.url, loader, outputDir);
    if (wants('runtime') && NODES) await benchRuntime(database.url, loader, NODES);
    if (wants('node-flags') && NODE_FLAGS) await benchNodeFlags(database.url, loader, NODE_FLAGS);
  } finally {
    await loader?.stop();
    await stopAll();
    await database.drop();
    log(
      `dropped ${database.name} and ${int(await dropRedisKeys(REDIS_URL, REDIS_PREFIX))} Redis keys under ${REDIS_PREFIX}`,
    );
  }

  reportAppProblems();
  const markdown = report.markdown(machine, smoke ? 'smoke' : 'full', performance.now() - started);
  // Only a whole full run stands as bench/RESULTS.md.
  const path = smoke || only ? join(outputDir, 'RESULTS.md') : join(ROOT, 'bench', 'RESULTS.md');
  writeFileSync(path, markdown);
  log(`results written to ${path}`);
}

process.on('SIGINT', () => {
  void stopAll().then(() => process.exit(130));
});

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error(error);
    await stopAll();
    process.exit(1);
  },
);
