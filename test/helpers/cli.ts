// The operators' CLI as a child process, as `npm run notify -- …` runs it.
import { type ProcessRun, runNode } from './process.js';

/** Runs `src/cli/notify.ts` with `args` and exactly `env` (plus PATH). Asynchronous: a server in this process keeps answering. */
export function runNotify(args: string[], env: Record<string, string | undefined>): Promise<ProcessRun> {
  return runNode(['--import', 'tsx', 'src/cli/notify.ts', ...args], env);
}
