import { createPublicKey } from 'node:crypto';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { NotificationAddedDocument, UnreadCountDocument } from '../generated/graphql.js';
import { execute, expectData } from '../helpers/graphql.js';
import { type JwksServer, startJwksServer } from '../helpers/jwks-server.js';
import { startTestServer } from '../helpers/server.js';
import { subscribe } from '../helpers/subscribe.js';
import { TEST_JWT_SECRET } from '../helpers/tokens.js';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'notification-api';
const COOLDOWN_MS = 1000;

interface Key {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
  publicPem: string;
}

async function makeKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { kid, privateKey, jwk, publicPem: await exportSPKI(publicKey) };
}

const now = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Claims {
  iss?: string;
  aud?: string;
  exp?: number;
  nbf?: number;
  /** Any JSON value: the subject is whatever the issuer signed. */
  sub?: unknown;
  /** Seconds since the epoch; null leaves `iat` out. */
  iat?: number | null;
  roles?: string[];
}

function sign(key: Key, claims: Claims = {}): Promise<string> {
  const { iss = ISSUER, aud = AUDIENCE, exp = now() + 600, nbf, sub = 'jwt-user', iat = now(), roles = [] } = claims;
  const token = new SignJWT({ roles, sub } as JWTPayload)
    .setProtectedHeader({ alg: 'RS256', kid: key.kid })
    .setIssuer(iss)
    .setAudience(aud);
  if (iat !== null) token.setIssuedAt(iat);
  if (exp) token.setExpirationTime(exp);
  if (nbf) token.setNotBefore(nbf);
  return token.sign(key.privateKey);
}

const YEAR = 365 * 86_400;

let current: Key;
let rotated: Key;
let stranger: Key;
let jwks: JwksServer;
let server: RunningServer;
let jwksOnly: RunningServer;

beforeAll(async () => {
  [current, rotated, stranger] = await Promise.all([makeKey('key-1'), makeKey('key-2'), makeKey('key-x')]);
  jwks = await startJwksServer([current.jwk]);
  const env = {
    JWT_JWKS_URL: jwks.url,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_JWKS_COOLDOWN_MS: `${COOLDOWN_MS}`,
  };
  [server, jwksOnly] = await Promise.all([
    startTestServer({ env: { ...env, JWT_SECRET: TEST_JWT_SECRET } }),
    startTestServer({ env: { ...env, JWT_SECRET: undefined } }),
  ]);
});
afterAll(async () => {
  await Promise.all([server.stop(), jwksOnly.stop()]);
  await jwks.close();
});

/** Algorithm confusion: an HS256 token whose HMAC secret is the RSA public key's PEM. */
const hs256WithPublicKey = (key: Key) =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', kid: key.kid })
    .setSubject('mallory')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(now() + 600)
    .sign(new TextEncoder().encode(key.publicPem));

/** Every token the issue names, each of which must be refused. */
async function badTokens(): Promise<Array<[string, string | null]>> {
  return [
    ['no token', null],
    ['malformed', 'not.a.jwt'],
    ['expired', await sign(current, { exp: now() - 60 })],
    ['not yet valid (nbf)', await sign(current, { nbf: now() + 600 })],
    [
      'alg none',
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 })}.`,
    ],
    ['HS256 signed with the RSA public key', await hs256WithPublicKey(current)],
    ['wrong issuer', await sign(current, { iss: 'https://evil.example' })],
    ['wrong audience', await sign(current, { aud: 'another-api' })],
    ['missing exp', await sign(current, { exp: 0 })],
    ['unknown kid', await sign(stranger)],
    // Only a non-empty string of at most 255 characters that PostgreSQL can store exactly is a subject.
    ['sub: an array', await sign(current, { sub: ['victim-a', 'victim-b'] })],
    ['sub: a number', await sign(current, { sub: 42 })],
    ['sub: an object', await sign(current, { sub: { id: 'victim-a' } })],
    ['sub: a boolean', await sign(current, { sub: true })],
    ['sub: null', await sign(current, { sub: null })],
    ['sub: empty', await sign(current, { sub: '' })],
    ['sub: NUL', await sign(current, { sub: 'victim\u0000a' })],
    ['sub: a lone surrogate', await sign(current, { sub: 'victim-\ud800' })],
    ['sub: too long', await sign(current, { sub: 'u'.repeat(256) })],
    // At most JWT_MAX_TOKEN_AGE_SECONDS (24 h) from its issue, or from now when it has no `iat`.
    ['exp 100 years ahead', await sign(current, { exp: now() + 100 * YEAR })],
    ['exp 100 years ahead, no iat', await sign(current, { exp: now() + 100 * YEAR, iat: null })],
    ['issued 25 h before it expires', await sign(current, { iat: now() - 3600, exp: now() + 24 * 3600 })],
    ['issued in the future', await sign(current, { iat: now() + 100 * YEAR, exp: now() + 100 * YEAR + 600 })],
  ];
}

async function isUnauthenticated(response: Response): Promise<boolean> {
  const body = (await response.json().catch(() => ({}))) as { errors?: Array<{ extensions?: { code?: string } }> };
  return response.status === 401 && body.errors?.[0]?.extensions?.code === 'UNAUTHENTICATED';
}

/** The same token over HTTP, SSE in distinct-connections mode, and each request of single-connection mode. */
async function refusedEverywhere(url: string, token: string | null): Promise<string[]> {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const subscription = JSON.stringify({ query: 'subscription { notificationAdded { id } }' });
  const failures: string[] = [];
  const check = async (name: string, response: Promise<Response>) => {
    if (!(await isUnauthenticated(await response))) failures.push(name);
  };
  await check(
    'http',
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ unreadCount { count } }' }),
    }),
  );
  await check(
    'sse distinct',
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: subscription,
    }),
  );
  await check('sse single: reserve', fetch(`${url}/graphql/stream`, { method: 'PUT', headers: auth }));
  await check(
    'sse single: stream',
    fetch(`${url}/graphql/stream`, {
      headers: { ...auth, accept: 'text/event-stream', 'x-graphql-event-stream-token': 'x' },
    }),
  );
  await check(
    'sse single: operation',
    fetch(`${url}/graphql/stream`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'x-graphql-event-stream-token': 'x' },
      body: subscription,
    }),
  );
  for (const mode of ['distinct', 'single'] as const) {
    const stream = subscribe(url, NotificationAddedDocument, {}, { token, mode });
    const error = await stream.ended;
    if (!/401/.test(String(error))) failures.push(`graphql-sse client (${mode})`);
    await stream.dispose();
  }
  return failures;
}

describe('JWT edge cases', () => {
  it('should refuse every bad token with 401 UNAUTHENTICATED over HTTP and both SSE modes, before any stream opens', async () => {
    const cases = await badTokens();
    const refused: string[] = [];
    const failures: Record<string, string[]> = {};
    for (const [name, token] of cases) {
      const failed = await refusedEverywhere(server.url, token);
      if (failed.length === 0) refused.push(name);
      else failures[name] = failed;
    }
    expect(server.app.services.liveStreams.size).toBe(0);
    console.log(`jwt: ${refused.length}/${cases.length} rejected (HTTP, SSE distinct, SSE single, graphql-sse client)`);
    expect(failures).toEqual({});
  });

  it('should say which of missing, malformed, expired, wrongly signed or unaccepted claims it was, and nothing more', async () => {
    const reasons: Record<string, string> = {};
    const shapes = new Set<string>();
    for (const [name, token] of await badTokens()) {
      const response = await execute(server.url, UnreadCountDocument, {}, { token });
      const [error] = response.body.errors ?? [];
      reasons[name] = `${response.status} ${error?.extensions?.code} ${error?.extensions?.reason}`;
      shapes.add(JSON.stringify(Object.keys(error?.extensions ?? {})));
    }
    const claims = '401 UNAUTHENTICATED CLAIMS_REJECTED';
    expect(reasons).toEqual({
      'no token': '401 UNAUTHENTICATED MISSING',
      malformed: '401 UNAUTHENTICATED MALFORMED',
      expired: '401 UNAUTHENTICATED EXPIRED',
      'not yet valid (nbf)': claims,
      'alg none': '401 UNAUTHENTICATED BAD_SIGNATURE',
      'HS256 signed with the RSA public key': '401 UNAUTHENTICATED BAD_SIGNATURE',
      'wrong issuer': claims,
      'wrong audience': claims,
      'missing exp': claims,
      'unknown kid': '401 UNAUTHENTICATED BAD_SIGNATURE',
      'sub: an array': claims,
      'sub: a number': claims,
      'sub: an object': claims,
      'sub: a boolean': claims,
      'sub: null': claims,
      'sub: empty': claims,
      'sub: NUL': claims,
      'sub: a lone surrogate': claims,
      'sub: too long': claims,
      'exp 100 years ahead': claims,
      'exp 100 years ahead, no iat': claims,
      'issued 25 h before it expires': claims,
      'issued in the future': claims,
    });
    // Only the code and the reason: not which claim, key or issuer was expected.
    expect([...shapes]).toEqual(['["code","reason"]']);
  });

  it('should accept good tokens of both kinds, so the refusals above are the tokens and not the setup', async () => {
    const good = await execute(server.url, UnreadCountDocument, {}, { token: await sign(current) });
    expect(expectData(good).unreadCount.count).toBe(0);
    const hs256 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('jwt-user')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(now() + 600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expectData(await execute(server.url, UnreadCountDocument, {}, { token: hs256 }));
    // Right at the limits: a subject of 255 characters, a token that lives 24 h, one with no `iat`.
    for (const claims of [
      { sub: 'u'.repeat(255) },
      { exp: now() + 24 * 3600 },
      { exp: now() + 3600, iat: null },
      { sub: 'ünïcode-✓-𝄞' },
    ]) {
      const response = await execute(server.url, UnreadCountDocument, {}, { token: await sign(current, claims) });
      expect(response.status, JSON.stringify(claims)).toBe(200);
    }
  });

  it('should let a service token live longer than a user token may', async () => {
    const service = await sign(current, { sub: `service-${now()}`, roles: ['service'], exp: now() + 30 * 86_400 });
    expect((await execute(server.url, UnreadCountDocument, {}, { token: service })).status).toBe(200);
  });

  it('should refuse HS256 altogether when only a JWKS is configured (no algorithm confusion)', async () => {
    const confused = await hs256WithPublicKey(current);
    // Also as the raw bytes of the key's DER encoding, another common shape of the same attack.
    const der = createPublicKey(current.publicPem).export({ type: 'spki', format: 'der' });
    const confusedDer = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: current.kid })
      .setSubject('mallory')
      .setExpirationTime(now() + 600)
      .sign(new Uint8Array(der));
    for (const token of [confused, confusedDer]) {
      expect(await refusedEverywhere(jwksOnly.url, token)).toEqual([]);
    }
    expectData(await execute(jwksOnly.url, UnreadCountDocument, {}, { token: await sign(current) }));
  });
});

describe('JWKS', () => {
  it('should cache the keys, accept a rotated key, and refetch at most once per cooldown', async () => {
    // A server of its own, so that the fetch counts are this test's alone.
    const keys = await startJwksServer([current.jwk]);
    const isolated = await startTestServer({
      env: { JWT_JWKS_URL: keys.url, JWT_SECRET: undefined, JWT_JWKS_COOLDOWN_MS: `${COOLDOWN_MS}` },
    });
    const status = async (token: string) => (await execute(isolated.url, UnreadCountDocument, {}, { token })).status;
    try {
      const token = await sign(current);
      const statuses = await Promise.all(Array.from({ length: 50 }, () => status(token)));
      expect(new Set(statuses)).toEqual(new Set([200]));
      const cachedFetches = keys.fetches;
      expect(cachedFetches).toBe(1);

      // 200 tokens with made-up kids, all at once: at most one refetch per cooldown, however many come.
      const unknown = await Promise.all(Array.from({ length: 200 }, () => sign(stranger)));
      const floodStarted = Date.now();
      const refused = await Promise.all(unknown.map(status));
      const floodMs = Date.now() - floodStarted;
      expect(new Set(refused)).toEqual(new Set([401]));
      const floodFetches = keys.fetches - cachedFetches;
      expect(floodFetches).toBeLessThanOrEqual(Math.ceil(floodMs / COOLDOWN_MS));

      // The issuer rotates: it publishes the new key, and signs with it.
      keys.setKeys([current.jwk, rotated.jwk]);
      await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 100));
      const fresh = await sign(rotated);
      expect(await status(fresh)).toBe(200);
      expect(await status(fresh)).toBe(200);
      expect(await status(token)).toBe(200);
      console.log(
        `jwks: 50 requests on 1 fetch; 200 unknown kids refused in ${floodMs} ms with ${floodFetches} refetch ` +
          `(cooldown ${COOLDOWN_MS} ms); ` +
          `rotated key accepted after ${keys.fetches - cachedFetches - floodFetches} refetch; ${keys.fetches} fetches in all`,
      );
      expect(keys.fetches - cachedFetches - floodFetches).toBe(1);
    } finally {
      await isolated.stop();
      await keys.close();
    }
  });
});
