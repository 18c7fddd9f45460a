// The operators' CLI as a child process, as `npm run notify -- …` runs it.
import { type ProcessRun, runNode } from './process.js';

/**
 * Runs `src/cli/notify.ts` as `npm run notify` does (scripts/cli.js: its bundle, made again when a source
 * changed), with `args` and exactly `env` (plus PATH). Asynchronous: a server in this process keeps answering.
 */
export function runNotify(args: string[], env: Record<string, string | undefined>): Promise<ProcessRun> {
  return runNode(['scripts/cli.js', 'notify', ...args], env);
}

/** Runs `src/cli/token.ts` as `npm run token` does, with `args` and exactly `env` (plus PATH). */
export function runToken(args: string[], env: Record<string, string | undefined>): Promise<ProcessRun> {
  return runNode(['scripts/cli.js', 'token', ...args], env);
}
