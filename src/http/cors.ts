// CORS from an allow-list: a browser on an allowed origin gets that origin back (never a wildcard);
// any other origin gets no CORS headers at all, so the browser keeps the response from its page.
// No credentials: the API authenticates with a bearer token, never a cookie.
import type { YogaServerOptions } from 'graphql-yoga';
import type { SecurityConfig } from '../security/config.js';
import { CSRF_HEADER } from './csrf.js';

type CorsOption = NonNullable<YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors']>;

const LOCALHOST = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export function isAllowedOrigin(origin: string, allowed: SecurityConfig['corsOrigins']): boolean {
  if (allowed === 'localhost') return LOCALHOST.test(origin);
  return allowed.includes('*') || allowed.includes(origin);
}

export function corsFor(allowed: SecurityConfig['corsOrigins']): CorsOption {
  return (request) => {
    const origin = request.headers.get('origin');
    if (!origin || !isAllowedOrigin(origin, allowed)) return false;
    return {
      origin: [origin],
      credentials: false,
      methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'accept',
        'x-request-id',
        'x-graphql-event-stream-token',
        CSRF_HEADER,
      ],
      exposedHeaders: ['x-request-id', 'retry-after'],
      maxAge: 600,
    };
  };
}
