// What a failed send means: retried (a 4xx reply, no connection, a timeout) or final (a 5xx reply), and a
// short, safe description to store and show (no credentials, no stack, one line).

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
