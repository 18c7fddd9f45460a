// Where the server answers what.
export const GRAPHQL_PATH = '/graphql';
/** graphql-sse's single-connection mode; distinct-connections mode is served on GRAPHQL_PATH. */
export const GRAPHQL_STREAM_PATH = '/graphql/stream';
/** The demo inbox page and its assets (DEMO). */
export const DEMO_PATH = '/demo';
/** The process is up. */
export const HEALTH_PATH = '/health';
/** PostgreSQL and Redis answer. */
export const READY_PATH = '/ready';
export const METRICS_PATH = '/metrics';
