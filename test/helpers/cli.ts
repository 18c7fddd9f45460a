// The operators' CLI as a child process, as `npm run notify -- …` runs it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `src/cli/notify.ts` with `args` and exactly `env` (plus PATH). Asynchronous: a server in this process keeps answering. */
export function runNotify(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/notify.ts', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
