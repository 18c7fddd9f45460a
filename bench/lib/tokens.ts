// HS256 tokens as src/auth.ts verifies them, signed synchronously: the load scripts need thousands at once.
import { createHmac } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export function signBenchToken(secret: string, sub: string, roles: string[] = [], ttlSeconds = 6 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = Buffer.from(JSON.stringify({ roles, sub, iat: now, exp: now + ttlSeconds })).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/** The subject of a token this file signed, after checking its signature and expiry; undefined otherwise. */
export function verifyBenchToken(secret: string, authorization: string | undefined): string | undefined {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
  const [header, payload, signature] = token?.split('.') ?? [];
  if (!header || !payload || !signature) return undefined;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  if (expected !== signature) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub?: string; exp?: number };
  if (!claims.exp || claims.exp * 1000 < Date.now()) return undefined;
  return claims.sub;
}

export const userIdOf = (index: number) => `user-${index}`;
export const DEEP_USER = 'user-deep';
