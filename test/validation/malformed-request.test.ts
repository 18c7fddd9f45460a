// A request whose JSON does not parse is the client's mistake: 400 BAD_REQUEST, whatever it accepts and
// wherever the JSON is (the body, or the query string's variables), and nothing logged as a server error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server.js';
import { type CapturedLog, captureLog } from '../helpers/log-capture.js';
import { startTestServer } from '../helpers/server.js';
import { newUserId, tokenFor } from '../helpers/tokens.js';

/** pino's level for error. */
const ERROR = 50;

let server: RunningServer;
let log: CapturedLog;
beforeAll(async () => {
  log = captureLog('debug');
  server = await startTestServer({ logger: log.logger });
});
afterAll(() => server?.stop());

interface Body {
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function answer(response: Response) {
  return { status: response.status, body: (await response.json()) as Body };
}

describe('malformed JSON in a request', () => {
  // graphql-http's auditServer: "SHOULD use 4xx or 5xx status codes on JSON parsing failure" (application/json).
  it.each(['application/json', 'application/graphql-response+json', '*/*'])(
    'should answer a POST body that does not parse with 400 BAD_REQUEST when accepting %s',
    async (accept) => {
      const response = await fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${await tokenFor(newUserId())}` },
        body: '{"query": "{ unreadCount { count } }", oops',
      });
      const { status, body } = await answer(response);
      expect(status).toBe(400);
      expect(body.errors).toEqual([{ message: 'POST body sent invalid JSON.', extensions: { code: 'BAD_REQUEST' } }]);
    },
  );

  it.each(['application/json', 'application/graphql-response+json'])(
    'should answer GET variables that do not parse with 400 BAD_REQUEST when accepting %s, logged calmly',
    async (accept) => {
      const logged = log.entries.length;
      const query = encodeURIComponent('query ($n: Int) { notifications(first: $n) { totalCount } }');
      const response = await fetch(`${server.url}/graphql?query=${query}&variables={`, {
        headers: { accept, 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${await tokenFor(newUserId())}` },
      });
      const { status, body } = await answer(response);
      expect(status).toBe(400);
      expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_REQUEST']);
      expect(body.errors?.[0]?.message).toBe('The "variables" parameter is not valid JSON.');
      const errors = log.entries.slice(logged).filter((entry) => Number(entry.level) >= ERROR);
      expect(errors, JSON.stringify(errors)).toEqual([]);
    },
  );
});
