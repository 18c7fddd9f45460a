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
/** The development outbox page (DEV_OUTBOX): every email and push payload sent. */
export const DEV_OUTBOX_PATH = '/dev/outbox';
