// The only reader of the environment: every setting is validated here once, at start.
import { z } from 'zod';
import { type SecurityConfig, securityConfig, securityEnvironment } from './security/config.js';

const optionalString = z
  .string()
  .trim()
  .transform((value) => value || undefined)
  .optional();

const postgresUrl = z
  .string()
  .trim()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL');

const redisUrl = z
  .string()
  .trim()
  .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL');

const environment = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  EMBEDDED_POSTGRES_DIR: z.string().trim().min(1).default('.data/postgres'),

  REDIS_URL: redisUrl.optional(),
  REDIS_KEY_PREFIX: z.string().default('notifications:'),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 needs 256 bits)').optional(),
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  JWT_JWKS_CACHE_MAX_AGE_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  JWT_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),

  GRAPHIQL: z.stringbool().optional(),
  CHANGE_LOG_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(30),
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).max(300_000).default(10_000),
  ...securityEnvironment.shape,
});

export type Environment = z.infer<typeof environment>;

export interface Config {
  env: Environment['NODE_ENV'];
  host: string;
  port: number;
  logLevel: Environment['LOG_LEVEL'];
  database: { url: string | undefined; poolSize: number; embeddedDir: string };
  redis: { url: string | undefined; keyPrefix: string };
  jwt: {
    secret: string | undefined;
    jwksUrl: string | undefined;
    issuer: string | undefined;
    audience: string | undefined;
    /** How long fetched JWKS keys are trusted without a refetch. */
    jwksCacheMaxAgeMs: number;
    /** At most one JWKS refetch (for an unknown `kid`) per this interval. */
    jwksCooldownMs: number;
  };
  graphiql: boolean;
  /** A quiet SSE stream gets a keep-alive comment this often. */
  sseHeartbeatMs: number;
  /** How long the change log keeps each change: how far back streams can resume. */
  changeLogRetentionDays: number;
  /** Abuse limits: operation limits, CORS, introspection, trusted documents, rate limits, stream caps. */
  security: SecurityConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and checks every setting; throws one ConfigError that names every bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset", as it does for most twelve-factor apps.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET && !e.JWT_JWKS_URL) {
    throw new ConfigError('invalid configuration: JWT_SECRET or JWT_JWKS_URL is required in production');
  }
  const security = securityConfig(e, e.NODE_ENV === 'production');
  if (security.problems.length > 0) throw new ConfigError(`invalid configuration: ${security.problems.join('; ')}`);
  return {
    env: e.NODE_ENV,
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE, embeddedDir: e.EMBEDDED_POSTGRES_DIR },
    redis: { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX },
    jwt: {
      secret: e.JWT_SECRET,
      jwksUrl: e.JWT_JWKS_URL,
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      jwksCacheMaxAgeMs: e.JWT_JWKS_CACHE_MAX_AGE_MS,
      jwksCooldownMs: e.JWT_JWKS_COOLDOWN_MS,
    },
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    sseHeartbeatMs: e.SSE_HEARTBEAT_MS,
    changeLogRetentionDays: e.CHANGE_LOG_RETENTION_DAYS,
    security: security.config,
  };
}
