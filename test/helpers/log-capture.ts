import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

export interface CapturedLog {
  logger: Logger;
  /** Every line logged so far, parsed. */
  entries: Array<Record<string, unknown>>;
}

/** A logger that keeps what it writes, for asserting what the server logged. */
export function captureLog(level = 'info'): CapturedLog {
  const entries: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) entries.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger(level, sink), entries };
}
