// What a failed send means: retried (SMTP 4xx, push 429 or 5xx, no connection, a timeout) or final (SMTP 5xx,
// push 4xx), and a short, safe description to store and show (no credentials, no stack, one line).
import { PRIVATE_ADDRESS } from '../channels/push/private-network.js';

export type FailureKind = 'TEMPORARY' | 'PERMANENT';

export interface Failure {
  kind: FailureKind;
  /** At most 200 characters. */
  message: string;
}

const MAX_MESSAGE = 200;

/** Any user:password@ of a URL the message may quote, removed. */
const withoutCredentials = (text: string) => text.replace(/\/\/[^/\s@]*@/g, '//');

export function describeSmtpFailure(error: unknown): Failure {
  const { responseCode, response, code, message } = (error ?? {}) as {
    responseCode?: unknown;
    response?: unknown;
    code?: unknown;
    message?: unknown;
  };
  if (typeof responseCode === 'number') {
    const reply = typeof response === 'string' ? response : String(message ?? '');
    return {
      kind: responseCode >= 500 ? 'PERMANENT' : 'TEMPORARY',
      message: shorten(`SMTP ${withoutCredentials(reply).split(/\r?\n/)[0]}`),
    };
  }
  const name = typeof code === 'string' ? code : 'ERROR';
  return { kind: 'TEMPORARY', message: shorten(`${name}: ${withoutCredentials(String(message ?? 'send failed'))}`) };
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

export interface PushFailure extends Failure {
  /** The push service says the subscription no longer exists (404, 410): forget it. */
  gone: boolean;
  /** How long the push service asked us to wait (Retry-After), when it did. */
  retryAfterMs: number | undefined;
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
function retryAfter(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * A push that did not reach its push service: 429, 5xx and no answer are retried; 404 and 410 mean gone, and so
 * does an endpoint inside our own network (never sent to: see channels/push/private-network.ts).
 */
export function describePushFailure(error: unknown): PushFailure {
  const { statusCode, headers, body, endpoint, code, message } = (error ?? {}) as {
    statusCode?: unknown;
    headers?: Record<string, unknown>;
    body?: unknown;
    endpoint?: unknown;
    code?: unknown;
    message?: unknown;
  };
  if (typeof statusCode === 'number') {
    let host = '';
    try {
      host = typeof endpoint === 'string' ? ` from ${new URL(endpoint).host}` : '';
    } catch {}
    const said = typeof body === 'string' && body.trim() ? `: ${withoutCredentials(body).split(/\r?\n/)[0]}` : '';
    const temporary = statusCode === 429 || statusCode >= 500;
    return {
      kind: temporary ? 'TEMPORARY' : 'PERMANENT',
      gone: statusCode === 404 || statusCode === 410,
      retryAfterMs: temporary ? retryAfter(headers?.['retry-after']) : undefined,
      message: shorten(`push ${statusCode}${host}${said}`),
    };
  }
  if (code === PRIVATE_ADDRESS) {
    return {
      kind: 'PERMANENT',
      gone: true,
      retryAfterMs: undefined,
      message: shorten(`push refused: ${String(message)}`),
    };
  }
  const name = typeof code === 'string' ? code : 'ERROR';
  return {
    kind: 'TEMPORARY',
    gone: false,
    retryAfterMs: undefined,
    message: shorten(`${name}: ${withoutCredentials(String(message ?? 'push failed'))}`),
  };
}
