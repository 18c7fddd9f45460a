// PostGraphile 5 serving the same table, as a team would otherwise pick: the Amber preset, a condition
// that keeps the app's default list (neither archived, snoozed, scheduled nor expired), and the same auth cost (jose HS256 per request).
// PostGraphile 5 requires Node 22 (Promise.withResolvers): the bench runs on the project's Node 24.
import { createServer } from 'node:http';
import { jwtVerify } from 'jose';
import { benchDependency } from '../lib/deps.js';

type Sql = (strings: TemplateStringsArray, ...values: unknown[]) => unknown;
interface Preset {
  [key: string]: unknown;
}
interface PostGraphile {
  createServ(grafserv: unknown): { addTo(server: unknown): Promise<void>; release(): Promise<void> };
  release(): Promise<void>;
}

const { postgraphile } = benchDependency<{ postgraphile: (preset: Preset) => PostGraphile }>('postgraphile');
const { PostGraphileAmberPreset } = benchDependency<{ PostGraphileAmberPreset: Preset }>('postgraphile/presets/amber');
const { makePgService } = benchDependency<{ makePgService: (options: object) => unknown }>('postgraphile/adaptors/pg');
const { grafserv } = benchDependency<{ grafserv: unknown }>('postgraphile/grafserv/node');
const { addPgTableCondition } = benchDependency<{
  addPgTableCondition: (
    match: object,
    name: string,
    spec: (build: { graphql: { GraphQLBoolean: unknown } }) => object,
    condition: (value: unknown, helpers: { sql: Sql; sqlTableAlias: unknown }) => unknown,
  ) => unknown;
}>('postgraphile/utils');

const { DATABASE_URL, PORT, JWT_SECRET, DATABASE_POOL_SIZE } = process.env;
const secret = new TextEncoder().encode(JWT_SECRET);

const listed = addPgTableCondition(
  { schemaName: 'public', tableName: 'notifications' },
  'listed',
  (build) => ({ type: build.graphql.GraphQLBoolean }),
  (value, { sql, sqlTableAlias }) =>
    value
      ? sql`${sqlTableAlias}.status <> 'ARCHIVED' and ${sqlTableAlias}.snoozed_until is null and ${sqlTableAlias}.send_at is null and (${sqlTableAlias}.expires_at is null or ${sqlTableAlias}.expires_at > now())`
      : null,
);

const preset: Preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [listed],
  pgServices: [
    makePgService({
      connectionString: DATABASE_URL,
      schemas: ['public'],
      poolConfig: { max: Number(DATABASE_POOL_SIZE ?? 10) },
    }),
  ],
  grafserv: { port: Number(PORT), host: '127.0.0.1', graphqlPath: '/graphql', websockets: false },
  grafast: {
    explain: false,
    async context(requestContext: { node?: { req?: { headers: Record<string, string | undefined> } } }) {
      const token = requestContext.node?.req?.headers.authorization?.slice('Bearer '.length) ?? '';
      const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
      return { viewer: payload.sub };
    },
  },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
await serv.addTo(server);
server.keepAliveTimeout = 60_000;
server.listen(Number(PORT), '127.0.0.1');
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close();
  void serv
    .release()
    .then(() => pgl.release())
    .finally(() => process.exit(0));
});
