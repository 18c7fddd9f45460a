// The node:http listener in front of Yoga; a service's createNotification it knows is compiled creates' to answer
// (src/compiled-creates/answer.ts), after the same request checks. A query it has a plan for (read-plans.ts) is
// answered here: the same token check, the same budgets (counted in one Redis round trip), the same cost, and
// one SQL statement that builds the response's data in PostgreSQL (statement.ts). Measured in bench/FINDINGS.md
// ("Compiled reads"): Yoga's request and response plumbing and graphql-js's execution were most of a list
// request's CPU. Everything else, and everything this path would answer other than with data (a refused token,
// argument, budget or cost, a failed statement), goes to Yoga with the body already read and the budgets
// already counted (src/limits/counted-requests.ts): a client cannot tell which of the two answered.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type GraphQLSchema, getVariableValues } from 'graphql';
import { acceptedViewer, type TokenVerifier, type Viewer } from '../auth.js';
import { type Answer, answerCreate, type CompiledCreatesOptions } from '../compiled-creates/answer.js';
import type { CreatePlans } from '../compiled-creates/create-plans.js';
import type { Database } from '../db.js';
import { handToYoga, isBoundedJsonPost, readBody } from '../http/buffered-request.js';
import { GRAPHQL_PATH } from '../http/paths.js';
import { requestIdFrom } from '../http/request-id.js';
import type { TrustedDocuments } from '../http/trusted-documents.js';
import { markCounted } from '../limits/counted-requests.js';
import type { RateLimits } from '../limits/rate-limiter.js';
import type { Logger } from '../logger.js';
import { queryRows } from '../notifications/sql.js';
import type { SecurityConfig } from '../security/config.js';
import type { LearntPlan, ReadPlans } from './read-plans.js';
import { type CorsOptionsFactory, corsHeaders, operationParams } from './request-params.js';
import { readStatement } from './statement.js';

export interface CompiledReadsOptions {
  /** Yoga's own listener: what answers everything else. */
  yoga: RequestListener;
  /** Compiled reads' documents; none when they are off. */
  plans: ReadPlans | undefined;
  /** Compiled creates (src/compiled-creates/): their documents, what they run with, and where they log. */
  creates?: (CompiledCreatesOptions & { plans: CreatePlans; logger: Logger }) | undefined;
  schema: GraphQLSchema;
  db: Database;
  verifyToken: TokenVerifier;
  rateLimits: RateLimits;
  security: Pick<SecurityConfig, 'maxRequestBytes' | 'persistedOperations' | 'operationLimits'>;
  trustedDocuments: TrustedDocuments;
  /** Yoga's CORS option (src/http/cors.ts): a browser's request gets the same headers from either path. */
  cors: CorsOptionsFactory;
  logger: Logger;
}

/**
 * The media type Yoga answers a query with for this Accept header: the first of the client's types, in its
 * order, that is one of the two JSON ones, a wildcard standing for application/json (as measured against
 * graphql-yoga 5); undefined when there is none (Yoga answers 406).
 */
function regularMediaType(accept: string | undefined): string | undefined {
  if (!accept || accept === 'application/json') return 'application/json';
  for (const entry of accept.replace(/\s/g, '').toLowerCase().split(',')) {
    const [mediaType = '', ...parameters] = entry.split(';');
    const charset = parameters.find((parameter) => parameter.includes('charset=')) ?? 'charset=utf-8';
    if (charset !== 'charset=utf-8') continue;
    if (mediaType === 'application/json' || mediaType === 'application/graphql-response+json') return mediaType;
    if (mediaType === '*/*' || mediaType === 'application/*') return 'application/json';
  }
  return undefined;
}

export function compiledReadsListener(options: CompiledReadsOptions): RequestListener {
  const { yoga, plans, security } = options;

  const candidate = (request: IncomingMessage): boolean =>
    (plans?.size ?? 0) + (options.creates?.plans.size ?? 0) > 0 &&
    request.url === GRAPHQL_PATH &&
    request.headers.authorization !== undefined &&
    isBoundedJsonPost(request, security.maxRequestBytes);

  return (request, response) => {
    if (!candidate(request)) return yoga(request, response);
    const started = performance.now();
    readBody(request, response, (body) => {
      const handOver = () => handToYoga(yoga, request, response, body);
      answer(options, request, response, body, started).then(
        (answered) => {
          if (!answered) handOver();
        },
        (error: unknown) => {
          options.logger.error({ err: error }, 'compiled read failed; handed to Yoga');
          handOver();
        },
      );
    });
  };
}

/** Answers the request and resolves true, or resolves false for Yoga to answer it. */
async function answer(
  options: CompiledReadsOptions,
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  started: number,
): Promise<boolean> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return false;
  }
  const params = operationParams(parsed, options.security.persistedOperations.mode, options.trustedDocuments);
  if (!params) return false;
  const plan = options.plans?.get(params.text, params.operationName);
  const createPlan = plan ? undefined : options.creates?.plans.get(params.text, params.operationName);
  if (!plan && !createPlan) return false;
  const mediaType = regularMediaType(request.headers.accept);
  if (!mediaType) return false;

  const viewer = await acceptedViewer(options.verifyToken, request.headers.authorization ?? null);
  if (!viewer) return false;
  const rawVariables = params.variables;
  const requestId = requestIdFrom(request.headers['x-request-id'] as string | undefined);
  if (createPlan && options.creates) {
    const answered = await answerCreate(
      options.creates,
      request,
      createPlan,
      viewer,
      rawVariables,
      mediaType,
      requestId,
    );
    if (!answered) return false;
    // Once it ran, it is answered here whatever happens: handed to Yoga, it would run again.
    try {
      respond(options, options.creates.logger, request, response, answered, viewer, requestId, started);
    } catch (error) {
      options.creates.logger.error({ err: error }, 'compiled create not answered');
      response.destroy();
    }
    return true;
  }
  if (!plan || viewer.roles.includes('service')) return false;

  const { statement, cost } = prepare(options, plan, viewer, rawVariables) ?? {};
  if (!statement || cost === undefined) return false;

  const verdicts = await options.rateLimits.requestAndOperation(viewer, plan.rootFields, cost);
  if (!verdicts.request.allowed || !verdicts.operation?.allowed) {
    markCounted(request, verdicts);
    return false;
  }
  let data: string;
  try {
    const [row] = await queryRows<{ data: string }>(options.db, statement);
    data = row!.data;
  } catch (error) {
    // Yoga runs it again, counted already, and answers as it answers any failure (masked, logged once).
    options.logger.debug({ err: error }, 'compiled read failed; handed to Yoga');
    markCounted(request, verdicts);
    return false;
  }
  const payload = `{"data":${data}}`;
  const answered = { status: 200, headers: { 'content-type': `${mediaType}; charset=utf-8` }, payload };
  respond(options, options.logger, request, response, answered, viewer, requestId, started);
  return true;
}

/** Writes the answer, with the headers Yoga's plugins add (request id, CORS), and its access log line. */
function respond(
  options: CompiledReadsOptions,
  logger: Logger,
  request: IncomingMessage,
  response: ServerResponse,
  { status, headers, payload }: Answer,
  viewer: Viewer,
  requestId: string,
  started: number,
): void {
  response.writeHead(status, {
    ...headers,
    'content-length': Buffer.byteLength(payload),
    'x-request-id': requestId,
    ...corsHeaders(request, options.cors),
  });
  response.end(payload);
  if (logger.isLevelEnabled('info')) {
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    logger.info(
      { requestId, userId: viewer.userId, method: 'POST', path: GRAPHQL_PATH, status, durationMs },
      'request',
    );
  }
}

/** The statement and the cost of this run of the plan; undefined when Yoga would refuse either. */
function prepare(
  { schema, security }: CompiledReadsOptions,
  plan: LearntPlan,
  viewer: Viewer,
  rawVariables: Record<string, unknown>,
) {
  const variables = getVariableValues(schema, plan.operation.variableDefinitions ?? [], rawVariables);
  if (variables.errors) return undefined;
  const cost = plan.cost.with(rawVariables);
  if (cost === undefined || cost > security.operationLimits.cost) return undefined;
  try {
    return { statement: readStatement(plan, viewer.userId, variables.coerced), cost };
  } catch {
    return undefined;
  }
}
