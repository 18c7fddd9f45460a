import { describe, expect, it } from 'vitest';
import { ConfigError, loadCliConfig, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('should run on embedded defaults with nothing set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 4000,
      database: { url: undefined, embeddedDir: '.data/postgres' },
      redis: { url: undefined },
      graphiql: true,
      demo: true,
    });
  });

  it('should treat empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', REDIS_URL: '', PORT: '' }).port).toBe(4000);
  });

  it('should name every bad value in one message', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://nope', REDIS_URL: 'localhost:6379', JWT_SECRET: 'short' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT.*DATABASE_URL.*REDIS_URL.*JWT_SECRET/);
  });

  it('should demand a key in production, and turn GraphiQL off there unless asked', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET or JWT_JWKS_URL/);
    const secret = 'x'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).graphiql).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, GRAPHIQL: 'true' }).graphiql).toBe(true);
  });

  it('should serve the demo page in development only, unless told', () => {
    const secret = 'x'.repeat(32);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).demo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', DEMO: 'true' }).demo).toBe(true);
    expect(loadConfig({ DEMO: 'false' }).demo).toBe(false);
    expect(() => loadConfig({ DEMO: 'sometimes' })).toThrow(/DEMO/);
  });
});

describe('the push settings', () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };
  const keys = {
    VAPID_PUBLIC_KEY: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url'),
    VAPID_PRIVATE_KEY: Buffer.alloc(32, 9).toString('base64url'),
  };

  it('should leave push off in production without VAPID keys, and turn it on with keys and a subject', () => {
    expect(loadConfig(production).delivery.push).toBeUndefined();
    const push = loadConfig({ ...production, ...keys, VAPID_SUBJECT: 'mailto:ops@example.com' }).delivery.push;
    expect(push).toEqual({
      vapid: {
        publicKey: keys.VAPID_PUBLIC_KEY,
        privateKey: keys.VAPID_PRIVATE_KEY,
        subject: 'mailto:ops@example.com',
      },
      timeoutMs: 10_000,
    });
  });

  it('should refuse half a key pair, keys of the wrong size, keys without a subject, and a subject that is no contact', () => {
    expect(() => loadConfig({ ...production, VAPID_PUBLIC_KEY: keys.VAPID_PUBLIC_KEY })).toThrow(
      /VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together/,
    );
    expect(() =>
      loadConfig({ ...production, ...keys, VAPID_PRIVATE_KEY: 'abc', VAPID_SUBJECT: 'mailto:ops@example.com' }),
    ).toThrow(/VAPID_PRIVATE_KEY must be 32 bytes/);
    expect(() => loadConfig({ ...production, ...keys })).toThrow(/VAPID_SUBJECT is required/);
    expect(() => loadConfig({ ...production, ...keys, VAPID_SUBJECT: 'ops@example.com' })).toThrow(/VAPID_SUBJECT/);
    expect(() => loadConfig({ ...production, ...keys, VAPID_PUBLIC_KEY: 'not base64!' })).toThrow(/VAPID_PUBLIC_KEY/);
  });
});

describe('the event intake settings', () => {
  it('should read the stream under the Redis prefix, on whenever Redis is configured', () => {
    expect(loadConfig({}).intake.enabled).toBe(false);
    const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: 'app:' });
    expect(config.intake).toEqual({
      enabled: true,
      stream: 'app:events',
      deadLetterStream: 'app:events:dead',
      group: 'notification-service',
      maxAttempts: 5,
      backoffBaseMs: 1000,
      backoffMaxMs: 60_000,
      batchSize: 20,
      blockMs: 5000,
    });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', INTAKE: 'off' }).intake.enabled).toBe(false);
  });

  it('should refuse an intake asked for without Redis, and nonsense numbers', () => {
    expect(() => loadConfig({ INTAKE: 'on' })).toThrow(/INTAKE needs REDIS_URL/);
    expect(() => loadConfig({ INTAKE_MAX_ATTEMPTS: '0', INTAKE_BATCH_SIZE: 'many' })).toThrow(
      /INTAKE_MAX_ATTEMPTS.*INTAKE_BATCH_SIZE/,
    );
    expect(() => loadConfig({ INTAKE_BACKOFF_BASE_MS: '5000', INTAKE_BACKOFF_MAX_MS: '1000' })).toThrow(
      /INTAKE_BACKOFF_MAX_MS/,
    );
  });
});

describe('loadCliConfig', () => {
  it('should find the server on this machine and the development secret where npm start keeps it', () => {
    expect(loadCliConfig({})).toEqual({
      apiUrl: 'http://127.0.0.1:4000',
      jwt: { secret: undefined, issuer: undefined, audience: undefined, devSecretFile: '.data/dev-jwt-secret' },
    });
    expect(loadCliConfig({ API_URL: 'https://api.example.com/' }).apiUrl).toBe('https://api.example.com');
    expect(() => loadCliConfig({ API_URL: 'localhost:4000', JWT_SECRET: 'short' })).toThrow(/API_URL.*JWT_SECRET/);
  });
});
