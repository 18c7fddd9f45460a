// fast-check arbitraries for fuzzing the API: GraphQL documents built from schema.graphql (fields,
// arguments, aliases, fragments, directives, variables; nesting past the depth limit), values that are
// right, wrong or hostile for their types, mutations of the document text, and request bodies that are
// not GraphQL requests at all.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  buildSchema,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));

/** What one fuzz case sends. */
export interface FuzzRequest {
  method: 'GET' | 'POST';
  path: '/graphql' | '/graphql/stream';
  headers: Record<string, string>;
  body?: string;
  query?: string;
  /** Which token the request carries: filled in by the runner. */
  auth: 'user' | 'service' | 'none' | 'garbage';
}

const uuid = fc.uuid({ version: 7 });
const globalId = uuid.map((id) => Buffer.from(`Notification:${id}`).toString('base64'));

/** Strings that tend to break things: markup, unicode, NULs, SQL, huge, and ids that look right. */
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '<script>alert(1)</script>',
    "'; DROP TABLE notifications; --",
    '{{7*7}} #{7*7}',
    '../../etc/passwd',
    '\uD800',
    '🔔'.repeat(300),
    'null',
    'NaN',
  ),
  fc.integer({ min: 256, max: 20_000 }).map((length) => 'x'.repeat(length)),
  globalId,
  uuid,
  fc.nat({ max: 2000 }).map(String),
);

const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e308, -1e308, 101, 501),
);

const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  hostileNumber,
  hostileString,
  fc.boolean(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A value for `type`: mostly of the right shape, sometimes wrong, null where it must not be, or hostile. */
function valueFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type))
    return fc.oneof({ weight: 8, arbitrary: valueFor(type.ofType, depth) }, { weight: 1, arbitrary: garbage });
  const wrapped = (arbitrary: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 6, arbitrary }, { weight: 1, arbitrary: garbage }, { weight: 1, arbitrary: fc.constant(null) });
  if (isListType(type)) return wrapped(fc.array(valueFor(type.ofType, depth + 1), { maxLength: 5 }));
  if (isEnumType(type))
    return wrapped(fc.oneof(fc.constantFrom(...type.getValues().map((value) => value.name)), hostileString));
  if (isInputObjectType(type)) {
    if (depth > 3) return garbage;
    const fields = Object.values(type.getFields());
    return wrapped(
      fc.record(Object.fromEntries(fields.map((field) => [field.name, valueFor(field.type, depth + 1)])), {
        requiredKeys: fields.filter((field) => isNonNullType(field.type)).map((field) => field.name),
      }),
    );
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return wrapped(fc.oneof(fc.integer({ min: -5, max: 600 }), hostileNumber));
      case 'Boolean':
        return wrapped(fc.boolean());
      case 'JSON':
        return wrapped(fc.jsonValue({ maxDepth: 4 }));
      case 'DateTime':
        return wrapped(
          fc.oneof(
            fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
            hostileString,
          ),
        );
      default:
        return wrapped(hostileString);
    }
  }
  return garbage;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/** A GraphQL literal for a JS value; anything GraphQL cannot write comes out as a (wrong) string. */
function literal(value: unknown, enumValue = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return enumValue && NAME.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, enumValue)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([key]) => NAME.test(key));
  return `{${entries.map(([key, item]) => `${key}: ${literal(item)}`).join(', ')}}`;
}

interface Built {
  text: string;
  variables: Record<string, unknown>;
}

/** One operation built from the schema, imperatively through fast-check's generator. */
const operationFromSchema: fc.Arbitrary<Built> = fc.gen().map((g) => {
  const kind = g(
    () => fc.constantFrom('query', 'query', 'query', 'mutation', 'mutation', 'subscription') as fc.Arbitrary<string>,
  );
  const root = (
    kind === 'query'
      ? schema.getQueryType()
      : kind === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType()
  )!;
  const maxDepth = g(fc.integer, { min: 1, max: 10 });
  const variables: Record<string, unknown> = {};
  const definitions: string[] = [];
  let counter = 0;

  const argument = (name: string, type: GraphQLInputType): string => {
    const value = g(() => valueFor(type));
    if (g(fc.boolean)) {
      const variable = `v${counter++}`;
      // The declared type is right most of the time, and sometimes loosened or wrong.
      const declared = g(() =>
        fc.constantFrom(String(type), String(type), String(type), String(getNamedType(type)), 'String', 'Int!'),
      );
      definitions.push(`$${variable}: ${declared}`);
      if (g(fc.integer, { min: 0, max: 9 }) > 0) variables[variable] = value;
      return `${name}: $${variable}`;
    }
    return `${name}: ${literal(value, isEnumType(getNamedType(type)))}`;
  };

  const selection = (type: GraphQLNamedType, depth: number): string => {
    if (!isCompositeType(type)) return '';
    if (depth > maxDepth) return '{ __typename }';
    const parts: string[] = [];
    if (isObjectType(type) || isInterfaceType(type)) {
      const fields = Object.values((type as GraphQLObjectType).getFields());
      const chosen = g(() => fc.subarray(fields, { minLength: 1, maxLength: Math.min(4, fields.length) }));
      for (const field of chosen) {
        const alias = g(fc.integer, { min: 0, max: 5 }) === 0 ? `a${counter++}: ` : '';
        const args = field.args
          .filter((arg) => isNonNullType(arg.type) || g(fc.boolean))
          .map((arg) => argument(arg.name, arg.type));
        const directive = g(fc.integer, { min: 0, max: 9 }) === 0 ? ` @include(if: ${g(fc.boolean)})` : '';
        parts.push(
          `${alias}${field.name}${args.length ? `(${args.join(', ')})` : ''}${directive} ${selection(getNamedType(field.type), depth + 1)}`,
        );
      }
      if (isInterfaceType(type))
        parts.push(`... on Notification ${selection(schema.getType('Notification')!, depth + 1)}`);
    }
    if (g(fc.integer, { min: 0, max: 7 }) === 0) parts.push('__typename');
    return `{ ${parts.join(' ')} }`;
  };

  const body = selection(root, 1);
  const header = definitions.length ? `${kind} Fuzz(${definitions.join(', ')})` : kind;
  return { text: `${header} ${body}`, variables };
});

const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '$',
  '...',
  '@skip(if: true)',
  ':',
  '"',
  '#',
  '!',
  '[',
  ']',
  'fragment F on Query { __typename }',
  '\u0000',
  '\\',
];

/** The document text, damaged: a slice cut out, a token put in, a part doubled. */
const mutated = (built: fc.Arbitrary<Built>) =>
  fc.gen().map((g) => {
    const { text, variables } = g(() => built);
    const at = g(fc.nat, { max: text.length });
    const edit = g(fc.integer, { min: 0, max: 3 });
    const changed =
      edit === 0
        ? text.slice(0, at) + text.slice(at + g(fc.nat, { max: 20 }))
        : edit === 1
          ? text.slice(0, at) + g(() => fc.constantFrom(...TOKENS)) + text.slice(at)
          : edit === 2
            ? text.slice(0, at) + text.slice(at / 2, at) + text.slice(at)
            : text.slice(0, at) + g(() => hostileString) + text.slice(at);
    return { text: changed, variables };
  });

/** Nesting far past every limit, in the document and in the variables. */
const deep = fc.integer({ min: 7, max: 3000 }).chain((levels) =>
  fc.constantFrom<Built>(
    {
      text: `{ ${'node(id: "x") { ... on Notification { id } '.repeat(1)}${'{'.repeat(levels)}${'}'.repeat(levels)} }`,
      variables: {},
    },
    {
      text: `query ($v: JSON) { unreadCount { count } } ${'#'.repeat(levels)}`,
      variables: { v: JSON.parse(`${'['.repeat(Math.min(levels, 900))}${']'.repeat(Math.min(levels, 900))}`) },
    },
    {
      text: `{ __type(name: "Notification") ${'{ fields { type { ofType '.repeat(Math.min(levels, 200))}{ name }${' } } }'.repeat(Math.min(levels, 200))} }`,
      variables: {},
    },
    {
      text: `{ ${Array.from({ length: Math.min(levels, 400) }, (_, i) => `a${i}: unreadCount { count }`).join(' ')} }`,
      variables: {},
    },
  ),
);

const operation: fc.Arbitrary<Built> = fc.oneof(
  { weight: 10, arbitrary: operationFromSchema },
  { weight: 5, arbitrary: mutated(operationFromSchema) },
  { weight: 1, arbitrary: deep },
);

const acceptHeaders = fc.constantFrom(
  'application/graphql-response+json, application/json',
  'application/json',
  'application/graphql-response+json',
  'text/event-stream',
  '*/*',
  'text/html',
);

const graphqlRequest: fc.Arbitrary<FuzzRequest> = fc.gen().map((g): FuzzRequest => {
  const { text, variables } = g(() => operation);
  const auth = g(() =>
    fc.oneof(
      { weight: 16, arbitrary: fc.constant<FuzzRequest['auth']>('user') },
      { weight: 2, arbitrary: fc.constant<FuzzRequest['auth']>('service') },
      { weight: 1, arbitrary: fc.constantFrom<FuzzRequest['auth']>('none', 'garbage') },
    ),
  );
  const accept = g(() => acceptHeaders);
  const form = g(fc.integer, { min: 0, max: 9 });
  if (form === 0) {
    const params = new URLSearchParams({ query: text, variables: JSON.stringify(variables) });
    return {
      method: 'GET',
      path: '/graphql',
      headers: { accept, 'x-graphql-yoga-csrf': '1' },
      query: params.toString(),
      auth,
    };
  }
  const extra: Record<string, unknown> = {};
  if (form === 1) extra.operationName = g(() => fc.constantFrom('Fuzz', 'Other', ''));
  if (form === 2) extra.extensions = g(() => fc.jsonValue({ maxDepth: 2 }));
  if (form === 3) extra.documentId = g(() => hostileString);
  const contentType = g(() =>
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom('application/json', 'application/graphql+json') },
      { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded') },
    ),
  );
  const path = g(fc.integer, { min: 0, max: 9 }) === 0 ? '/graphql/stream' : '/graphql';
  return {
    method: 'POST',
    path,
    headers: { accept, 'content-type': contentType },
    body: JSON.stringify({ query: text, variables, ...extra }),
    auth,
  };
});

/** Bodies that are not GraphQL requests: JSON of any shape, text, batches, oversized, malformed. */
const garbageRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    body: fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(fc.record({ query: fc.constant('{ unreadCount { count } }') }), { maxLength: 5 })
        .map((batch) => JSON.stringify(batch)),
      fc
        .record({ query: garbage, variables: garbage, extensions: garbage, operationName: garbage })
        .map((value) => JSON.stringify(value)),
      fc
        .integer({ min: 60_000, max: 1_200_000 })
        .map((size) => JSON.stringify({ query: '{ unreadCount { count } }', variables: { pad: 'x'.repeat(size) } })),
      fc.constantFrom(
        '{',
        '{"query": ',
        '{"query": "{ unreadCount { count } }", "variables": "{}"}',
        'null',
        '[]',
        '""',
        `${'['.repeat(5000)}${']'.repeat(5000)}`,
      ),
    ),
    contentType: fc.constantFrom(
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
    ),
    path: fc.constantFrom<FuzzRequest['path']>('/graphql', '/graphql', '/graphql/stream'),
    auth: fc.constantFrom<FuzzRequest['auth']>('user', 'user', 'none'),
  })
  .map(({ body, contentType, path, auth }) => ({
    method: 'POST' as const,
    path,
    headers: { accept: 'application/graphql-response+json, application/json', 'content-type': contentType },
    body,
    auth,
  }));

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 6, arbitrary: graphqlRequest },
  { weight: 1, arbitrary: garbageRequest },
);
