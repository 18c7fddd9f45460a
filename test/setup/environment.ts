// Where the tests find PostgreSQL and Redis: this machine's services unless told otherwise.
// The test suite's only reader of the environment.
export function testEnvironment() {
  return {
    /** A server URL without a database name; each run makes its own database there. */
    postgresUrl: process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432',
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
  };
}
