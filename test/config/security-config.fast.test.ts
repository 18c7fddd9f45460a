import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) };

describe('security settings', () => {
  it('should default to the anchor limits', () => {
    const { security, jwt } = loadConfig({});
    expect(security.operationLimits).toEqual({
      depth: 6,
      aliases: 15,
      directives: 50,
      tokens: 1000,
      cost: 10_000,
      characters: 15_000,
    });
    expect(security.maxRequestBytes).toBe(1_048_576);
    expect(security.rateLimits).toEqual({
      windowSeconds: 60,
      user: 600,
      operation: 300,
      service: 60_000,
      cost: 150_000,
    });
    expect(security.maxUserTokenAgeSeconds).toBe(86_400);
    expect(security.streams).toEqual({ perUser: 10, leaseTtlMs: 30_000, reservationTtlMs: 30_000 });
    expect(security.persistedOperations).toEqual({ mode: 'off', manifest: undefined });
    expect(jwt).toMatchObject({ jwksCacheMaxAgeMs: 600_000, jwksCooldownMs: 30_000 });
  });

  it('should allow localhost origins and introspection in development, and neither in production unless set', () => {
    expect(loadConfig({}).security).toMatchObject({ corsOrigins: 'localhost', introspection: true });
    expect(loadConfig(production).security).toMatchObject({ corsOrigins: [], introspection: false });
    expect(
      loadConfig({
        ...production,
        CORS_ORIGINS: 'https://app.example.com,https://b.example.com:8443',
        INTROSPECTION: 'true',
      }).security,
    ).toMatchObject({ corsOrigins: ['https://app.example.com', 'https://b.example.com:8443'], introspection: true });
    expect(loadConfig({ CORS_ORIGINS: '*' }).security.corsOrigins).toEqual(['*']);
  });

  it('should take every limit from the environment', () => {
    const { security } = loadConfig({
      GRAPHQL_MAX_DEPTH: '8',
      GRAPHQL_MAX_ALIASES: '5',
      GRAPHQL_MAX_DIRECTIVES: '10',
      GRAPHQL_MAX_TOKENS: '2000',
      GRAPHQL_MAX_COST: '100',
      GRAPHQL_MAX_CHARACTERS: '5000',
      REQUEST_MAX_BYTES: '1024',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      RATE_LIMIT_USER_REQUESTS: '0',
      RATE_LIMIT_OPERATION_REQUESTS: '7',
      RATE_LIMIT_SERVICE_REQUESTS: '9',
      STREAMS_PER_USER: '3',
      STREAM_LEASE_TTL_MS: '5000',
      STREAM_RESERVATION_TTL_MS: '2000',
      RATE_LIMIT_USER_COST: '1000',
      JWT_MAX_TOKEN_AGE_SECONDS: '600',
    });
    expect(security.operationLimits).toEqual({
      depth: 8,
      aliases: 5,
      directives: 10,
      tokens: 2000,
      cost: 100,
      characters: 5000,
    });
    expect(security.maxRequestBytes).toBe(1024);
    expect(security.rateLimits).toEqual({ windowSeconds: 10, user: 0, operation: 7, service: 9, cost: 1000 });
    expect(security.maxUserTokenAgeSeconds).toBe(600);
    expect(security.streams).toEqual({ perUser: 3, leaseTtlMs: 5000, reservationTtlMs: 2000 });
  });

  it('should name every bad security value, and demand a manifest for trusted documents', () => {
    const attempt = () =>
      loadConfig({ GRAPHQL_MAX_DEPTH: '0', CORS_ORIGINS: 'app.example.com', PERSISTED_OPERATIONS: 'sometimes' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/GRAPHQL_MAX_DEPTH.*CORS_ORIGINS.*PERSISTED_OPERATIONS/);
    expect(() => loadConfig({ PERSISTED_OPERATIONS: 'only' })).toThrow(/PERSISTED_OPERATIONS_MANIFEST is required/);
  });
});
