// The server as its own process (`src/main.ts`), as `npm start` runs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** How `npm start` runs the server: node's arguments. The production build is run with other ones. */
const MAIN = ['--import', 'tsx', 'src/main.ts'];

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote so far, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code once the process has ended, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  stop(signal?: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
}

/** The address from the server's `listening` log line, once it has written one. */
function listeningUrl(output: string): string | undefined {
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    if (entry.msg === 'listening') return entry.url;
  }
  return undefined;
}

/**
 * Runs `src/main.ts` with exactly `env` (plus PATH); resolves once it is listening. Give `timeoutMs` from
 * test/helpers/timing.ts (startupDeadline) in a test: the process helpers cannot read the run's measurement,
 * since test/setup/global.ts uses them to take it.
 */
export function startServerProcess(
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
  nodeArguments = MAIN,
): Promise<ServerProcess> {
  const child = spawn(process.execPath, nodeArguments, {
    cwd: root,
    // The `listening` line is how the test learns the port, so the log level is at least info.
    env: { PATH: process.env.PATH, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // SIGTERM, not SIGKILL: a server that is still starting stops what it started (an embedded PostgreSQL).
      child.kill('SIGTERM');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = listeningUrl(output);
      if (!url) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.on('data', (more: Buffer) => {
        output += more.toString();
      });
      resolve({
        child,
        url,
        output: () => output,
        exited,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

export interface ProcessRun {
  /** The exit code, or the signal that ended it. */
  code: number | NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** How long it ran. */
  ms: number;
}

/**
 * Runs `node <args>` in the project with exactly `env` (plus PATH) until it exits by itself; past `timeoutMs`
 * (when given) it is stopped with SIGTERM and the run rejects with what it printed. Asynchronous: a server in
 * this process keeps answering meanwhile.
 */
export function runNode(
  args: readonly string[],
  env: Record<string, string | undefined>,
  timeoutMs?: number,
): Promise<ProcessRun> {
  const started = performance.now();
  const child = spawn(process.execPath, args, {
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
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGTERM');
            reject(new Error(`node ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${stdout}${stderr}`));
          }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, stdout, stderr, ms: Math.round(performance.now() - started) });
    });
  });
}

/** Runs `src/main.ts` with exactly `env` (plus PATH) until it exits by itself, as a start that fails does. */
export function runServerToExit(
  env: Record<string, string | undefined>,
  timeoutMs: number,
  nodeArguments = MAIN,
): Promise<ProcessRun> {
  return runNode(nodeArguments, env, timeoutMs);
}

/** Resolves once `output()` has a line matching `pattern`, checking as it grows; rejects past `timeoutMs`. */
export async function waitForLine(output: () => string, pattern: RegExp, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = output()
      .split('\n')
      .find((candidate) => pattern.test(candidate));
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
