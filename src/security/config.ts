// The abuse limits' part of the configuration: one zod model, merged into the environment that
// src/config.ts validates (still the only reader of the environment).
import { z } from 'zod';

const count = (fallback: number, max = 1_000_000_000) => z.coerce.number().int().min(0).max(max).default(fallback);
const positive = (fallback: number, max = 1_000_000_000) => z.coerce.number().int().min(1).max(max).default(fallback);

/** An origin as browsers send it: scheme, host and port, nothing else. */
const ORIGIN = /^https?:\/\/[^/\s?#]+$/;

export const securityEnvironment = z.object({
  GRAPHQL_MAX_DEPTH: positive(6, 100),
  GRAPHQL_MAX_ALIASES: positive(15),
  GRAPHQL_MAX_DIRECTIVES: positive(50),
  GRAPHQL_MAX_TOKENS: positive(1000),
  // A full page of 100 notifications with every field costs 7,588: it fits, and two of them do not.
  GRAPHQL_MAX_COST: positive(10_000),
  GRAPHQL_MAX_CHARACTERS: positive(15_000),
  // Room for a producer's bulk call (10,000 recipients), while no client can stream megabytes at us.
  REQUEST_MAX_BYTES: positive(1024 * 1024, 100 * 1024 * 1024),

  CORS_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.union([z.literal('*'), z.string().regex(ORIGIN, 'must be "*" or origins like https://app.example.com')]),
      ),
    )
    .optional(),
  INTROSPECTION: z.stringbool().optional(),
  PERSISTED_OPERATIONS: z.enum(['off', 'allow', 'only']).default('off'),
  PERSISTED_OPERATIONS_MANIFEST: z.string().trim().min(1).optional(),

  RATE_LIMIT_WINDOW_SECONDS: positive(60, 86_400),
  RATE_LIMIT_USER_REQUESTS: count(600),
  RATE_LIMIT_OPERATION_REQUESTS: count(300),
  RATE_LIMIT_SERVICE_REQUESTS: count(60_000),
  // 15 operations at the cost limit, or some 160 pages of 20 notifications with every field, a window.
  RATE_LIMIT_USER_COST: count(150_000),
  STREAMS_PER_USER: count(10),
  STREAM_LEASE_TTL_MS: positive(30_000, 3_600_000),
  // A day: a user's client renews its token at least that often, so a leaked token is good for a day at most.
  JWT_MAX_TOKEN_AGE_SECONDS: positive(86_400, 10 * 365 * 86_400),
  // graphql-sse's client opens the stream right after reserving it; half a minute is room for a slow network
  // or a busy server (200 clients connecting at once to an instance on a loaded machine took over 10 s).
  STREAM_RESERVATION_TTL_MS: positive(30_000, 3_600_000),
});

type SecurityEnvironment = z.infer<typeof securityEnvironment>;

export type PersistedOperationsMode = SecurityEnvironment['PERSISTED_OPERATIONS'];

export interface SecurityConfig {
  /** Operations beyond any of these are refused before they execute (GraphQL Armor). */
  operationLimits: {
    depth: number;
    aliases: number;
    directives: number;
    tokens: number;
    cost: number;
    characters: number;
  };
  /** Larger request bodies get 413. */
  maxRequestBytes: number;
  /** Origins browsers may call from; '*' for any; 'localhost' for any port of this machine. */
  corsOrigins: readonly string[] | 'localhost';
  introspection: boolean;
  persistedOperations: { mode: PersistedOperationsMode; manifest: string | undefined };
  /**
   * Requests per window, and `cost`: the operation cost (src/limits/operation-cost.ts) a user may spend
   * per window; 0 turns a limit off.
   */
  rateLimits: { windowSeconds: number; user: number; operation: number; service: number; cost: number };
  /** Open streams per user across every instance; 0 for no cap. */
  streams: { perUser: number; leaseTtlMs: number; reservationTtlMs: number };
  /** The longest a user token may be good for, from its `iat` (or from now without one); services are exempt. */
  maxUserTokenAgeSeconds: number;
}

/** The security settings from the validated environment; problems are returned, not thrown. */
export function securityConfig(
  e: SecurityEnvironment,
  production: boolean,
): { config: SecurityConfig; problems: string[] } {
  const problems: string[] = [];
  if (e.PERSISTED_OPERATIONS !== 'off' && !e.PERSISTED_OPERATIONS_MANIFEST) {
    problems.push(`PERSISTED_OPERATIONS_MANIFEST is required when PERSISTED_OPERATIONS is ${e.PERSISTED_OPERATIONS}`);
  }
  return {
    problems,
    config: {
      operationLimits: {
        depth: e.GRAPHQL_MAX_DEPTH,
        aliases: e.GRAPHQL_MAX_ALIASES,
        directives: e.GRAPHQL_MAX_DIRECTIVES,
        tokens: e.GRAPHQL_MAX_TOKENS,
        cost: e.GRAPHQL_MAX_COST,
        characters: e.GRAPHQL_MAX_CHARACTERS,
      },
      maxRequestBytes: e.REQUEST_MAX_BYTES,
      // Production allows no browser origin until told which; development allows the developer's own machine.
      corsOrigins: e.CORS_ORIGINS ?? (production ? [] : 'localhost'),
      introspection: e.INTROSPECTION ?? !production,
      persistedOperations: { mode: e.PERSISTED_OPERATIONS, manifest: e.PERSISTED_OPERATIONS_MANIFEST },
      rateLimits: {
        windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
        user: e.RATE_LIMIT_USER_REQUESTS,
        operation: e.RATE_LIMIT_OPERATION_REQUESTS,
        service: e.RATE_LIMIT_SERVICE_REQUESTS,
        cost: e.RATE_LIMIT_USER_COST,
      },
      maxUserTokenAgeSeconds: e.JWT_MAX_TOKEN_AGE_SECONDS,
      streams: {
        perUser: e.STREAMS_PER_USER,
        leaseTtlMs: e.STREAM_LEASE_TTL_MS,
        reservationTtlMs: e.STREAM_RESERVATION_TTL_MS,
      },
    },
  };
}
