// The load generator, in a process of its own: autocannon against one target, each request for a random
// user with that user's token. Driven over IPC by bench/run.ts: { kind, url, connections, seconds }.
import { type Autocannon, type AutocannonRequest, type AutocannonResult, benchDependency } from '../lib/deps.js';
import {
  COUNTS_QUERY,
  CREATE_MUTATION,
  createInput,
  LIST_QUERY,
  PAGE_QUERY,
  POSTGRAPHILE_LIST_QUERY,
  userTokens,
} from '../lib/operations.js';
import { DEEP_USER, signBenchToken, userIdOf } from '../lib/tokens.js';

export type LoadKind =
  | 'app-list'
  | 'raw-list'
  | 'raw-list-json'
  | 'postgraphile-list'
  | 'app-counts'
  | 'raw-counts'
  | 'app-page'
  | 'app-create';

export interface LoadCommand {
  kind: LoadKind;
  url: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** app-page: the cursor to start after (none: the first page). */
  after?: string | null;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  max: number;
  total: number;
  errors: number;
  non2xx: number;
}

const autocannon = benchDependency<Autocannon>('autocannon');
const secret = process.env.JWT_SECRET!;
const users = Number(process.env.BENCH_USERS);
const tokens = userTokens(secret, users);
const serviceToken = signBenchToken(secret, 'bench-service', ['service']);
const deepToken = signBenchToken(secret, DEEP_USER);
const random = () => Math.floor(Math.random() * users);
const json = { 'content-type': 'application/json' };

/** A POST of `query` to /graphql, each request as a user picked at random. */
function graphqlAsRandomUser(query: string): AutocannonRequest {
  return {
    method: 'POST',
    path: '/graphql',
    setupRequest: (r) => ({
      ...r,
      headers: { ...json, authorization: `Bearer ${tokens[random()]}` },
      body: JSON.stringify({ query }),
    }),
  };
}

function request(command: LoadCommand): AutocannonRequest {
  switch (command.kind) {
    case 'app-list':
      return graphqlAsRandomUser(LIST_QUERY);
    case 'raw-list':
    case 'raw-list-json':
    case 'raw-counts':
      return {
        method: 'GET',
        path: {
          'raw-list': '/notifications?first=20',
          'raw-list-json': '/notifications.json?first=20',
          'raw-counts': '/counts',
        }[command.kind],
        setupRequest: (r) => ({ ...r, headers: { authorization: `Bearer ${tokens[random()]}` } }),
      };
    case 'app-counts':
      return graphqlAsRandomUser(COUNTS_QUERY);
    case 'postgraphile-list':
      return {
        method: 'POST',
        path: '/graphql',
        setupRequest: (r) => {
          const user = random();
          return {
            ...r,
            headers: { ...json, authorization: `Bearer ${tokens[user]}` },
            body: JSON.stringify({ query: POSTGRAPHILE_LIST_QUERY, variables: { userId: userIdOf(user) } }),
          };
        },
      };
    case 'app-page':
      return {
        method: 'POST',
        path: '/graphql',
        headers: { ...json, authorization: `Bearer ${deepToken}` },
        body: JSON.stringify({ query: PAGE_QUERY, variables: { after: command.after ?? null } }),
      };
    case 'app-create':
      return {
        method: 'POST',
        path: '/graphql',
        setupRequest: (r) => ({
          ...r,
          headers: { ...json, authorization: `Bearer ${serviceToken}` },
          body: JSON.stringify({ query: CREATE_MUTATION, variables: { input: createInput(userIdOf(random())) } }),
        }),
      };
  }
}

async function run(command: LoadCommand): Promise<LoadResult> {
  const options = { url: command.url, connections: command.connections, timeout: 30, requests: [request(command)] };
  if (command.warmupSeconds > 0) await autocannon({ ...options, duration: command.warmupSeconds });
  const result: AutocannonResult = await autocannon({ ...options, duration: command.seconds });
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

process.on('message', (message: LoadCommand & { id: number }) => {
  run(message).then(
    (value) => process.send?.({ id: message.id, value }),
    (error: Error) => process.send?.({ id: message.id, value: { error: error.message } }),
  );
});
