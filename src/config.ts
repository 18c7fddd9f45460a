// The only reader of the environment: every setting is validated here once, at start.
import { z } from 'zod';
import { type DeliveryConfig, deliveryConfig, deliveryEnvironment, vapidProblems } from './delivery/config.js';
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

const jwtSecret = z.string().min(32, 'must be at least 32 characters (HS256 needs 256 bits)');
/** Where development keeps the secret it makes when no key is configured (see src/dev/dev-secret.ts). */
const devSecretFile = z.string().trim().min(1).default('.data/dev-jwt-secret');

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

  JWT_SECRET: jwtSecret.optional(),
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
  DEV_JWT_SECRET_FILE: devSecretFile,
  JWT_JWKS_CACHE_MAX_AGE_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
  JWT_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),

  GRAPHIQL: z.stringbool().optional(),
  DEMO: z.stringbool().optional(),
  RATE_LIMIT_PER_RECIPIENT_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(100),
  RETENTION_ARCHIVE_AFTER_DAYS: z.coerce.number().min(0).max(3650).default(30),
  RETENTION_MAX_PER_USER: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).default(3_600_000),
  CHANGE_LOG_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(30),
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).max(300_000).default(10_000),
  READY_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  GRAPHQL_COMPILE_AFTER: z.coerce.number().int().min(0).max(1_000_000).default(3),
  COMPILED_READS: z.stringbool().default(true),
  COMPILED_STREAMS: z.stringbool().default(true),
  COMPILED_CREATES: z.stringbool().default(true),

  // The event stream intake (src/intake/): on by default whenever Redis is configured.
  INTAKE: z.stringbool().optional(),
  INTAKE_STREAM: z.string().trim().min(1).optional(),
  INTAKE_DEAD_LETTER_STREAM: z.string().trim().min(1).optional(),
  INTAKE_GROUP: z.string().trim().min(1).default('notification-service'),
  INTAKE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  INTAKE_BACKOFF_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  INTAKE_BACKOFF_MAX_MS: z.coerce.number().int().min(10).max(86_400_000).default(60_000),
  INTAKE_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(20),
  INTAKE_BLOCK_MS: z.coerce.number().int().min(10).max(60_000).default(5000),
  ...securityEnvironment.shape,
  ...deliveryEnvironment.shape,
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
    /** In development with neither secret nor JWKS URL, the secret kept here signs and verifies tokens. */
    devSecretFile: string;
    /** How long fetched JWKS keys are trusted without a refetch. */
    jwksCacheMaxAgeMs: number;
    /** At most one JWKS refetch (for an unknown `kid`) per this interval. */
    jwksCooldownMs: number;
  };
  graphiql: boolean;
  /** Serve the demo inbox page (client/demo/) at /demo. */
  demo: boolean;
  /** A quiet SSE stream gets a keep-alive comment this often. */
  sseHeartbeatMs: number;
  /** How long /ready and the dependency gauges wait for PostgreSQL and Redis to answer. */
  readyTimeoutMs: number;
  /** Runs of a document before its queries and mutations run compiled (src/http/compiled-execution.ts); 0: never. */
  compileAfter: number;
  /** Inbox pages and counts of known documents answered by one SQL statement outside Yoga (src/compiled-reads/). */
  compiledReads: boolean;
  /** Subscriptions of known documents over SSE opened outside Yoga, straight into the socket (src/compiled-streams/). */
  compiledStreams: boolean;
  /** A service's createNotification of a known document run outside Yoga's pipeline (src/compiled-creates/). */
  compiledCreates: boolean;
  /** How long the change log keeps each change: how far back streams can resume. */
  changeLogRetentionDays: number;
  /** How many notifications one recipient may get per hour (critical ones aside). */
  recipientRateLimitPerHour: number;
  retention: { archiveAfterDays: number; maxPerUser: number; intervalMs: number };
  intake: IntakeConfig;
  /** Abuse limits: operation limits, CORS, introspection, trusted documents, rate limits, stream caps. */
  security: SecurityConfig;
  /** Channels outside the app (email, push) and their queue. */
  delivery: DeliveryConfig;
}

/** The consumer of the Redis Stream that producers XADD events to. */
export interface IntakeConfig {
  enabled: boolean;
  stream: string;
  /** Where events that cannot be published go, with the reason. */
  deadLetterStream: string;
  /** The consumer group every instance joins. */
  group: string;
  /** Deliveries of one event before it goes to the dead-letter stream. */
  maxAttempts: number;
  /** The wait before the second delivery; it doubles with each further one, up to backoffMaxMs. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Entries read at once. */
  batchSize: number;
  /** How long one read waits for new entries (at most backoffBaseMs, so that retries keep their schedule). */
  blockMs: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Checks `env` against `schema`; throws one ConfigError that names every bad value. */
function parseEnvironment<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.infer<T> {
  // An empty variable means "unset", as it does for most twelve-factor apps.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Reads and checks every setting; throws one ConfigError that names every bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const e = parseEnvironment(environment, env);
  if (e.NODE_ENV === 'production' && !e.JWT_SECRET && !e.JWT_JWKS_URL) {
    throw new ConfigError('invalid configuration: JWT_SECRET or JWT_JWKS_URL is required in production');
  }
  if (e.INTAKE && !e.REDIS_URL) throw new ConfigError('invalid configuration: INTAKE needs REDIS_URL');
  if (e.DELIVERY_DEAD_AFTER_MS < 2 * e.DELIVERY_HEARTBEAT_MS) {
    throw new ConfigError('invalid configuration: DELIVERY_DEAD_AFTER_MS must be at least twice DELIVERY_HEARTBEAT_MS');
  }
  if (e.DEV_OUTBOX && e.NODE_ENV === 'production') {
    throw new ConfigError('invalid configuration: DEV_OUTBOX is development tooling, not for production');
  }
  if (e.DEV_OUTBOX && e.SMTP_URL) {
    throw new ConfigError('invalid configuration: DEV_OUTBOX catches the email SMTP_URL would send: set one of them');
  }
  if (e.INTAKE_BACKOFF_MAX_MS < e.INTAKE_BACKOFF_BASE_MS) {
    throw new ConfigError('invalid configuration: INTAKE_BACKOFF_MAX_MS must be at least INTAKE_BACKOFF_BASE_MS');
  }
  const intakeStream = e.INTAKE_STREAM ?? `${e.REDIS_KEY_PREFIX}events`;
  const security = securityConfig(e, e.NODE_ENV === 'production');
  const problems = [...security.problems, ...vapidProblems(e)];
  if (problems.length > 0) throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
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
      devSecretFile: e.DEV_JWT_SECRET_FILE,
      jwksCacheMaxAgeMs: e.JWT_JWKS_CACHE_MAX_AGE_MS,
      jwksCooldownMs: e.JWT_JWKS_COOLDOWN_MS,
    },
    graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
    demo: e.DEMO ?? e.NODE_ENV === 'development',
    sseHeartbeatMs: e.SSE_HEARTBEAT_MS,
    readyTimeoutMs: e.READY_TIMEOUT_MS,
    compileAfter: e.GRAPHQL_COMPILE_AFTER,
    compiledReads: e.COMPILED_READS,
    compiledStreams: e.COMPILED_STREAMS,
    compiledCreates: e.COMPILED_CREATES,
    changeLogRetentionDays: e.CHANGE_LOG_RETENTION_DAYS,
    recipientRateLimitPerHour: e.RATE_LIMIT_PER_RECIPIENT_PER_HOUR,
    retention: {
      archiveAfterDays: e.RETENTION_ARCHIVE_AFTER_DAYS,
      maxPerUser: e.RETENTION_MAX_PER_USER,
      intervalMs: e.RETENTION_INTERVAL_MS,
    },
    intake: {
      enabled: (e.INTAKE ?? true) && e.REDIS_URL !== undefined,
      stream: intakeStream,
      deadLetterStream: e.INTAKE_DEAD_LETTER_STREAM ?? `${intakeStream}:dead`,
      group: e.INTAKE_GROUP,
      maxAttempts: e.INTAKE_MAX_ATTEMPTS,
      backoffBaseMs: e.INTAKE_BACKOFF_BASE_MS,
      backoffMaxMs: e.INTAKE_BACKOFF_MAX_MS,
      batchSize: e.INTAKE_BATCH_SIZE,
      blockMs: e.INTAKE_BLOCK_MS,
    },
    security: security.config,
    delivery: deliveryConfig(e, e.PORT, e.NODE_ENV),
  };
}

const cliEnvironment = z.object({
  API_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:4000'),
  JWT_SECRET: jwtSecret.optional(),
  DEV_JWT_SECRET_FILE: devSecretFile,
  JWT_ISSUER: optionalString,
  JWT_AUDIENCE: optionalString,
});

/** The name of every environment variable the server or the CLI reads. */
export function settingNames(): string[] {
  return [...new Set([...Object.keys(environment.shape), ...Object.keys(cliEnvironment.shape)])];
}

/** What `npm run notify` needs: where the server is, and how to sign a service token it accepts. */
export interface CliConfig {
  apiUrl: string;
  jwt: Pick<Config['jwt'], 'secret' | 'issuer' | 'audience' | 'devSecretFile'>;
}

/** The CLI's settings, checked like the server's; throws one ConfigError naming every bad value. */
export function loadCliConfig(env: Record<string, string | undefined> = process.env): CliConfig {
  const e = parseEnvironment(cliEnvironment, env);
  return {
    apiUrl: e.API_URL.replace(/\/+$/, ''),
    jwt: { secret: e.JWT_SECRET, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, devSecretFile: e.DEV_JWT_SECRET_FILE },
  };
}
