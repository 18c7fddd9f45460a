// Single-connection mode's reservations (PUT /graphql/stream): each is its maker's alone, tells nobody
// else whether it exists, counts against the maker's stream cap, and is dropped when left unused.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { readEvents } from '../helpers/entry-points.js';
import { eventually, redisClient } from '../helpers/redis.js';
import { startTestServer } from '../helpers/server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

const CAP = 3;
const TTL_MS = 500;
const TOKEN_HEADER = 'x-graphql-event-stream-token';

/** One with the default TTL, one whose reservations expire within a test. */
let server: RunningServer;
let expiring: RunningServer;
const redis = redisClient();
beforeAll(async () => {
  const env = { STREAMS_PER_USER: String(CAP) };
  [server, expiring] = await Promise.all([
    startTestServer({ env }),
    startTestServer({ env: { ...env, STREAM_RESERVATION_TTL_MS: String(TTL_MS) } }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.stop(), expiring.stop()]);
  redis.disconnect();
});

let streamUrl = () => `${server.url}/graphql/stream`;

interface User {
  userId: string;
  auth: Record<string, string>;
}

async function newUser(): Promise<User> {
  const userId = newUserId();
  return { userId, auth: { authorization: `Bearer ${await tokenFor(userId)}` } };
}

const reserve = (user: User) => fetch(streamUrl(), { method: 'PUT', headers: user.auth });

async function reserved(user: User): Promise<string> {
  const response = await reserve(user);
  expect(response.status).toBe(201);
  return response.text();
}

/** How many stream leases the user holds (the stream cap's count, in Redis). */
const leasesOf = (user: User) => redis.zcard(`${inject('redisPrefix')}streams:${user.userId}`);

/** Everything a client can see of an answer but its date. */
async function answer(response: Response) {
  const headers = [...response.headers].filter(([name]) => name !== 'date' && name !== 'x-request-id');
  return { status: response.status, headers, body: await response.text() };
}

const subscription = (operationId: string) =>
  JSON.stringify({ query: 'subscription { notificationAdded { id } }', extensions: { operationId } });

/** The three requests of the protocol that name a stream, sent by `user` with `token`. */
const namingRequests = (user: User, token: string): Record<string, () => Promise<Response>> => ({
  'GET (open the stream)': () =>
    fetch(streamUrl(), { headers: { ...user.auth, accept: 'text/event-stream', [TOKEN_HEADER]: token } }),
  'POST (run an operation in it)': () =>
    fetch(streamUrl(), {
      method: 'POST',
      headers: { ...user.auth, 'content-type': 'application/json', [TOKEN_HEADER]: token },
      body: subscription('op'),
    }),
  'DELETE (stop an operation)': () =>
    fetch(`${streamUrl()}?operationId=op`, { method: 'DELETE', headers: { ...user.auth, [TOKEN_HEADER]: token } }),
});

describe('single-connection reservations', () => {
  it("should answer someone else's token byte for byte as an unknown one, for GET, POST and DELETE", async () => {
    const [owner, intruder] = [await newUser(), await newUser()];
    const token = await reserved(owner);
    const unknown = randomBytes(32).toString('base64url');
    for (const [request, send] of Object.entries(namingRequests(intruder, token))) {
      const foreign = await answer(await send());
      const missing = await answer(await namingRequests(intruder, unknown)[request]!());
      expect(foreign, request).toEqual(missing);
      expect(foreign.status, request).toBeGreaterThanOrEqual(400);
    }
    // And the owner's stream is still there, untouched, and theirs.
    const stream = await namingRequests(owner, token)['GET (open the stream)']!();
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
  });

  it('should tell a request without a valid token nothing of whether a stream exists', async () => {
    const owner = await newUser();
    const token = await reserved(owner);
    const unknown = randomBytes(32).toString('base64url');
    for (const accept of ['text/html', 'text/event-stream', 'application/json']) {
      const ask = async (streamToken: string) =>
        answer(await fetch(streamUrl(), { headers: { accept, [TOKEN_HEADER]: streamToken } }));
      const existing = await ask(token);
      expect(existing, accept).toEqual(await ask(unknown));
      expect(existing.status, accept).toBe(401);
    }
  });

  it('should make tokens of 256 random bits, and take them from the header only', async () => {
    const owner = await newUser();
    const tokens = [await reserved(owner), await reserved(owner)];
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(tokens).size).toBe(2);
    // A token in the query string is not one: it would land in access logs, and no client needs it.
    const byQuery = await fetch(`${streamUrl()}?token=${tokens[0]}`, {
      method: 'DELETE',
      headers: owner.auth,
    });
    expect(byQuery.status).toBe(404);
    const byHeader = await namingRequests(owner, tokens[0]!)['DELETE (stop an operation)']!();
    expect(byHeader.status).toBe(200);
  });

  it("should refuse reservations past the user's stream cap with RATE_LIMITED, and no one else's", async () => {
    const user = await newUser();
    const answers = [];
    for (let i = 0; i < 50; i++) answers.push((await reserve(user)).status);
    console.log(`reservations: ${answers.filter((status) => status === 201).length} of 50 PUTs admitted (cap ${CAP})`);
    expect(answers.slice(0, CAP)).toEqual(Array(CAP).fill(201));
    expect(new Set(answers.slice(CAP))).toEqual(new Set([429]));
    const refused = await reserve(user);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    const body = (await refused.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: expect.any(Number) });
    expect(body.errors[0]?.extensions.http).toBeUndefined();
    expect(await leasesOf(user)).toBe(CAP);

    expect((await reserve(await newUser())).status).toBe(201);
  });

  it('should drop a reservation left unused past its TTL, with what was posted into it, and free its slot', async () => {
    streamUrl = () => `${expiring.url}/graphql/stream`;
    const user = await newUser();
    const start = Date.now();
    const tokens = [];
    for (let i = 0; i < CAP; i++) tokens.push(await reserved(user));
    // A subscription posted before any stream opened: it is dropped with its reservation.
    const posted = await fetch(streamUrl(), {
      method: 'POST',
      headers: { ...user.auth, 'content-type': 'application/json', [TOKEN_HEADER]: tokens[0]! },
      body: subscription('early'),
    });
    expect(posted.status).toBe(202);

    await eventually(() => leasesOf(user), 0, TTL_MS + 10_000);
    console.log(
      `reservations: ${CAP} unused ones freed ${Date.now() - start} ms after the first was made (TTL ${TTL_MS} ms)`,
    );
    // An expired token is an unknown one.
    const stale = await namingRequests(user, tokens[0]!)['DELETE (stop an operation)']!();
    expect(stale.status).toBe(404);
    expect(await reserved(user)).toBeTruthy();
    streamUrl = () => `${server.url}/graphql/stream`;
  });

  it('should keep a reservation whose stream is open past the TTL, and count it once with its subscription', async () => {
    streamUrl = () => `${expiring.url}/graphql/stream`;
    const user = await newUser();
    const token = await reserved(user);
    const stream = await namingRequests(user, token)['GET (open the stream)']!();
    expect(stream.status).toBe(200);
    const posted = await namingRequests(user, token)['POST (run an operation in it)']!();
    expect(posted.status).toBe(202);
    expect(await leasesOf(user)).toBe(1);
    // Past the TTL the stream still carries the subscription's events: the TTL has passed once a reservation
    // made after this one, and left unused, is gone.
    const witness = await newUser();
    await reserved(witness);
    await eventually(() => leasesOf(witness), 0, TTL_MS + 10_000);
    expect(await leasesOf(user)).toBe(1);
    const events = readEvents(stream, ({ event, data }) => (event === 'next' ? data : undefined));
    const service = await tokenFor('test-service', { roles: ['service'] });
    await fetch(`${expiring.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${service}` },
      body: JSON.stringify({
        query: 'mutation ($input: CreateNotificationInput!) { createNotification(input: $input) { id } }',
        variables: { input: { userId: user.userId, title: 't', message: 'm', type: 'INFO' } },
      }),
    });
    expect(JSON.parse(await events)).toMatchObject({ id: 'op', payload: { data: { notificationAdded: {} } } });
    await eventually(() => leasesOf(user), 0);
    streamUrl = () => `${server.url}/graphql/stream`;
  });
});
