// Child processes of a bench run: servers and load workers, each with the highest file limit allowed,
// talked to over IPC, ended by their own pid and awaited, so that nothing outlives the run.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Pauses } from './probe.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('./probe.ts', import.meta.url));

const running = new Set<NodeProcess>();

export interface SpawnOptions {
  /** A script relative to the repository root, run with tsx. */
  script: string;
  args?: string[];
  env?: Record<string, string | undefined>;
  /** Extra node flags, e.g. --expose-gc. */
  nodeFlags?: string[];
  /** The node binary to run it with: the one running the bench unless given. */
  node?: string;
  /** Load bench/lib/probe.ts first: heap, GC, CPU profiles and SQL capture over IPC. */
  probe?: boolean;
  /** False for JavaScript run as production runs it (dist/): no tsx, whose transform names every closure. */
  typescript?: boolean;
  label: string;
}

export interface MemoryUsage {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

export class NodeProcess {
  readonly exited: Promise<number | string | null>;
  private output = '';
  private nextId = 0;
  private readonly pending = new Map<number, (value: unknown) => void>();

  constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    let partial = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) this.collect(line);
    });
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (message: { id?: number; value?: unknown }) => {
      if (message.id === undefined) return;
      this.pending.get(message.id)?.(message.value);
      this.pending.delete(message.id);
    });
    void this.exited.then((how) => {
      this.output += `\n[${label} ended: ${how}]`;
      running.delete(this);
      for (const resolve of this.pending.values()) resolve(undefined);
    });
  }

  /** Distinct warnings and errors the process logged (pino JSON lines), with how often each came. */
  readonly problems = new Map<string, number>();

  private collect(line: string) {
    if (!line.startsWith('{')) return;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
      if ((entry.level ?? 0) < 40) return;
      const described = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`;
      const key = (described || line).slice(0, 300);
      this.problems.set(key, (this.problems.get(key) ?? 0) + 1);
    } catch {
      // not a log line
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The last lines the process wrote. */
  tail(): string {
    return this.output;
  }

  /** Sends a command over IPC and resolves with the child's answer to it. */
  request<T>(command: Record<string, unknown>): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        return reject(
          new Error(`${this.label} has exited (${this.child.exitCode ?? this.child.signalCode}):\n${this.output}`),
        );
      }
      this.pending.set(id, (value) =>
        value === undefined ? reject(new Error(`${this.label} exited:\n${this.output}`)) : resolve(value as T),
      );
      this.child.send({ ...command, id });
    });
  }

  memory(): Promise<MemoryUsage> {
    return this.request<MemoryUsage>({ probe: 'memory' });
  }

  /** Starts watching the event loop's delay and the GC's pauses (bench/lib/probe.ts). */
  watchPauses(): Promise<unknown> {
    return this.request({ probe: 'pauses-start' });
  }

  /** What was seen since watchPauses. */
  pauses(): Promise<Pauses> {
    return this.request<Pauses>({ probe: 'pauses-stop' });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    process.kill(this.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (this.child.exitCode === null) process.kill(this.pid, 'SIGKILL');
    }, graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

export function spawnNode({
  script,
  args = [],
  env = {},
  nodeFlags = [],
  node: binary = process.execPath,
  probe = false,
  typescript = true,
  label,
}: SpawnOptions) {
  // Without tsx, probe.ts loads through Node's own type stripping.
  const loader = typescript ? ['--import', 'tsx'] : [];
  const node = [binary, ...nodeFlags, ...loader, ...(probe ? ['--import', PROBE] : []), script, ...args];
  // The soft file limit up to the hard one: thousands of sockets per process.
  const child = spawn('bash', ['-c', 'ulimit -n "$(ulimit -Hn)"; exec "$@"', 'bash', ...node], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const started = new NodeProcess(child, label);
  running.add(started);
  return started;
}

/** Waits until `url` answers at all, or fails with the process's output. */
export async function waitForHttp(url: string, process: NodeProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process.child.exitCode !== null)
      throw new Error(`${process.label} exited before answering:\n${process.tail()}`);
    try {
      // Any answer: the process listens (and the app listens only once everything behind it is ready).
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${process.label} did not answer ${url}:\n${process.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops every child still running: at the end of a run, and on failure. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop(5_000)));
}
