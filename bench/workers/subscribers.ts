// Holds thousands of notificationAdded streams (one per user) and drives deliveries to them, in one
// process so that send and receive times share a clock. Driven over IPC by bench/run.ts:
// - open: one stream per user, spread over the servers' URLs;
// - raw-redis: the floor, PUBLISH → message through ioredis, at the same rate and payload size;
// - deliver: creations at a fixed rate to random held users; per notification, the time it was sent,
//   the time the app's PUBLISH reached a Redis subscriber of our own, and the time its SSE frame arrived;
// - broadcast: one creation for every held user, `concurrency` at a time: time until the last frame;
// - close.
import { Agent, request } from 'node:http';
import { Redis } from 'ioredis';
import { ADDED_SUBSCRIPTION, CREATE_MUTATION, createInput, PUBLISH_MUTATION } from '../lib/operations.js';
import { eachLimited, LOCAL_ADDRESSES, openSse, type SseStream } from '../lib/sse.js';
import { signBenchToken, userIdOf } from '../lib/tokens.js';

const { JWT_SECRET, REDIS_URL, REDIS_KEY_PREFIX } = process.env;
const now = () => performance.timeOrigin + performance.now();
const serviceToken = signBenchToken(JWT_SECRET!, 'bench-service', ['service']);
const createAgent = new Agent({ keepAlive: true, maxSockets: 64 });

interface Trace {
  sentAt: number;
  respondedAt?: number;
  redisAt?: number;
  frameAt?: number;
}

const streams: SseStream[] = [];
const heldUsers: number[] = [];
let traces = new Map<number, Trace>();
let tag = '';
let framesReceived = 0;
let lastFrameAt = 0;

interface Metadata {
  bench?: string;
  seq?: number;
}

// A bulk publish carries one message for every recipient: its frames are counted by that message.
let bulkMessage = '';
let bulkFrames = 0;
let lastBulkFrameAt = 0;

function onFrame(payload: unknown) {
  const at = now();
  const node = (payload as { data?: { notificationAdded?: { metadata?: Metadata; message?: string } } }).data
    ?.notificationAdded;
  if (bulkMessage && node?.message === bulkMessage) {
    bulkFrames++;
    lastBulkFrameAt = at;
    return;
  }
  const metadata = node?.metadata;
  if (metadata?.bench !== tag || metadata.seq === undefined) return;
  const trace = traces.get(metadata.seq);
  if (!trace || trace.frameAt !== undefined) return;
  trace.frameAt = at;
  framesReceived++;
  lastFrameAt = at;
}

// Our own subscriber to the app's channels: when each PUBLISH (made right after commit) reached Redis's subscribers.
const monitor = new Redis(REDIS_URL!, { lazyConnect: true });
monitor.on('pmessage', (_pattern: string, _channel: string, message: string) => {
  const at = now();
  const metadata = (JSON.parse(message) as { notification?: { metadata?: Metadata } }).notification?.metadata;
  if (metadata?.bench !== tag || metadata.seq === undefined) return;
  const trace = traces.get(metadata.seq);
  if (trace && trace.redisAt === undefined) trace.redisAt = at;
});

function post(url: string, body: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: '/graphql',
        method: 'POST',
        agent: createAgent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${serviceToken}`,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          response.statusCode === 200 && !text.includes('"errors"')
            ? resolve(response.statusCode)
            : reject(new Error(`create answered ${response.statusCode}: ${text.slice(0, 300)}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let createErrors = 0;
let firstCreateError = '';
function create(url: string, user: number, seq: number): Promise<void> {
  const trace: Trace = { sentAt: now() };
  traces.set(seq, trace);
  const body = JSON.stringify({
    query: CREATE_MUTATION,
    variables: { input: createInput(userIdOf(user), { bench: tag, seq, sentAt: trace.sentAt }) },
  });
  return post(url, body).then(
    () => {
      trace.respondedAt = now();
    },
    (error: Error) => {
      createErrors++;
      firstCreateError ||= error.message;
      traces.delete(seq);
    },
  );
}

async function waitForFrames(expected: () => number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (framesReceived < expected() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

function startRun(name: string) {
  tag = `${name}-${process.pid}-${Date.now()}`;
  traces = new Map();
  framesReceived = 0;
  lastFrameAt = 0;
  createErrors = 0;
  firstCreateError = '';
}

/** Calls `send(i)` `rate` times a second for `seconds`, on schedule (late ticks catch up). */
async function paced(rate: number, seconds: number, send: (i: number) => void) {
  const started = performance.now();
  const total = Math.round(rate * seconds);
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (sent < due) send(sent++);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const commands = {
  async open({ urls, users, concurrency }: { urls: string[]; users: number[]; concurrency: number }) {
    const started = performance.now();
    let failed = 0;
    let firstError = '';
    await eachLimited(users, concurrency, async (user, i) => {
      try {
        const stream = await openSse({
          url: `${urls[i % urls.length]}/graphql`,
          token: signBenchToken(JWT_SECRET!, userIdOf(user)),
          query: ADDED_SUBSCRIPTION,
          localAddress: LOCAL_ADDRESSES[i % LOCAL_ADDRESSES.length],
          onNext: onFrame,
        });
        streams.push(stream);
        heldUsers.push(user);
      } catch (error) {
        failed++;
        firstError ||= (error as Error).message;
      }
    });
    return { opened: streams.length, failed, firstError, ms: performance.now() - started };
  },

  async 'raw-redis'({
    rate,
    seconds,
    channels,
    prefix,
  }: {
    rate: number;
    seconds: number;
    channels: number;
    prefix: string;
  }) {
    const publisher = new Redis(REDIS_URL!);
    const subscriber = new Redis(REDIS_URL!);
    const names = Array.from({ length: channels }, (_, i) => `${prefix}${i}`);
    for (let i = 0; i < names.length; i += 1000) await subscriber.subscribe(...names.slice(i, i + 1000));
    const samples: number[] = [];
    subscriber.on('message', (_channel: string, message: string) => {
      samples.push(now() - (JSON.parse(message) as { sentAt: number }).sentAt);
    });
    // About the size of the app's change event for one notification.
    const padding = 'x'.repeat(560);
    await paced(rate, seconds, (i) => {
      const channel = names[Math.floor(Math.random() * names.length)]!;
      void publisher.publish(channel, JSON.stringify({ seq: i, padding, sentAt: now() }));
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (let i = 0; i < names.length; i += 1000) await subscriber.unsubscribe(...names.slice(i, i + 1000));
    subscriber.disconnect();
    publisher.disconnect();
    return { sent: Math.round(rate * seconds), samples };
  },

  async deliver({ rate, seconds, createUrls }: { rate: number; seconds: number; createUrls: string[] }) {
    if (monitor.status === 'wait') await monitor.connect();
    await monitor.psubscribe(`${REDIS_KEY_PREFIX}user:*`);
    startRun('deliver');
    const pending: Promise<void>[] = [];
    await paced(rate, seconds, (i) => {
      const user = heldUsers[Math.floor(Math.random() * heldUsers.length)]!;
      pending.push(create(createUrls[i % createUrls.length]!, user, i));
    });
    await Promise.all(pending);
    await waitForFrames(() => traces.size, 10_000);
    await monitor.punsubscribe();
    const all = [...traces.values()];
    return {
      sent: Math.round(rate * seconds),
      created: all.length,
      createErrors,
      firstCreateError,
      frames: framesReceived,
      sendToFrame: all.flatMap((t) => (t.frameAt ? [t.frameAt - t.sentAt] : [])),
      redisToFrame: all.flatMap((t) => (t.frameAt && t.redisAt ? [t.frameAt - t.redisAt] : [])),
      sendToRedis: all.flatMap((t) => (t.redisAt ? [t.redisAt - t.sentAt] : [])),
      createLatency: all.flatMap((t) => (t.respondedAt ? [t.respondedAt - t.sentAt] : [])),
    };
  },

  async broadcast({ createUrls, concurrency }: { createUrls: string[]; concurrency: number }) {
    startRun('broadcast');
    const started = now();
    let createdAt = 0;
    await eachLimited(heldUsers, concurrency, (user, i) => create(createUrls[i % createUrls.length]!, user, i));
    createdAt = now();
    await waitForFrames(() => traces.size, 30_000);
    return {
      recipients: heldUsers.length,
      created: traces.size,
      createErrors,
      firstCreateError,
      frames: framesReceived,
      allCreatedMs: createdAt - started,
      lastFrameMs: lastFrameAt ? lastFrameAt - started : Number.NaN,
    };
  },

  /** One publishEvent for every held subscriber at once (the bulk path), timed to its last frame. */
  async bulk({ createUrls }: { createUrls: string[] }) {
    bulkMessage = `bulk-${process.pid}-${Date.now()}`;
    bulkFrames = 0;
    lastBulkFrameAt = 0;
    const recipients = heldUsers.map((user) => userIdOf(user));
    const started = now();
    const body = JSON.stringify({
      query: PUBLISH_MUTATION,
      variables: { input: { type: 'system.warning', data: { message: bulkMessage }, recipients } },
    });
    const status = await post(createUrls[0]!, body);
    const answeredMs = now() - started;
    const deadline = Date.now() + 60_000;
    while (bulkFrames < recipients.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return {
      recipients: recipients.length,
      status,
      answeredMs,
      frames: bulkFrames,
      lastFrameMs: lastBulkFrameAt ? lastBulkFrameAt - started : Number.NaN,
    };
  },

  async close() {
    const closing = streams.splice(0);
    heldUsers.splice(0);
    for (const stream of closing) stream.close();
    await Promise.all(closing.map((stream) => stream.closed));
    return { closed: closing.length };
  },

  async exit() {
    monitor.disconnect();
    createAgent.destroy();
    setImmediate(() => process.exit(0));
    return true;
  },
} as const;

type Command = keyof typeof commands;
process.on('message', (message: { id: number; cmd: Command } & Record<string, unknown>) => {
  const handler = commands[message.cmd] as (args: unknown) => Promise<unknown>;
  handler(message).then(
    (value) => process.send?.({ id: message.id, value }),
    (error: Error) => process.send?.({ id: message.id, value: { error: error.message } }),
  );
});
