// A real Web Push service on a free port, as browsers' push services behave (RFC 8030): https with a
// self-signed certificate made by openssl at start (the server under test trusts it through `agent`, or
// NODE_EXTRA_CA_CERTS=`caFile` for a process), the VAPID JWT of each request checked (RFC 8292: ES256 signed
// by the key in `k=`, audience this origin, expiry within 24 h, a contact subject), and the aes128gcm payload
// decrypted with the subscription's private key (RFC 8291) through http_ece. Each subscription answers 201
// unless the test queued other answers for it (429 with Retry-After, 410, 500…).
import { execFile } from 'node:child_process';
import { createECDH, type ECDH, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { Agent, createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ece from 'http_ece';
import { decodeJwt, importJWK, jwtVerify } from 'jose';

export interface TestPushSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  endpoint: string;
  /** The decrypted payload, parsed as JSON. */
  payload: Record<string, unknown>;
  ttl: number;
  urgency: string | undefined;
  topic: string | undefined;
  /** The VAPID JWT's claims, once verified. */
  vapid: { aud: string; sub: string; exp: number; publicKey: string };
  at: number;
}

export interface Answer {
  status: number;
  /** Sent as Retry-After (seconds). */
  retryAfter?: number;
  /** Hold the request this long before answering (a slow push service). */
  delayMs?: number;
}

export interface TestPushReceiver {
  origin: string;
  /** The self-signed certificate, PEM: NODE_EXTRA_CA_CERTS for a server process. */
  caFile: string;
  /** An agent that trusts the certificate, for a server in the test's process. */
  agent: Agent;
  received: ReceivedPush[];
  /** Every request refused, and why (bad VAPID, undecryptable payload, unknown subscription). */
  problems: string[];
  /** Every request, with what was answered, in order. */
  attempts: Array<{ endpoint: string; status: number; at: number }>;
  /** A new device's subscription, as PushManager.subscribe gives it. */
  newSubscription(): TestPushSubscription;
  /** The answers this subscription gives next, one per request; then 201 again. */
  answer(endpoint: string, ...answers: Answer[]): void;
  /** What reached this subscription. */
  to(endpoint: string): ReceivedPush[];
  close(): Promise<void>;
}

const run = promisify(execFile);

async function selfSignedCertificate(dir: string) {
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost',
  ]);
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8'), certFile: cert };
}

/** The claims of a valid VAPID Authorization header for `audience`; throws why it is not. */
async function verifyVapid(authorization: string | undefined, audience: string) {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+),\s*k=([\w-]+)$/.exec(authorization ?? '');
  if (!match) throw new Error(`no VAPID authorization: ${authorization}`);
  const [, token, publicKey] = match as unknown as [string, string, string];
  const raw = Buffer.from(publicKey, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k= is not an uncompressed P-256 point');
  const key = await importJWK(
    {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    'ES256',
  );
  const { payload } = await jwtVerify(token, key, { audience, algorithms: ['ES256'] });
  const { exp, sub } = decodeJwt(token);
  if (!exp || exp > Date.now() / 1000 + 24 * 3600) throw new Error('exp is missing or more than 24 h away');
  if (typeof sub !== 'string' || !/^(mailto:|https:)/.test(sub)) throw new Error(`sub is not a contact: ${sub}`);
  return { aud: payload.aud as string, sub, exp, publicKey };
}

export async function startPushReceiver(): Promise<TestPushReceiver> {
  const dir = await mkdtemp(path.join(tmpdir(), 'push-receiver-'));
  const { key, cert, certFile } = await selfSignedCertificate(dir);
  const devices = new Map<string, { ecdh: ECDH; auth: Buffer }>();
  const queued = new Map<string, Answer[]>();
  const received: ReceivedPush[] = [];
  const problems: string[] = [];
  const attempts: TestPushReceiver['attempts'] = [];
  let origin = '';

  const server: Server = createServer({ key, cert }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const endpoint = `${origin}${request.url}`;
      const answer = (status: number, headers: Record<string, string> = {}) => {
        attempts.push({ endpoint, status, at: Date.now() });
        response.writeHead(status, headers).end();
      };
      const device = devices.get(endpoint);
      if (request.method !== 'POST' || !device) {
        problems.push(`${request.method} to an unknown subscription ${request.url}`);
        return answer(404);
      }
      let vapid: ReceivedPush['vapid'];
      try {
        vapid = await verifyVapid(request.headers.authorization, origin);
      } catch (error) {
        problems.push(`VAPID: ${(error as Error).message}`);
        return answer(401);
      }
      const next = queued.get(endpoint)?.shift();
      if (next?.delayMs) await new Promise((resolve) => setTimeout(resolve, next.delayMs));
      if (next && next.status !== 201) {
        return answer(next.status, next.retryAfter === undefined ? {} : { 'retry-after': String(next.retryAfter) });
      }
      let payload: Record<string, unknown>;
      try {
        if (request.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
        const plain = ece.decrypt(Buffer.concat(chunks), {
          version: 'aes128gcm',
          privateKey: device.ecdh,
          authSecret: device.auth.toString('base64url'),
        });
        payload = JSON.parse(plain.toString('utf8'));
      } catch (error) {
        problems.push(`payload: ${(error as Error).message}`);
        return answer(400);
      }
      received.push({
        endpoint,
        payload,
        ttl: Number(request.headers.ttl),
        urgency: request.headers.urgency as string | undefined,
        topic: request.headers.topic as string | undefined,
        vapid,
        at: Date.now(),
      });
      answer(201, { location: `${endpoint}/messages/${randomUUID()}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ ca: cert, keepAlive: true });

  return {
    origin,
    caFile: certFile,
    agent,
    received,
    problems,
    attempts,
    newSubscription() {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const endpoint = `${origin}/push/${randomUUID()}`;
      devices.set(endpoint, { ecdh, auth });
      return {
        endpoint,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    answer(endpoint, ...answers) {
      queued.set(endpoint, [...(queued.get(endpoint) ?? []), ...answers]);
    },
    to: (endpoint) => received.filter((push) => push.endpoint === endpoint),
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
