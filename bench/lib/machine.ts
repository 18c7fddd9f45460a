// What the figures were measured on, printed with them.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { Redis } from 'ioredis';
import { serverVersion } from './database.js';

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  node: string;
  postgres: string;
  redis: string;
  os: string;
  date: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAtStart: string;
}

export async function describeMachine(postgresServerUrl: string, redisUrl: string): Promise<Machine> {
  const redis = new Redis(redisUrl);
  const info = await redis.info('server');
  redis.disconnect();
  let os: string = process.platform;
  try {
    os = execFileSync('uname', ['-srm']).toString().trim();
  } catch {
    // keep the platform name
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    postgres: await serverVersion(postgresServerUrl),
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    os,
    date: new Date().toISOString(),
    loadAtStart: loadavg()
      .map((load) => load.toFixed(2))
      .join(', '),
  };
}
